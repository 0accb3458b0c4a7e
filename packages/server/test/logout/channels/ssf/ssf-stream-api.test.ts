// The Shared Signals transmitter's metadata (SSF 1.0 §7) and stream management API (§8.1),
// driven by a receiver's client written from the specification (helpers/ssf-test-client.ts),
// with Keycloak 26.7's choices where the spec leaves one: receivers are `ssf.enabled` clients
// with `ssf.manage` / `ssf.read` by client credentials, one stream per client.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseRealmJson } from '../../../../src/realm-import/realm-json.ts';
import { TEST_DATABASES } from '../../../helpers/databases.ts';
import { ISSUER, ISSUER_BASE, type TestProvider } from '../../../helpers/provider.ts';
import { clientToken, receiverToken, startSsfProvider, verifySet } from '../../../helpers/ssf-realm.ts';
import { SsfTestClient } from '../../../helpers/ssf-test-client.ts';

const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

for (const database of TEST_DATABASES) {
  describe(`SSF stream management on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let a: SsfTestClient;
    const fetch = (input: string, init?: RequestInit) => t.fetch(input, init);
    before(async () => {
      t = await startSsfProvider(database);
      a = await SsfTestClient.discover(fetch, ISSUER, await receiverToken(t, 'receiver-a'));
    });
    after(async () => {
      await t?.close();
    });

    test('§7: metadata at the issuer-path well-known URI names every endpoint and both delivery methods', () => {
      const m = a.meta;
      assert.equal(m.issuer, ISSUER);
      assert.equal(m.jwks_uri, `${ISSUER}/protocol/openid-connect/certs`);
      assert.deepEqual([...m.delivery_methods_supported].sort(), [PUSH, POLL]);
      for (const url of [
        m.configuration_endpoint,
        m.status_endpoint,
        m.add_subject_endpoint,
        m.remove_subject_endpoint,
        m.verification_endpoint,
      ])
        assert.ok(url.startsWith(`${ISSUER}/ssf/transmitter/`), url);
      assert.deepEqual(m.authorization_schemes, [{ spec_urn: 'urn:ietf:rfc:6749' }]);
      assert.equal(m.default_subjects, 'ALL');
    });

    test("Keycloak's realm-relative metadata URI answers the same document", async () => {
      const res = await t.fetch(`${ISSUER}/.well-known/ssf-configuration`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), a.meta);
    });

    test('a realm without ssf.transmitterEnabled has no transmitter: 404', async () => {
      assert.ok(await t.provider.ctx.realms.realmByName('plain'));
      const other = await t.fetch(`${ISSUER_BASE}/.well-known/ssf-configuration/realms/plain`);
      assert.equal(other.status, 404);
      const streams = await t.fetch(`${ISSUER_BASE}/realms/plain/ssf/transmitter/streams`);
      assert.equal(streams.status, 404);
    });

    test('a client that is not a receiver cannot obtain the SSF scopes at the token endpoint', async () => {
      const res = await clientToken(t, 'no-scopes', 'ssf.manage');
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_scope');
    });

    test('no token: 401 with a Bearer challenge (RFC 6750 §3)', async () => {
      const res = await t.fetch(a.meta.configuration_endpoint);
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    });

    test('a bad token: 401 invalid_token', async () => {
      const res = await t.fetch(a.meta.configuration_endpoint, { headers: { authorization: 'Bearer nope' } });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/);
    });

    test('a client without ssf.enabled is refused at the stream API: 403 insufficient_scope', async () => {
      const token = await receiverToken(t, 'not-ssf');
      const c = await SsfTestClient.discover(fetch, ISSUER, token);
      const res = await c.createStream({ delivery: { method: POLL } });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: string }).error, 'insufficient_scope');
    });

    test('ssf.read alone cannot create a stream: 403 insufficient_scope', async () => {
      const c = await SsfTestClient.discover(fetch, ISSUER, await receiverToken(t, 'receiver-b', 'ssf.read'));
      const res = await c.createStream({ delivery: { method: POLL } });
      assert.equal(res.status, 403);
    });

    let streamId = '';
    test('§8.1.1.1 create: 201 with the transmitter-supplied fields; a second create by the same client: 409', async () => {
      const res = await a.createStream({
        delivery: { method: PUSH, endpoint_url: 'http://127.0.0.1:9/push', authorization_header: 'Bearer rcv' },
        events_requested: [SESSION_REVOKED, 'urn:example:unknown'],
        description: 'test stream',
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const s = (await res.json()) as Record<string, unknown>;
      streamId = s.stream_id as string;
      assert.ok(streamId);
      assert.equal(s.iss, ISSUER);
      assert.equal(s.aud, 'receiver-a');
      assert.deepEqual(s.events_delivered, [SESSION_REVOKED]);
      assert.ok((s.events_supported as string[]).includes(SESSION_REVOKED));
      assert.deepEqual(
        s.delivery,
        { method: PUSH, endpoint_url: 'http://127.0.0.1:9/push' },
        'the header is write-only',
      );
      const again = await a.createStream({ delivery: { method: POLL } });
      assert.equal(again.status, 409);
    });

    test("§8.1.1.2 read: by stream_id, and the list of the client's streams", async () => {
      const one = await a.readStream(streamId);
      assert.equal(one.status, 200);
      assert.equal(((await one.json()) as { stream_id: string }).stream_id, streamId);
      const list = (await (await a.readStream()).json()) as Array<{ stream_id: string }>;
      assert.deepEqual(
        list.map((s) => s.stream_id),
        [streamId],
      );
    });

    test('§8.1.1.3 update: receiver-supplied fields change; a transmitter-supplied one: 400', async () => {
      const ok = await a.updateStream({ stream_id: streamId, description: 'renamed' });
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { description: string }).description, 'renamed');
      for (const field of [{ iss: 'https://evil.example' }, { aud: 'someone-else' }, { events_delivered: [] }]) {
        const res = await a.updateStream({ stream_id: streamId, ...field });
        assert.equal(res.status, 400, JSON.stringify(field));
      }
      const same = await a.updateStream({ stream_id: streamId, iss: ISSUER });
      assert.equal(same.status, 200, "the transmitter's own value may be echoed");
    });

    test('§8.1.1.4 replace: what is not sent takes its default', async () => {
      const res = await a.replaceStream({
        stream_id: streamId,
        delivery: { method: PUSH, endpoint_url: 'http://127.0.0.1:9/push2' },
        events_requested: [SESSION_REVOKED],
      });
      assert.equal(res.status, 200);
      const s = (await res.json()) as Record<string, unknown>;
      assert.equal(s.description, undefined);
      assert.deepEqual(s.delivery, { method: PUSH, endpoint_url: 'http://127.0.0.1:9/push2' });
    });

    test('a push URL outside ssf.validPushUrls, or plain http off loopback: 400', async () => {
      for (const endpoint_url of ['https://elsewhere.example/push', 'http://receiver.example/push', 'not a url']) {
        const res = await a.updateStream({ stream_id: streamId, delivery: { method: PUSH, endpoint_url } });
        assert.equal(res.status, 400, endpoint_url);
      }
    });

    test("another receiver's stream: 404", async () => {
      const b = await SsfTestClient.discover(fetch, ISSUER, await receiverToken(t, 'receiver-b'));
      assert.equal((await b.readStream(streamId)).status, 404);
      assert.equal((await b.readStatus(streamId)).status, 404);
      assert.equal((await b.updateStatus(streamId, 'paused')).status, 404);
      assert.equal((await b.deleteStream(streamId)).status, 404);
    });

    test('§8.1.2 status: read, and update answers 200 with the new status', async () => {
      const read = await a.readStatus(streamId);
      assert.equal(read.status, 200);
      assert.deepEqual(await read.json(), { stream_id: streamId, status: 'enabled' });
      const paused = await a.updateStatus(streamId, 'paused', 'maintenance');
      assert.equal(paused.status, 200);
      assert.deepEqual(await paused.json(), { stream_id: streamId, status: 'paused', reason: 'maintenance' });
      assert.equal((await a.updateStatus(streamId, 'sleeping')).status, 400);
      assert.equal((await a.updateStatus(streamId, 'enabled')).status, 200);
    });

    test('§8.1.3 subjects: add answers 200, remove 204, a malformed subject 400', async () => {
      const alice = (await t.provider.ctx.realms.userByUsername(
        (await t.provider.ctx.realms.realmByName('test'))!.id,
        'alice',
      ))!;
      assert.equal((await a.addSubject(streamId, { format: 'iss_sub', iss: ISSUER, sub: alice.id })).status, 200);
      assert.equal((await a.removeSubject(streamId, { format: 'email', email: 'alice@example.com' })).status, 204);
      assert.equal((await a.addSubject(streamId, { format: 'phone_number' })).status, 400);
    });

    test('§8.1.4.2 verification: 204, and a verification SET carrying the state', async () => {
      const c = await SsfTestClient.discover(fetch, ISSUER, await receiverToken(t, 'receiver-poll'));
      const created = (await (await c.createStream({ delivery: { method: POLL } })).json()) as {
        stream_id: string;
        delivery: { endpoint_url: string };
      };
      assert.ok(created.delivery.endpoint_url.startsWith(ISSUER));
      assert.equal((await c.verify(created.stream_id, 'state-123')).status, 204);
      const polled = await c.poll(created.delivery.endpoint_url, { returnImmediately: true });
      assert.equal(polled.status, 200);
      const { sets } = (await polled.json()) as { sets: Record<string, string> };
      const [jti, token] = Object.entries(sets)[0]!;
      const { payload } = await verifySet(t, token, 'receiver-poll');
      assert.equal(payload.jti, jti);
      assert.deepEqual(payload.events, {
        'https://schemas.openid.net/secevent/ssf/event-type/verification': { state: 'state-123' },
      });
      assert.deepEqual(payload.sub_id, { format: 'opaque', id: created.stream_id });
      await c.poll(created.delivery.endpoint_url, { ack: [jti], returnImmediately: true, maxEvents: 0 });
      assert.equal((await c.deleteStream(created.stream_id)).status, 204);
    });

    test('a body that is not JSON: 400, never a 500', async () => {
      const res = await t.fetch(a.meta.status_endpoint, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await receiverToken(t, 'receiver-a')}`,
          'content-type': 'application/json',
        },
        body: '{not json',
      });
      assert.equal(res.status, 400);
    });

    test('an oversized body: 413, and poll on a push stream: 400', async () => {
      const res = await t.fetch(a.meta.verification_endpoint, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await receiverToken(t, 'receiver-a')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ stream_id: streamId, state: 'x'.repeat(100_000) }),
      });
      assert.equal(res.status, 413);
      const polled = await a.poll(`${ISSUER}/ssf/transmitter/poll`, { returnImmediately: true });
      assert.equal(polled.status, 400);
    });

    test('§8.1.1.5 delete: 204, then the stream is gone (404) and can be created again', async () => {
      assert.equal((await a.deleteStream(streamId)).status, 204);
      assert.equal((await a.readStream(streamId)).status, 404);
      const res = await a.createStream({ delivery: { method: POLL } });
      assert.equal(res.status, 201);
      await a.deleteStream(((await res.json()) as { stream_id: string }).stream_id);
    });
  });
}

test("realm import refuses a receiver's SSF attributes that are not Keycloak's values", () => {
  const realm = (attributes: Record<string, string>) => ({
    realm: 'bad',
    enabled: true,
    clients: [{ clientId: 'r', secret: 's', serviceAccountsEnabled: true, attributes }],
  });
  assert.throws(() => parseRealmJson(realm({ 'ssf.defaultSubjects': 'SOME' })), /ssf\.defaultSubjects/);
  assert.throws(() => parseRealmJson(realm({ 'ssf.userSubjectFormat': 'phone' })), /ssf\.userSubjectFormat/);
  assert.throws(() => parseRealmJson(realm({ 'ssf.validPushUrls': 'http://receiver.example/*' })), /uses http/);
  assert.throws(() => parseRealmJson(realm({ 'ssf.validPushUrls': 'https://r.example/#x' })), /fragment/);
  assert.doesNotThrow(() =>
    parseRealmJson(
      realm({ 'ssf.enabled': 'true', 'ssf.validPushUrls': 'https://r.example/ssf/*##http://127.0.0.1:*' }),
    ),
  );
});
