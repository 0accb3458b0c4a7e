// The admin REST API's session and logout endpoints (Keycloak paths) and Sundown's delivery
// view: admin authentication, negative cases, and every logout path sending tokens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { hashPassword } from '../../src/crypto/password.ts';
import { newId } from '../../src/crypto/random.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { startLogoutProvider } from '../helpers/logout-realm.ts';
import { Browser } from '../helpers/browser.ts';
import { signInTo } from '../helpers/logout-flow.ts';
import { basic, decodeJwt, form } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, type TestProvider } from '../helpers/provider.ts';
import { Receiver } from '../helpers/receiver.ts';

const ADMIN = `${ISSUER_BASE}/admin/realms`;
const MASTER_TOKEN = `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`;

describe('admin API: sessions, logout, deliveries', () => {
  let t: TestProvider;
  let r1: Receiver;
  let adminToken: string;
  before(async () => {
    r1 = await Receiver.start();
    t = await startLogoutProvider(
      TEST_DATABASES[0]!,
      { rp1: r1.url, rp2: r1.url },
      { logout: { waitMs: 0, retry: { baseDelayMs: 50, maxDelayMs: 100, maxAgeMs: 60_000 } } },
    );
    assert.equal(await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' }), true);
    assert.equal(
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'changed' }),
      false,
      'a later start never resets the admin',
    );
    const master = await t.store.db
      .selectFrom('realm')
      .select('id')
      .where('name', '=', 'master')
      .executeTakeFirstOrThrow();
    await t.store.db
      .insertInto('app_user')
      .values({
        id: newId(),
        realm_id: master.id,
        username: 'viewer',
        email: null,
        email_verified: 0,
        first_name: null,
        last_name: null,
        enabled: 1,
        password_hash: await hashPassword('viewer-pw'),
        created_at: Date.now(),
        attributes: '{}',
      })
      .execute();
    adminToken = await masterToken('admin', 'admin-pw');
  });
  after(async () => {
    await t?.close();
    await r1?.close();
  });

  async function masterToken(username: string, password: string): Promise<string> {
    const res = await t.fetch(
      MASTER_TOKEN,
      form({ grant_type: 'password', client_id: 'admin-cli', username, password }),
    );
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { access_token: string }).access_token;
  }
  const call = (path: string, init: RequestInit = {}, token = adminToken) =>
    t.fetch(`${ADMIN}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
  async function login(client = 'rp1', user = 'alice', password = 'alice-pw') {
    const res = await t.fetch(
      `${OIDC}/token`,
      form(
        { grant_type: 'password', username: user, password, scope: 'openid' },
        { authorization: basic(client, `${client}-secret`) },
      ),
    );
    const payload = decodeJwt(((await res.json()) as Record<string, string>).id_token!).payload;
    return { sid: payload.sid as string, sub: payload.sub as string };
  }

  test("no token → 401; another realm's token → 401; a master user without the admin role → 403", async () => {
    const none = await t.fetch(ADMIN);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: string }).error, 'invalid_token');
    const otherRealm = await t.fetch(
      `${OIDC}/token`,
      form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: 'alice-pw' }),
    );
    assert.equal(
      (await call('', {}, ((await otherRealm.json()) as { access_token: string }).access_token)).status,
      401,
    );
    const viewer = await masterToken('viewer', 'viewer-pw');
    const forbidden = await call('', {}, viewer);
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as { error: string }).error, 'forbidden');
  });

  test("errors carry Keycloak's errorMessage beside error and error_description (401, 403, 404, 400, unknown path)", async () => {
    const viewer = await masterToken('viewer', 'viewer-pw');
    const cases: Array<[Promise<Response>, number]> = [
      [t.fetch(ADMIN), 401],
      [call('', {}, viewer), 403],
      [call('/test/users/nope/sessions'), 404],
      [call('/test/no-such-collection'), 404],
      [
        call('/test/clients', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clientId: 'bad', redirectUris: ['https://a.example/#x'] }),
        }),
        400,
      ],
    ];
    for (const [pending, status] of cases) {
      const res = await pending;
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(typeof body.error, 'string');
      assert.equal(typeof body.error_description, 'string');
      assert.equal(body.errorMessage, body.error_description, `${status}: ${JSON.stringify(body)}`);
    }
  });

  test('realms are listed; unknown realm, user and session → 404', async () => {
    const realms = (await (await call('')).json()) as Array<{ realm: string }>;
    assert.deepEqual(realms.map((r) => r.realm).sort(), ['master', 'test']);
    assert.equal((await call('/nope/logout-all', { method: 'POST' })).status, 404);
    assert.equal((await call('/test/users/nope/sessions')).status, 404);
    assert.equal((await call('/test/sessions/nope', { method: 'DELETE' })).status, 404);
  });

  test("a user's sessions list each live session with the clients in it", async () => {
    const a = await login('rp1');
    const sessions = (await (await call(`/test/users/${a.sub}/sessions`)).json()) as Array<{
      id: string;
      clients: Record<string, string>;
    }>;
    const mine = sessions.find((s) => s.id === a.sid)!;
    assert.deepEqual(Object.values(mine.clients), ['rp1']);
  });

  test("the realm's live sessions: each with its user and RPs, filtered by user; ended sessions drop out", async () => {
    const a = await login('rp1');
    await login('rp2', 'alice', 'alice-pw');
    const b = await login('rp2', 'bob', 'bob-pw');
    const all = (await (await call('/test/sundown/sessions')).json()) as Array<{
      id: string;
      username: string;
      clients: Record<string, string>;
    }>;
    assert.deepEqual(Object.values(all.find((s) => s.id === a.sid)!.clients), ['rp1']);
    assert.equal(all.find((s) => s.id === b.sid)!.username, 'bob');
    const bobs = (await (await call(`/test/sundown/sessions?user=${b.sub}`)).json()) as Array<{
      id: string;
      username: string;
    }>;
    assert.ok(bobs.length >= 1 && bobs.every((s) => s.username === 'bob'));
    assert.equal(((await (await call('/test/sundown/sessions?max=1')).json()) as unknown[]).length, 1);
    await call(`/test/sessions/${a.sid}`, { method: 'DELETE' });
    const after = (await (await call('/test/sundown/sessions')).json()) as Array<{ id: string }>;
    assert.ok(!after.some((s) => s.id === a.sid));
  });

  test("a client's user sessions list every client in each session, as Keycloak does", async () => {
    const browser = new Browser(t.fetch);
    await signInTo(t, browser, 'rp1');
    const sid = decodeJwt((await signInTo(t, browser, 'rp2')).id_token!).payload.sid as string;
    const [rp1] = (await (await call('/test/clients?clientId=rp1')).json()) as Array<{ id: string }>;
    const sessions = (await (await call(`/test/clients/${rp1!.id}/user-sessions`)).json()) as Array<{
      id: string;
      clients: Record<string, string>;
    }>;
    assert.deepEqual(Object.values(sessions.find((s) => s.id === sid)!.clients), ['rp1', 'rp2']);
    const [rp3] = (await (await call('/test/clients?clientId=rp3')).json()) as Array<{ id: string }>;
    assert.ok(
      !((await (await call(`/test/clients/${rp3!.id}/user-sessions`)).json()) as Array<{ id: string }>).some(
        (s) => s.id === sid,
      ),
    );
    await call(`/test/sessions/${sid}`, { method: 'DELETE' });
  });

  test('logout a user, delete one session, log out all: each sends logout tokens', async () => {
    const a = await login('rp1');
    let n = r1.received.length;
    assert.equal((await call(`/test/users/${a.sub}/logout`, { method: 'POST' })).status, 204);
    await r1.waitFor(n + 1);
    const b = await login('rp1');
    n = r1.received.length;
    assert.equal((await call(`/test/sessions/${b.sid}`, { method: 'DELETE' })).status, 204);
    await r1.waitFor(n + 1);
    assert.equal(decodeJwt(r1.received.at(-1)!.token).payload.sid, b.sid);
    await login('rp1');
    n = r1.received.length;
    const all = await call('/test/logout-all', { method: 'POST' });
    assert.equal(all.status, 200);
    assert.ok(((await all.json()) as { sundown: { endedSessions: number } }).sundown.endedSessions >= 1);
    await r1.waitFor(n + 1);
  });

  test('deliveries: filtered list, retry of a rejected one, 409 for a delivered one, 400 for a bad filter', async () => {
    r1.answer = () => ({ status: 400, body: '{"error":"invalid_request"}' });
    const a = await login('rp1');
    await call(`/test/sessions/${a.sid}`, { method: 'DELETE' });
    let rejected: Array<{ id: string; status: string; sessionId: string; lastError: string }> = [];
    for (let i = 0; i < 50 && rejected.length === 0; i++) {
      rejected = (
        (await (await call('/test/sundown/deliveries?status=rejected&clientId=rp1')).json()) as typeof rejected
      ).filter((d) => d.sessionId === a.sid);
      if (rejected.length === 0) await new Promise((x) => setTimeout(x, 50));
    }
    assert.equal(rejected.length, 1);
    assert.match(rejected[0]!.lastError, /HTTP 400/);
    r1.answer = () => ({ status: 200 });
    assert.equal((await call(`/test/sundown/deliveries/${rejected[0]!.id}/retry`, { method: 'POST' })).status, 204);
    let status = '';
    for (let i = 0; i < 50 && status !== 'delivered'; i++) {
      status = (
        (await (await call('/test/sundown/deliveries?clientId=rp1')).json()) as Array<{ id: string; status: string }>
      ).find((d) => d.id === rejected[0]!.id)!.status;
      if (status !== 'delivered') await new Promise((x) => setTimeout(x, 50));
    }
    assert.equal(status, 'delivered');
    assert.equal((await call(`/test/sundown/deliveries/${rejected[0]!.id}/retry`, { method: 'POST' })).status, 409);
    assert.equal((await call('/test/sundown/deliveries/nope/retry', { method: 'POST' })).status, 404);
    assert.equal((await call('/test/sundown/deliveries?status=bogus')).status, 400);
    const stats = (await (await call('/test/sundown/delivery-stats?clientId=rp1')).json()) as Record<string, number>;
    assert.deepEqual(Object.keys(stats), [
      'pending',
      'retrying',
      'delivered',
      'rejected',
      'failed',
      'skipped',
      'unconfirmed',
      'held',
    ]);
    const listed = (await (await call('/test/sundown/deliveries?clientId=rp1&max=1000')).json()) as Array<{
      status: string;
    }>;
    assert.equal(stats.delivered, listed.filter((d) => d.status === 'delivered').length);
  });

  test('client secret: read, regenerate (the old one stops working), 400 for a public client', async () => {
    const [rp1] = (await (await call('/test/clients?clientId=rp1')).json()) as Array<{ id: string }>;
    const secret = (await (await call(`/test/clients/${rp1!.id}/client-secret`)).json()) as {
      type: string;
      value: string;
    };
    assert.deepEqual(secret, { type: 'secret', value: 'rp1-secret' });
    const fresh = (await (await call(`/test/clients/${rp1!.id}/client-secret`, { method: 'POST' })).json()) as {
      value: string;
    };
    assert.notEqual(fresh.value, 'rp1-secret');
    const old = await t.fetch(
      `${OIDC}/token`,
      form(
        { grant_type: 'password', username: 'alice', password: 'alice-pw' },
        { authorization: basic('rp1', 'rp1-secret') },
      ),
    );
    assert.equal(old.status, 401);
    const now = await t.fetch(
      `${OIDC}/token`,
      form(
        { grant_type: 'password', username: 'alice', password: 'alice-pw' },
        { authorization: basic('rp1', fresh.value) },
      ),
    );
    assert.equal(now.status, 200);
    await t.store.db.updateTable('client').set({ secret: 'rp1-secret' }).where('id', '=', rp1!.id).execute();
    const [spa] = (await (await call('/test/clients?clientId=spa')).json()) as Array<{ id: string }>;
    assert.equal((await call(`/test/clients/${spa!.id}/client-secret`)).status, 400);
  });

  test("session counts per client and a client's user sessions", async () => {
    const a = await login('rp2');
    const [rp2] = (await (await call('/test/clients?clientId=rp2')).json()) as Array<{ id: string }>;
    const stats = (await (await call('/test/client-session-stats')).json()) as Array<{
      clientId: string;
      active: string;
    }>;
    assert.ok(Number(stats.find((s) => s.clientId === 'rp2')!.active) >= 1);
    const sessions = (await (await call(`/test/clients/${rp2!.id}/user-sessions`)).json()) as Array<{
      id: string;
      username: string;
    }>;
    assert.ok(sessions.some((s) => s.id === a.sid && s.username === 'alice'));
  });

  test('doctor: a working back-channel URL passes; a client without one is 404', async () => {
    const [rp1] = (await (await call('/test/clients?clientId=rp1')).json()) as Array<{ id: string }>;
    const result = (await (await call(`/test/sundown/clients/${rp1!.id}/doctor`)).json()) as {
      ok: boolean;
      logoutToken: { detail: string };
    };
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.logoutToken.detail, 'HTTP 200');
    const [rp3] = (await (await call('/test/clients?clientId=rp3')).json()) as Array<{ id: string }>;
    assert.equal((await call(`/test/sundown/clients/${rp3!.id}/doctor`)).status, 404);
  });

  test("the admin token carries Keycloak's realm_access.roles", () => {
    assert.deepEqual(decodeJwt(adminToken).payload.realm_access, { roles: ['admin'] });
  });
});
