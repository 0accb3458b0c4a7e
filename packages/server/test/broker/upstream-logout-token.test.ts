// The broker's back-channel logout receiver refuses every bad upstream logout token with 400
// invalid_request and a LOGOUT_ERROR event, ending nothing (BCL §2.6; CVE-2026-18569: the
// signature is always checked), and ends the brokered session of a valid one — on SQLite and
// PostgreSQL.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CompactSign, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { ISSUER, startTestProvider, TEST_REALM_JSON, type TestProvider } from '../helpers/provider.ts';
import type { Realm } from '../../src/realm/model.ts';

const EVENT = { 'http://schemas.openid.net/event/backchannel-logout': {} };
const RECEIVER = `${ISSUER}/protocol/openid-connect/logout/backchannel-logout`;

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

async function keyServer(): Promise<{ url: string; keys: Record<string, Key>; server: Server; logoutCalls: URL[] }> {
  const logoutCalls: URL[] = [];
  const keys: Record<string, Key> = {};
  const jwks: Record<string, unknown> = {};
  for (const name of ['up', 'other']) {
    const pair = await generateKeyPair('RS256');
    keys[name] = pair.privateKey;
    jwks[name] = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: name, alg: 'RS256', use: 'sig' }] };
  }
  const server = createServer((req, res) => {
    if (req.url!.startsWith('/logout')) {
      logoutCalls.push(new URL(req.url!, 'http://upstream'));
      res.writeHead(req.method === 'GET' ? 200 : 405).end();
      return;
    }
    const name = req.url!.slice(1).replace('.json', '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks[name] ?? { keys: [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys, server, logoutCalls };
}

function idp(alias: string, issuer: string, clientId: string, jwksUrl: string) {
  return {
    alias,
    providerId: alias === 'up' ? 'keycloak-oidc' : 'oidc',
    config: {
      issuer,
      clientId,
      clientSecret: 'x',
      authorizationUrl: `${issuer}/auth`,
      tokenUrl: `${issuer}/token`,
      jwksUrl,
    },
  };
}

for (const database of TEST_DATABASES) {
  describe(`upstream back-channel logout tokens (${database.name})`, { skip: database.skip }, () => {
    let t: TestProvider;
    let ks: Awaited<ReturnType<typeof keyServer>>;
    let realm: Realm;
    let sessionId: string;

    before(async () => {
      ks = await keyServer();
      const json = structuredClone(TEST_REALM_JSON) as Record<string, unknown>;
      json.identityProviders = [
        {
          ...idp('up', 'https://up.example', 'sundown', `${ks.url}/up.json`),
          config: {
            ...idp('up', 'https://up.example', 'sundown', `${ks.url}/up.json`).config,
            logoutUrl: `${ks.url}/logout`,
            backchannelSupported: 'true',
            sendClientIdOnLogout: 'true',
          },
        },
        idp('other', 'https://other.example', 'sundown-other', `${ks.url}/other.json`),
      ];
      t = await startTestProvider(database, {}, [json]);
      realm = (await t.provider.ctx.realms.realmByName('test'))!;
    });
    after(async () => {
      await t?.close();
      ks?.server.close();
    });

    beforeEach(async () => {
      const alice = await t.provider.ctx.realms.userByUsername(realm.id, 'alice');
      const created = await t.provider.ctx.sessions.create(realm, alice!.id, '127.0.0.1', Date.now(), null);
      sessionId = created.session.id;
      await t.provider.ctx.brokerSessions.record({
        ssoSessionId: sessionId,
        realmId: realm.id,
        alias: 'up',
        upstreamSid: `up-sid-${sessionId}`,
        upstreamSub: 'alice-upstream',
        idToken: 'x.y.z',
      });
    });

    function claims(extra: JWTPayload = {}): JWTPayload {
      return {
        iss: 'https://up.example',
        aud: 'sundown',
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 120,
        jti: crypto.randomUUID(),
        sid: `up-sid-${sessionId}`,
        events: EVENT,
        ...extra,
      };
    }

    function sign(
      payload: JWTPayload,
      key = ks.keys.up!,
      header: Record<string, unknown> = { alg: 'RS256', kid: 'up', typ: 'logout+jwt' },
    ) {
      return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
    }

    function post(token: string) {
      return t.fetch(RECEIVER, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }),
      });
    }

    async function assertRefused(res: Response, description: RegExp) {
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: string; error_description: string };
      assert.equal(body.error, 'invalid_request');
      assert.match(body.error_description, description);
      assert.ok(await t.provider.ctx.sessions.findLive(realm, sessionId), 'nothing ended');
      const [event] = await t.provider.ctx.events.list(realm.id, { type: 'LOGOUT_ERROR' });
      assert.equal(event?.error, 'invalid_token');
    }

    test('a valid token ends the session of its sid, names the upstream, and answers 200', async () => {
      const res = await post(await sign(claims()));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control')?.includes('no-store'), true);
      assert.equal(await t.provider.ctx.sessions.findLive(realm, sessionId), undefined);
      const alice = await t.provider.ctx.realms.userByUsername(realm.id, 'alice');
      const [logout] = await t.provider.ctx.logouts.ofUser(realm.id, alice!.id, 1);
      assert.equal(logout?.trigger, 'upstream_logout');
      assert.equal(logout?.actor, 'up');
    });

    test('typ JWT (older Keycloak) and no typ are accepted', async () => {
      assert.equal((await post(await sign(claims(), ks.keys.up, { alg: 'RS256', kid: 'up', typ: 'JWT' }))).status, 200);
      assert.equal(
        (await post(await sign(claims({ sid: 'unknown' }), ks.keys.up, { alg: 'RS256', kid: 'up' }))).status,
        200,
      );
    });

    test('sub alone ends every brokered session of that upstream user', async () => {
      const res = await post(await sign(claims({ sid: undefined, sub: 'alice-upstream' })));
      assert.equal(res.status, 200);
      assert.equal(await t.provider.ctx.sessions.findLive(realm, sessionId), undefined);
    });

    test('a valid token naming a session Sundown does not have answers 200', async () => {
      const res = await post(await sign(claims({ sid: 'nobody' })));
      assert.equal(res.status, 200);
      assert.ok(await t.provider.ctx.sessions.findLive(realm, sessionId));
    });

    test('unsigned (alg none) is refused', async () => {
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      await assertRefused(await post(`${enc({ alg: 'none' })}.${enc(claims())}.`), /not signed/);
    });

    test('a forged signature is refused', async () => {
      await assertRefused(await post(await sign(claims(), ks.keys.other, { alg: 'RS256', kid: 'up' })), /signature/);
    });

    test('wrong aud is refused', async () => {
      await assertRefused(await post(await sign(claims({ aud: 'someone-else' }))), /audience/);
    });

    test('wrong iss is refused', async () => {
      await assertRefused(await post(await sign(claims({ iss: 'https://evil.example' }))), /issuer/);
    });

    test('missing events is refused', async () => {
      await assertRefused(await post(await sign(claims({ events: undefined }))), /back-channel logout event/);
    });

    test('a nonce is refused', async () => {
      await assertRefused(await post(await sign(claims({ nonce: 'n' }))), /nonce/);
    });

    test('a replayed token is refused the second time', async () => {
      const token = await sign(claims({ sid: 'nobody' }));
      assert.equal((await post(token)).status, 200);
      await assertRefused(await post(token), /already used/);
    });

    test("a token of another upstream's alias cannot end this upstream's sessions", async () => {
      // Signed by "other" with "up"'s issuer: up's keys refuse it.
      await assertRefused(await post(await sign(claims(), ks.keys.other, { alg: 'RS256', kid: 'other' })), /signature/);
      // Valid for "other" (its issuer, client id and keys), naming up's sid: other has no such session.
      const res = await post(
        await sign(claims({ iss: 'https://other.example', aud: 'sundown-other' }), ks.keys.other, {
          alg: 'RS256',
          kid: 'other',
        }),
      );
      assert.equal(res.status, 200);
      assert.ok(await t.provider.ctx.sessions.findLive(realm, sessionId));
    });

    test('an upstream logout token is never sent back upstream', async () => {
      const before = ks.logoutCalls.length;
      assert.equal((await post(await sign(claims()))).status, 200);
      const alice = await t.provider.ctx.realms.userByUsername(realm.id, 'alice');
      const [logout] = await t.provider.ctx.logouts.ofUser(realm.id, alice!.id, 1);
      const rows = await t.provider.ctx.deliveryStore.ofLogout(logout!.id);
      assert.deepEqual(
        rows.filter((r) => r.kind === 'upstream_logout'),
        [],
      );
      assert.equal(ks.logoutCalls.length, before);
    });

    test('a logout without a browser tells a backchannelSupported upstream by a GET of its logout URL, recorded as a delivery', async () => {
      const before = ks.logoutCalls.length;
      const result = await t.provider.ctx.logout.endSessions(realm, [sessionId], 'admin_session', {
        startedBy: 'admin',
      });
      const rows = (await t.provider.ctx.deliveryStore.ofLogout(result.logoutId!)).filter(
        (r) => r.kind === 'upstream_logout',
      );
      assert.equal(rows.length, 1);
      for (let i = 0; i < 100 && ks.logoutCalls.length === before; i++) await new Promise((r) => setTimeout(r, 50));
      const call = ks.logoutCalls.at(-1)!;
      assert.equal(call.searchParams.get('id_token_hint'), 'x.y.z');
      assert.equal(call.searchParams.get('client_id'), 'sundown');
      assert.ok(call.searchParams.get('state'));
      for (let i = 0; i < 100; i++) {
        const [row] = (await t.provider.ctx.deliveryStore.ofLogout(result.logoutId!)).filter(
          (r) => r.kind === 'upstream_logout',
        );
        if (row?.status === 'delivered') {
          // The admin API's delivery list and counts show it, named by the provider's alias.
          const listed = await t.provider.ctx.admin.deliveries(realm.id, {
            status: null,
            clientId: 'up',
            session: null,
            first: 0,
            max: 10,
          });
          assert.deepEqual(
            listed.map((d) => [d.id, d.kind, d.client_client_id]),
            [[row.id, 'upstream_logout', 'up']],
          );
          const counts = await t.provider.ctx.admin.deliveryCounts(realm.id, 'up');
          assert.deepEqual(
            counts.map((c) => [c.status, Number(c.n)]),
            [['delivered', 1]],
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail('the upstream delivery was not recorded as delivered');
    });

    test("the sweeper deletes the broker's expired round-trip states", async () => {
      const now = Date.now();
      await t.provider.ctx.brokerStates.save('old-state', realm.id, 'up', 'logout', { continueTo: null }, 1000, now);
      await t.provider.sweeper.sweepOnce(now + 5000);
      // Read as of before its expiry: only a deleted row reads as nothing.
      assert.equal(await t.provider.ctx.brokerStates.take('old-state', realm.id, 'up', 'logout', now), undefined);
      await t.provider.ctx.brokerStates.save('new-state', realm.id, 'up', 'logout', { continueTo: 'x' }, 60_000, now);
      await t.provider.sweeper.sweepOnce(now + 5000);
      assert.deepEqual(await t.provider.ctx.brokerStates.take('new-state', realm.id, 'up', 'logout', now), {
        continueTo: 'x',
      });
    });

    const K_LOGOUT = `${ISSUER}/broker/up/endpoint/k_logout`;
    async function logoutAction(extra: Record<string, unknown> = {}, key = ks.keys.up!) {
      const action = {
        id: crypto.randomUUID(),
        expiration: Math.floor(Date.now() / 1000) + 30,
        resource: 'sundown',
        action: 'LOGOUT',
        notBefore: 0,
        keycloakSessionIds: [`up-sid-${sessionId}`],
        ...extra,
      };
      return new CompactSign(new TextEncoder().encode(JSON.stringify(action)))
        .setProtectedHeader({ alg: 'RS256', kid: 'up', typ: 'JWT' })
        .sign(key);
    }
    const kLogout = (body: string, url = K_LOGOUT) =>
      t.fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });

    test("keycloak-oidc: the upstream's k_logout LogoutAction ends the brokered session of its keycloakSessionIds", async () => {
      const res = await kLogout(await logoutAction());
      assert.equal(res.status, 200);
      assert.equal(await t.provider.ctx.sessions.findLive(realm, sessionId), undefined);
    });

    test('k_logout: another resource, an expired or replayed action, and a forged signature are refused', async () => {
      await assertRefused(await kLogout(await logoutAction({ resource: 'someone-else' })), /not for our client id/);
      await assertRefused(
        await kLogout(await logoutAction({ expiration: Math.floor(Date.now() / 1000) - 5 })),
        /expired/,
      );
      await assertRefused(await kLogout(await logoutAction({}, ks.keys.other)), /signature/);
      const once = await logoutAction({ keycloakSessionIds: ['nobody'] });
      assert.equal((await kLogout(once)).status, 200);
      await assertRefused(await kLogout(once), /already used/);
    });

    test('k_logout is served for keycloak-oidc providers only', async () => {
      const res = await kLogout(await logoutAction(), `${ISSUER}/broker/other/endpoint/k_logout`);
      assert.equal(res.status, 404);
    });
  });
}
