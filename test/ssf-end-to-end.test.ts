// Issue 25's "Done means", end to end on loopback: a real Sundown server transmitting Shared
// Signals, an app whose stream @sundown/rp registered (SSF 1.0 §7, §8.1.1), and an API run as two
// instances (Express, Fastify) with @sundown/rp's bearer guard over one Redis logout store. A
// user's logout at Sundown makes both instances refuse the user's access token (RFC 6750 §3:
// 401, `WWW-Authenticate: Bearer error="invalid_token"`) long before its `exp`: through a CAEP
// session-revoked SET pushed (RFC 8935) or polled (RFC 8936), or a back-channel logout token.
// A paused stream holds the event and delivers it on resume (SSF §8.1.2); a receiver that is
// down gets it on a retry, as a back-channel delivery would.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createSetPoller,
  registerStream,
  SESSION_REVOKED,
  SSF_STREAM_UPDATED,
  type SecurityEvent,
  type SessionRevokedEvent,
} from '../packages/rp/src/index.ts';
import {
  type ApiInstance,
  claimsOf,
  expressApi,
  fastifyApi,
  ReceiverApp,
  REDIS_URL,
  redisStore,
  registerPushStream,
  rpInitiatedLogout,
  signInAtWeb,
  ssfRealm,
  startSundown,
  type Sundown,
  until,
} from './helpers/ssf-stack.ts';

const SECRET = 'Bearer push-secret-of-the-stream';
const INVALID_TOKEN = /^Bearer (realm="[^"]*", )?error="invalid_token"/;

describe(
  'a logout at Sundown ends the access token at every API instance (Redis)',
  { skip: REDIS_URL ? undefined : 'SKIPPED: no Redis (SUNDOWN_TEST_REDIS_URL)' },
  () => {
    let sundown: Sundown;
    const closers: Array<() => Promise<void>> = [];
    const ns = `e2e${process.pid}${Math.random().toString(36).slice(2, 8)}`;
    before(async () => {
      sundown = await startSundown();
    });
    after(async () => {
      for (const close of closers.reverse()) await close();
      await sundown?.close();
    });

    /** A realm, its receiver app, and the two API instances, all over one Redis prefix. */
    async function stack(realm: string, o: { backchannel?: boolean; noReceiver?: boolean } = {}) {
      const prefix = `${ns}:${realm}:`;
      const [a, b, r] = [await redisStore(prefix), await redisStore(prefix), await redisStore(prefix)];
      closers.push(a.close, b.close, r.close);
      const revoked: SessionRevokedEvent[] = [];
      const updates: SecurityEvent[] = [];
      const issuer = `${sundown.base}/realms/${realm}`;
      const receiver = new ReceiverApp(
        {
          issuer,
          audience: 'orders-signals',
          keys: new URL(`${issuer}/protocol/openid-connect/certs`),
          store: r.store,
          authorizationHeader: SECRET,
          onSessionRevoked: (e) => void revoked.push(e),
          onStreamUpdated: (e) => void updates.push(e),
        },
        { issuer, clientId: 'web' },
      );
      await receiver.listen();
      closers.push(() => receiver.stop());
      await sundown.addRealm(
        ssfRealm(
          realm,
          o.noReceiver ? [] : ['orders-signals', 'orders-poller'],
          o.backchannel ? { backchannelLogoutUrl: `${receiver.base}/backchannel-logout` } : {},
        ),
      );
      const apis: ApiInstance[] = [await expressApi(issuer, a.store), await fastifyApi(issuer, b.store)];
      for (const api of apis) closers.push(() => api.close());
      return { issuer, receiver, apis, revoked, updates, receiverStore: r.store };
    }

    /** The realm's deliveries of one kind that a logout caused (not stream-updated or verification). */
    async function deliveries(realm: string, kind: 'ssf_push' | 'ssf_poll') {
      const db = sundown.server.store.db;
      const { id } = await db.selectFrom('realm').select('id').where('name', '=', realm).executeTakeFirstOrThrow();
      return db
        .selectFrom('logout_delivery')
        .select(['status', 'attempts', 'last_error'])
        .where('realm_id', '=', id)
        .where('kind', '=', kind)
        .where('logout_id', 'is not', null)
        .execute();
    }

    async function bothAccept(apis: ApiInstance[], token: string): Promise<void> {
      for (const api of apis) assert.equal((await api.call(token)).status, 200);
    }

    async function bothRefuse(apis: ApiInstance[], token: string): Promise<boolean> {
      for (const api of apis) if ((await api.call(token)).status !== 401) return false;
      return true;
    }

    async function assertRefusedBeforeExp(apis: ApiInstance[], token: string): Promise<void> {
      const { exp } = claimsOf(token);
      for (const api of apis) {
        const res = await api.call(token);
        assert.equal(res.status, 401);
        assert.match(res.challenge ?? '', INVALID_TOKEN);
      }
      // Refused now, not at exp: the token itself is still unexpired.
      assert.ok(Date.now() / 1000 < exp - 60, `refused ${exp - Date.now() / 1000} s before exp`);
    }

    test('session-revoked pushed to the stream registerStream made: both instances refuse the token, well before exp', async () => {
      const s = await stack('pushed');
      const reg = await registerPushStream(s.issuer, 'orders-signals', `${s.receiver.base}/ssf/events`, SECRET, [
        SESSION_REVOKED,
      ]);
      assert.equal(reg.created, true);
      assert.equal(reg.stream.delivery.method, 'urn:ietf:rfc:8935');
      assert.equal(reg.stream.aud, 'orders-signals');
      // One stream per client (Keycloak 26.7): registering again reads the stream that exists (409).
      const again = await registerPushStream(s.issuer, 'orders-signals', `${s.receiver.base}/ssf/events`, SECRET);
      assert.equal(again.created, false);
      assert.equal(again.stream.stream_id, reg.stream.stream_id);

      const { access_token, id_token, browser } = await signInAtWeb(s.issuer);
      await bothAccept(s.apis, access_token);
      const logout = await rpInitiatedLogout(s.issuer, browser, id_token);
      assert.equal(logout.status, 302, 'the post-logout redirect');
      await until(() => bothRefuse(s.apis, access_token));
      await assertRefusedBeforeExp(s.apis, access_token);

      assert.equal(s.revoked.length, 1);
      const [event] = s.revoked;
      assert.equal(event!.target.sid, claimsOf(access_token).sid, "the SET names the token's session");
      assert.equal(event!.event.payload.initiating_entity, 'user', "a user's own logout (CAEP 1.0 §3.1)");
      assert.ok(event!.event.txn, 'txn: the logout id');
    });

    test('a back-channel logout token alone (no stream) also ends the token on both instances', async () => {
      const s = await stack('backchannel', { backchannel: true, noReceiver: true });
      const { access_token, id_token, browser } = await signInAtWeb(s.issuer);
      await bothAccept(s.apis, access_token);
      await rpInitiatedLogout(s.issuer, browser, id_token);
      await until(() => bothRefuse(s.apis, access_token));
      await assertRefusedBeforeExp(s.apis, access_token);
      assert.equal(s.revoked.length, 0, 'no stream, no SET');
    });

    test('a paused stream holds the session-revoked SET and delivers it on resume (SSF §8.1.2)', async () => {
      const s = await stack('paused');
      const reg = await registerPushStream(s.issuer, 'orders-signals', `${s.receiver.base}/ssf/events`, SECRET, [
        SESSION_REVOKED,
      ]);
      const status = async (value: string) => {
        const res = await fetch(reg.transmitter.status_endpoint!, {
          method: 'POST',
          headers: { authorization: `Bearer ${reg.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ stream_id: reg.stream.stream_id, status: value }),
        });
        assert.equal(res.status, 200, await res.text());
      };
      await status('paused');
      const { access_token, id_token, browser } = await signInAtWeb(s.issuer);
      await bothAccept(s.apis, access_token);
      await rpInitiatedLogout(s.issuer, browser, id_token);
      // Held, not sent: a second later the API still takes the token, and nothing was pushed.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(s.revoked.length, 0, 'nothing pushed while paused');
      await bothAccept(s.apis, access_token);

      await status('enabled');
      await until(() => bothRefuse(s.apis, access_token));
      await assertRefusedBeforeExp(s.apis, access_token);
      assert.equal(s.revoked.length, 1, 'the held event, once');
      // Each status change is followed by a stream-updated SET (SSF §8.1.5): paused (held too) and
      // enabled, in either order (pushes go out in parallel; a SET's iat orders them).
      await until(async () => s.updates.length >= 2);
      assert.deepEqual(s.updates.map((u) => u.payload.status).sort(), ['enabled', 'paused']);
      assert.ok(s.updates.every((u) => u.type === SSF_STREAM_UPDATED));
    });

    test('a receiver outage: the push fails, is retried, and arrives once the receiver is back', async () => {
      const s = await stack('outage');
      await registerPushStream(s.issuer, 'orders-signals', `${s.receiver.base}/ssf/events`, SECRET, [SESSION_REVOKED]);
      const { access_token, id_token, browser } = await signInAtWeb(s.issuer);
      await bothAccept(s.apis, access_token);
      await s.receiver.stop();
      await rpInitiatedLogout(s.issuer, browser, id_token);
      // The first attempt meets a closed port (connection refused): recorded and rescheduled.
      const row = async () => (await deliveries('outage', 'ssf_push'))[0];
      await until(async () => ((await row())?.attempts ?? 0) >= 1, 10_000, 50);
      assert.notEqual((await row())?.status, 'delivered');
      await bothAccept(s.apis, access_token);

      await s.receiver.listen();
      await until(() => bothRefuse(s.apis, access_token), 30_000, 50);
      await assertRefusedBeforeExp(s.apis, access_token);
      const done = (await row())!;
      assert.equal(done.status, 'delivered');
      assert.ok(done.attempts >= 2, `delivered on attempt ${done.attempts}`);
      assert.equal(s.revoked.length, 1);
    });

    test('poll delivery (RFC 8936): the SDK poller applies the session-revoked SET and acknowledges it', async () => {
      const s = await stack('polled');
      const reg = await registerStream({
        issuer: s.issuer,
        clientId: 'orders-poller',
        clientSecret: 'orders-poller-secret',
        delivery: { method: 'poll' },
        eventsRequested: [SESSION_REVOKED],
      });
      assert.equal(reg.stream.delivery.method, 'urn:ietf:rfc:8936');
      const polled: SessionRevokedEvent[] = [];
      const poller = createSetPoller({
        endpoint: reg.stream.delivery.endpoint_url!,
        accessToken: reg.accessToken,
        receiver: {
          issuer: s.issuer,
          audience: 'orders-poller',
          keys: new URL(`${s.issuer}/protocol/openid-connect/certs`),
          store: s.receiverStore,
          onSessionRevoked: (e) => void polled.push(e),
        },
        requestTimeoutMs: 20_000,
      });
      poller.start();
      closers.push(() => poller.stop());
      const { access_token, id_token, browser } = await signInAtWeb(s.issuer);
      await bothAccept(s.apis, access_token);
      await rpInitiatedLogout(s.issuer, browser, id_token);
      await until(() => bothRefuse(s.apis, access_token));
      await assertRefusedBeforeExp(s.apis, access_token);
      assert.equal(polled.length, 1);
      await poller.stop();
      // The acknowledgement rode on the next poll (RFC 8936 §2.4): the row is delivered.
      const rows = await deliveries('polled', 'ssf_poll');
      assert.deepEqual(
        rows.map((r) => r.status),
        ['delivered'],
      );
    });
  },
);
