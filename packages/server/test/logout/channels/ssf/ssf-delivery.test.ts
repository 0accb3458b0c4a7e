// Shared Signals events from the outbox (issue 25): session-revoked SETs at every session end,
// pushed (RFC 8935) to loopback receivers and polled (RFC 8936), each verified with `jose` as a
// receiver written from RFC 8417 / SSF 1.0 §4.1 would; retries, RFC 8935 error answers as
// causes, paused streams that hold and deliver on resume, per-user and per-client subject rules,
// the RISC and CAEP account events of the admin API, and the deliveries in the admin API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../../../src/admin/bootstrap.ts';
import { Browser, parseLoginForm } from '../../../helpers/browser.ts';
import { TEST_DATABASES } from '../../../helpers/databases.ts';
import { logoutUrl } from '../../../helpers/logout-flow.ts';
import { authUrl, basic, decodeJwt, form } from '../../../helpers/oauth.ts';
import { ISSUER, ISSUER_BASE, OIDC, type TestProvider } from '../../../helpers/provider.ts';
import { SetPushReceiver } from '../../../helpers/set-push-receiver.ts';
import { receiverToken, startSsfProvider, verifySet } from '../../../helpers/ssf-realm.ts';
import { SsfTestClient } from '../../../helpers/ssf-test-client.ts';

const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';
const SESSION_REVOKED = `${CAEP}session-revoked`;
const ADMIN = `${ISSUER_BASE}/admin/realms`;
const MASTER_TOKEN = `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`;

const FAST = {
  retry: { baseDelayMs: 50, maxDelayMs: 300, maxAgeMs: 60_000 },
  http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000 },
  waitMs: 2000,
  ssfLongPollMs: 300,
};

const USERS = [
  { username: 'dave', email: 'dave@example.com', enabled: true, credentials: [{ type: 'password', value: 'dave-pw' }] },
  {
    username: 'erin',
    email: 'erin@example.com',
    enabled: true,
    credentials: [{ type: 'password', value: 'erin-pw' }],
    attributes: { 'ssf.notify.receiver-a': ['false'], 'ssf.notify.receiver-none': ['true'] },
  },
  {
    username: 'gina',
    email: 'gina@example.com',
    enabled: true,
    requiredActions: ['UPDATE_PASSWORD'],
    credentials: [{ type: 'password', value: 'gina-pw' }],
  },
];

type Row = {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  last_status: number | null;
  logout_id: string | null;
  kind: string;
};

async function until(cond: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const eventOf = (token: string) => Object.keys(decodeJwt(token).payload.events as object)[0]!;

for (const database of TEST_DATABASES) {
  describe(`SSF event delivery on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let ra: SetPushReceiver;
    let rb: SetPushReceiver;
    let rn: SetPushReceiver;
    let a: SsfTestClient;
    let poll: SsfTestClient;
    let streamA = '';
    let streamPoll = '';
    let pollUrl = '';
    let adminToken = '';
    const fetch = (input: string, init?: RequestInit) => t.fetch(input, init);

    const realmId = async () => (await t.provider.ctx.realms.realmByName('test'))!.id;
    const userId = async (username: string) =>
      (await t.provider.ctx.realms.userByUsername(await realmId(), username))!.id;
    const rows = async (clientId: string): Promise<Row[]> =>
      (await t.store.db
        .selectFrom('logout_delivery')
        .innerJoin('client', 'client.id', 'logout_delivery.client_id')
        .select([
          'logout_delivery.id',
          'logout_delivery.status',
          'logout_delivery.attempts',
          'logout_delivery.last_error',
          'logout_delivery.last_status',
          'logout_delivery.logout_id',
          'logout_delivery.kind',
        ])
        .where('client.client_id', '=', clientId)
        .orderBy('logout_delivery.created_at')
        .execute()) as Row[];
    const signIn = async (username: string) => {
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username, password: `${username}-pw`, scope: 'openid' },
          { authorization: basic('app', 'app-secret') },
        ),
      );
      assert.equal(res.status, 200);
      const idToken = ((await res.json()) as { id_token: string }).id_token;
      return { idToken, sid: decodeJwt(idToken).payload.sid as string };
    };
    const admin = (method: string, path: string, body?: unknown) =>
      t.fetch(`${ADMIN}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    /** Polls the poll stream until nothing is left, acknowledging everything; returns the SETs. */
    const drain = async (): Promise<string[]> => {
      const all: string[] = [];
      let ack: string[] = [];
      for (;;) {
        const res = await poll.poll(pollUrl, { ack, returnImmediately: true, maxEvents: 50 });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { sets: Record<string, string>; moreAvailable: boolean };
        ack = Object.keys(body.sets);
        all.push(...Object.values(body.sets));
        if (ack.length === 0) return all;
      }
    };

    before(async () => {
      [ra, rb, rn] = await Promise.all([SetPushReceiver.start(), SetPushReceiver.start(), SetPushReceiver.start()]);
      t = await startSsfProvider(database, { logout: FAST }, USERS);
      a = await SsfTestClient.discover(fetch, ISSUER, await receiverToken(t, 'receiver-a'));
      const created = await a.createStream({
        delivery: { method: PUSH, endpoint_url: ra.url, authorization_header: 'Bearer from-receiver-a' },
      });
      assert.equal(created.status, 201);
      streamA = ((await created.json()) as { stream_id: string }).stream_id;
      const b = await SsfTestClient.discover(fetch, ISSUER, await receiverToken(t, 'receiver-b'));
      assert.equal((await b.createStream({ delivery: { method: PUSH, endpoint_url: rb.url } })).status, 201);
      const n = await SsfTestClient.discover(fetch, ISSUER, await receiverToken(t, 'receiver-none'));
      assert.equal((await n.createStream({ delivery: { method: PUSH, endpoint_url: rn.url } })).status, 201);
      poll = await SsfTestClient.discover(fetch, ISSUER, await receiverToken(t, 'receiver-poll'));
      const p = (await (await poll.createStream({ delivery: { method: POLL } })).json()) as {
        stream_id: string;
        delivery: { endpoint_url: string };
      };
      streamPoll = p.stream_id;
      pollUrl = p.delivery.endpoint_url;
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await t.fetch(
        MASTER_TOKEN,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      adminToken = ((await res.json()) as { access_token: string }).access_token;
    });
    after(async () => {
      await t?.close();
      await Promise.all([ra?.close(), rb?.close(), rn?.close()]);
    });

    test("a user's logout pushes one session-revoked SET per stream: 202, verified by jose as a receiver would", async () => {
      const { idToken, sid } = await signIn('dave');
      const na = ra.received.length;
      const nb = rb.received.length;
      const res = await t.fetch(logoutUrl({ id_token_hint: idToken }));
      assert.ok(res.status < 400);
      await until(() => ra.received.length > na && rb.received.length > nb);
      const pushed = ra.received[na]!;
      assert.equal(pushed.contentType, 'application/secevent+jwt');
      assert.equal(pushed.authorization, 'Bearer from-receiver-a', "the receiver's authorization_header is replayed");
      const { header, payload } = await verifySet(t, pushed.token, 'receiver-a');
      assert.equal(header.typ, 'secevent+jwt');
      assert.equal(header.alg, 'RS256');
      const dave = await userId('dave');
      assert.deepEqual(payload.sub_id, {
        format: 'complex',
        user: { format: 'iss_sub', iss: ISSUER, sub: dave },
        session: { format: 'opaque', id: sid },
      });
      const event = (payload.events as Record<string, Record<string, unknown>>)[SESSION_REVOKED]!;
      assert.equal(event.initiating_entity, 'user');
      assert.equal(typeof event.event_timestamp, 'number');
      assert.equal(typeof (event.reason_admin as { en: string }).en, 'string');
      // ssf.userSubjectFormat: email
      const b = await verifySet(t, rb.received[nb]!.token, 'receiver-b');
      assert.deepEqual((b.payload.sub_id as { user: unknown }).user, { format: 'email', email: 'dave@example.com' });
      // txn: the logout id, the same on every stream.
      const rowA = (await rows('receiver-a')).find((r) => r.id === payload.jti)!;
      assert.ok(rowA.logout_id);
      assert.equal(payload.txn, rowA.logout_id);
      assert.equal(b.payload.txn, rowA.logout_id);
      await until(async () => (await rows('receiver-a')).find((r) => r.id === payload.jti)!.status === 'delivered');
      assert.equal((await rows('receiver-a')).find((r) => r.id === payload.jti)!.last_status, 202);
      // The poll stream holds its copy until polled, with the same txn.
      const polled = await drain();
      const mine = polled.filter((s) => decodeJwt(s).payload.txn === rowA.logout_id);
      assert.equal(mine.length, 1);
      await verifySet(t, mine[0]!, 'receiver-poll');
    });

    test('ssf.defaultSubjects NONE hears of no one, except users whose ssf.notify.<clientId> is "true"; "false" excludes', async () => {
      const nn = rn.received.length;
      const na = ra.received.length;
      const { idToken } = await signIn('dave');
      await t.fetch(logoutUrl({ id_token_hint: idToken }));
      const erin = await signIn('erin');
      await t.fetch(logoutUrl({ id_token_hint: erin.idToken }));
      await until(() => rn.received.length > nn);
      await new Promise((r) => setTimeout(r, 300));
      const toNone = rn.received.slice(nn).map((r) => decodeJwt(r.token).payload);
      assert.equal(toNone.length, 1);
      assert.equal((toNone[0]!.sub_id as { session: { id: string } }).session.id, erin.sid);
      const toA = ra.received.slice(na).map((r) => decodeJwt(r.token).payload);
      assert.ok(!toA.some((p) => (p.sub_id as { session?: { id: string } }).session?.id === erin.sid));
    });

    test('a subject added to a NONE stream is heard of (§8.1.3.1)', async () => {
      const n = await SsfTestClient.discover(fetch, ISSUER, await receiverToken(t, 'receiver-none'));
      const [s] = (await (await n.readStream()).json()) as Array<{ stream_id: string }>;
      assert.equal((await n.addSubject(s!.stream_id, { format: 'email', email: 'dave@example.com' })).status, 200);
      const nn = rn.received.length;
      const { idToken, sid } = await signIn('dave');
      await t.fetch(logoutUrl({ id_token_hint: idToken }));
      await until(() =>
        rn.received.some(
          (r, i) => i >= nn && (decodeJwt(r.token).payload.sub_id as { session: { id: string } }).session.id === sid,
        ),
      );
      assert.equal((await n.removeSubject(s!.stream_id, { format: 'email', email: 'dave@example.com' })).status, 204);
    });

    test('receiver outage: retried like a back-channel delivery, the same SET (same jti) each attempt', async () => {
      let calls = 0;
      ra.answer = () => (calls++ === 0 ? { status: 503 } : { status: 202 });
      const na = ra.received.length;
      const { sid } = await signIn('dave');
      await t.provider.ctx.logout.endSessions(
        (await t.provider.ctx.realms.realmByName('test'))!,
        [sid],
        'admin_session',
      );
      await ra.waitFor(na + 2);
      assert.equal(ra.received[na]!.token, ra.received[na + 1]!.token, 'a retried push is the same SET');
      const jti = decodeJwt(ra.received[na]!.token).payload.jti as string;
      await until(async () => (await rows('receiver-a')).find((r) => r.id === jti)?.status === 'delivered');
      assert.equal((await rows('receiver-a')).find((r) => r.id === jti)!.attempts, 2);
      // Down altogether, then back: delivered once it listens again.
      ra.answer = () => ({ status: 202 });
      await ra.stop();
      const down = await signIn('dave');
      await t.provider.ctx.logout.endSessions(
        (await t.provider.ctx.realms.realmByName('test'))!,
        [down.sid],
        'admin_session',
      );
      const pending = async () => (await rows('receiver-a')).filter((r) => r.kind === 'ssf_push').at(-1)!;
      await until(async () => (await pending()).attempts >= 2);
      assert.equal((await pending()).status, 'retrying');
      assert.match((await pending()).last_error ?? '', /connection_refused/);
      await ra.listen();
      await until(async () => (await pending()).status === 'delivered');
    });

    test('RFC 8935 §2.3: a 400 with the error JSON is recorded as rejected with its err as the cause, not retried', async () => {
      ra.answer = () => ({ status: 400, body: JSON.stringify({ err: 'invalid_audience', description: 'not for us' }) });
      try {
        const na = ra.received.length;
        const { sid } = await signIn('dave');
        await t.provider.ctx.logout.endSessions(
          (await t.provider.ctx.realms.realmByName('test'))!,
          [sid],
          'admin_session',
        );
        await ra.waitFor(na + 1);
        const jti = decodeJwt(ra.received[na]!.token).payload.jti as string;
        await until(async () => (await rows('receiver-a')).find((r) => r.id === jti)?.status === 'rejected');
        const row = (await rows('receiver-a')).find((r) => r.id === jti)!;
        assert.equal(row.attempts, 1);
        assert.equal(row.last_error, 'HTTP 400 invalid_audience: not for us');
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(ra.received.length, na + 1);
      } finally {
        ra.answer = () => ({ status: 202 });
      }
    });

    test('§8.1.2 paused: events are held, not dropped, and delivered on resume, each status change followed by stream-updated', async () => {
      assert.equal((await a.updateStatus(streamA, 'paused', 'maintenance')).status, 200);
      const na = ra.received.length;
      const { sid } = await signIn('dave');
      await t.provider.ctx.logout.endSessions(
        (await t.provider.ctx.realms.realmByName('test'))!,
        [sid],
        'admin_session',
      );
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(ra.received.length, na, 'nothing pushed while paused');
      assert.ok((await rows('receiver-a')).some((r) => r.status === 'held'));
      assert.equal((await a.updateStatus(streamA, 'enabled')).status, 200);
      // Push has no order (RFC 8935): the held SETs and the new stream-updated may arrive in any order.
      const sessionOf = (token: string) =>
        (decodeJwt(token).payload.sub_id as { session?: { id: string } }).session?.id;
      await until(
        () =>
          ra.received.slice(na).some((r) => sessionOf(r.token) === sid) &&
          ra.received.slice(na).filter((r) => eventOf(r.token) === `${SSF}stream-updated`).length === 2,
      );
      const got = ra.received.slice(na).map((r) => decodeJwt(r.token).payload);
      const revoked = got.find((p) => (p.sub_id as { session?: { id: string } }).session?.id === sid);
      assert.ok(revoked, 'the held session-revoked SET went out on resume');
      const updates = got
        .filter((p) => Object.keys(p.events as object)[0] === `${SSF}stream-updated`)
        .map((p) => (p.events as Record<string, { status: string; reason?: string }>)[`${SSF}stream-updated`]);
      assert.deepEqual(
        updates.sort((x, y) => x!.status.localeCompare(y!.status)),
        [{ status: 'enabled' }, { status: 'paused', reason: 'maintenance' }],
      );
      for (const p of got) assert.deepEqual(Object.keys(p).includes('sub'), false);
    });

    test('RFC 8936 poll: maxEvents, moreAvailable, ack, setErrs recorded as the cause; returnImmediately false waits', async () => {
      await drain();
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const s1 = await signIn('dave');
      const s2 = await signIn('dave');
      await t.provider.ctx.logout.logoutUser(realm, await userId('dave'));
      const first = (await (await poll.poll(pollUrl, { maxEvents: 1, returnImmediately: true })).json()) as {
        sets: Record<string, string>;
        moreAvailable: boolean;
      };
      assert.equal(Object.keys(first.sets).length, 1);
      assert.equal(first.moreAvailable, true);
      const [jti1] = Object.keys(first.sets);
      const second = (await (
        await poll.poll(pollUrl, { ack: [jti1], maxEvents: 10, returnImmediately: true })
      ).json()) as { sets: Record<string, string>; moreAvailable: boolean };
      assert.equal(Object.keys(second.sets).length, 1);
      assert.equal(second.moreAvailable, false);
      const [jti2] = Object.keys(second.sets);
      const sids = [first.sets[jti1!]!, second.sets[jti2!]!].map(
        (s) => (decodeJwt(s).payload.sub_id as { session: { id: string } }).session.id,
      );
      assert.deepEqual(sids.sort(), [s1.sid, s2.sid].sort());
      await poll.poll(pollUrl, {
        setErrs: { [jti2!]: { err: 'invalid_key', description: 'unknown kid' } },
        returnImmediately: true,
        maxEvents: 0,
      });
      const mine = await rows('receiver-poll');
      assert.equal(mine.find((r) => r.id === jti1)!.status, 'delivered');
      const rejected = mine.find((r) => r.id === jti2)!;
      assert.equal(rejected.status, 'rejected');
      assert.equal(rejected.last_error, 'invalid_key: unknown kid');
      const started = Date.now();
      const empty = (await (await poll.poll(pollUrl, {})).json()) as { sets: object; moreAvailable: boolean };
      assert.deepEqual(empty, { sets: {}, moreAvailable: false });
      assert.ok(Date.now() - started >= 250, 'waited for an event before answering empty');
    });

    test('a paused poll stream holds its events until enabled again', async () => {
      await drain();
      assert.equal((await poll.updateStatus(streamPoll, 'paused')).status, 200);
      const { sid } = await signIn('dave');
      await t.provider.ctx.logout.endSessions(
        (await t.provider.ctx.realms.realmByName('test'))!,
        [sid],
        'admin_session',
      );
      const whilePaused = (await (await poll.poll(pollUrl, { returnImmediately: true })).json()) as { sets: object };
      assert.deepEqual(whilePaused.sets, {});
      assert.equal((await poll.updateStatus(streamPoll, 'enabled')).status, 200);
      const after = await drain();
      assert.ok(after.some((s) => (decodeJwt(s).payload.sub_id as { session?: { id: string } }).session?.id === sid));
    });

    test('§8.1.2 disabled: nothing is held for the stream, and what waited is skipped', async () => {
      await drain();
      assert.equal((await poll.updateStatus(streamPoll, 'paused')).status, 200);
      const { sid } = await signIn('dave');
      await t.provider.ctx.logout.endSessions(
        (await t.provider.ctx.realms.realmByName('test'))!,
        [sid],
        'admin_session',
      );
      assert.equal((await poll.updateStatus(streamPoll, 'disabled')).status, 200);
      const { sid: later } = await signIn('dave');
      await t.provider.ctx.logout.endSessions(
        (await t.provider.ctx.realms.realmByName('test'))!,
        [later],
        'admin_session',
      );
      assert.equal((await poll.updateStatus(streamPoll, 'enabled')).status, 200);
      const got = (await drain()).map((s) => (decodeJwt(s).payload.sub_id as { session?: { id: string } }).session?.id);
      assert.ok(!got.includes(sid) && !got.includes(later), 'neither the held nor the later event is sent');
      const skipped = (await rows('receiver-poll')).filter((r) => r.status === 'skipped');
      assert.ok(skipped.some((r) => r.last_error === 'the receiver disabled its stream'));
    });

    test("a user's own password change (UPDATE_PASSWORD) sends credential-change with initiating_entity user", async () => {
      const na = ra.received.length;
      const browser = new Browser((input, init) => t.fetch(input, init));
      const open = await browser.get(authUrl({ client_id: 'app', redirect_uri: 'https://app.example/cb' }));
      const login = parseLoginForm(await open.text(), OIDC);
      const page = await browser.post(login.action, {
        auth_request: login.authRequest,
        username: 'gina',
        password: 'gina-pw',
      });
      const step = parseLoginForm(await page.text(), OIDC);
      const done = await browser.post(step.action, {
        auth_request: step.authRequest,
        'password-new': 'n3w-Passw0rd-gina',
        'password-confirm': 'n3w-Passw0rd-gina',
      });
      assert.ok(done.status < 400);
      await until(() => ra.received.slice(na).some((r) => eventOf(r.token) === `${CAEP}credential-change`));
      const set = ra.received.slice(na).find((r) => eventOf(r.token) === `${CAEP}credential-change`)!;
      const { payload } = await verifySet(t, set.token, 'receiver-a');
      assert.deepEqual(payload.sub_id, { format: 'iss_sub', iss: ISSUER, sub: await userId('gina') });
      assert.deepEqual((payload.events as Record<string, Record<string, unknown>>)[`${CAEP}credential-change`], {
        credential_type: 'password',
        change_type: 'update',
        event_timestamp: (payload.events as Record<string, { event_timestamp: number }>)[`${CAEP}credential-change`]!
          .event_timestamp,
        initiating_entity: 'user',
      });
    });

    test('admin API: account-disabled, account-enabled, credential-change and account-purged SETs; deliveries listed with their kind', async () => {
      const created = await admin('POST', '/test/users', {
        username: 'frank',
        email: 'frank@example.com',
        enabled: true,
        credentials: [{ type: 'password', value: 'frank-pw' }],
      });
      assert.equal(created.status, 201);
      const frank = await userId('frank');
      const { sid } = await signIn('frank');
      const na = ra.received.length;
      const user = (await (await admin('GET', `/test/users/${frank}`)).json()) as Record<string, unknown>;
      assert.equal((await admin('PUT', `/test/users/${frank}`, { ...user, enabled: false })).status, 204);
      assert.equal((await admin('PUT', `/test/users/${frank}`, { ...user, enabled: true })).status, 204);
      assert.equal(
        (
          await admin('PUT', `/test/users/${frank}/reset-password`, {
            type: 'password',
            value: 'new-pw',
            temporary: false,
          })
        ).status,
        204,
      );
      assert.equal((await admin('DELETE', `/test/users/${frank}`)).status, 204);
      const franks = () =>
        ra.received.slice(na).filter((r) => JSON.stringify(decodeJwt(r.token).payload.sub_id).includes(frank));
      await until(() => franks().length >= 5);
      const got = await Promise.all(franks().map(async (r) => (await verifySet(t, r.token, 'receiver-a')).payload));
      // Push has no order (RFC 8935): one SET of each, in whatever order they arrived.
      const byType = new Map(got.map((p) => [Object.keys(p.events as object)[0]!, p]));
      assert.deepEqual(
        [...byType.keys()].sort(),
        [
          SESSION_REVOKED,
          `${RISC}account-disabled`,
          `${RISC}account-enabled`,
          `${CAEP}credential-change`,
          `${RISC}account-purged`,
        ].sort(),
      );
      assert.equal(got.length, 5);
      const revokedSet = byType.get(SESSION_REVOKED)!;
      assert.equal((revokedSet.sub_id as { session: { id: string } }).session.id, sid);
      assert.equal(
        (revokedSet.events as Record<string, { initiating_entity: string }>)[SESSION_REVOKED]!.initiating_entity,
        'admin',
      );
      for (const p of got.filter((x) => x !== revokedSet))
        assert.deepEqual(p.sub_id, { format: 'iss_sub', iss: ISSUER, sub: frank });
      const change = (byType.get(`${CAEP}credential-change`)!.events as Record<string, Record<string, unknown>>)[
        `${CAEP}credential-change`
      ]!;
      assert.equal(change.credential_type, 'password');
      assert.equal(change.change_type, 'update');
      assert.equal(change.initiating_entity, 'admin');
      const list = (await (await admin('GET', '/test/sundown/deliveries?clientId=receiver-a')).json()) as Array<{
        kind: string;
        logoutId: string | null;
        sessionId: string | null;
        status: string;
      }>;
      const revoked = list.find((d) => d.sessionId === sid)!;
      assert.equal(revoked.kind, 'ssf_push');
      assert.ok(revoked.logoutId);
      const trace = (await (await admin('GET', `/test/sundown/logouts/${revoked.logoutId}`)).json()) as {
        timeline: Array<{ channel: string | null }>;
      };
      assert.ok(trace.timeline.some((s) => s.channel === 'Shared Signals push'));
    });
  });
}
