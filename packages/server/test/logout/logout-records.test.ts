// One logout, one id (issue 24): every way a session ends — RP- and SP-initiated logout, a user
// switch, the session cap, expiry (idle and max), an administrator (user, session, logout-all),
// a disabled, deleted or re-passworded user, `sundown logout` — is one `logout` row with its
// trigger and who started it, listing the sessions it ended, and every delivery of every channel
// names it. On every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { runLogoutCommand } from '../../src/commands/logout-command.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { buildLogoutRequest } from '../../src/saml/build-logout.ts';
import type { RealmSigningKey } from '../../src/saml/sign-enveloped.ts';
import type { LogoutDeliveryTable, LogoutTable } from '../../src/store/schema.ts';
import { Browser, signIn } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { logoutRealmJson, startLogoutProvider } from '../helpers/logout-realm.ts';
import { logoutUrl, signInTo } from '../helpers/logout-flow.ts';
import { authUrl, basic, decodeJwt, form } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, type TestProvider } from '../helpers/provider.ts';
import { Receiver } from '../helpers/receiver.ts';
import { sp } from '../helpers/saml-fixtures.ts';
import { joinSession, SAML_ENDPOINT, samlClient, UNSPECIFIED } from '../helpers/saml-logout-realm.ts';

const ADMIN = `${ISSUER_BASE}/admin/realms`;
const MASTER_TOKEN = `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`;
const SOAP_SP = 'urn:test:records-soap-sp';
const LIMIT = 'sundown.sessions.max.per.user';
const FAST = {
  retry: { baseDelayMs: 50, maxDelayMs: 300, maxAgeMs: 60_000 },
  http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000 },
  waitMs: 2000,
};
const spKey: RealmSigningKey = { kid: 'sp', privateKey: sp.privateKey, certificate: sp.certificate };

for (const database of TEST_DATABASES) {
  describe(`logout records on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r: Receiver;
    let adminToken: string;
    let users = 0;
    const extraClients = [
      samlClient(SOAP_SP, { frontchannel: false, soap: 'http://127.0.0.1:9/unused-soap', certificate: sp }),
    ];
    before(async () => {
      r = await Receiver.start();
      t = await startLogoutProvider(
        database,
        { rp1: r.url, rp2: r.url, extraClients, realmAttributes: { [LIMIT]: '2' } },
        { logout: FAST },
      );
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await t.fetch(
        MASTER_TOKEN,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      adminToken = ((await res.json()) as { access_token: string }).access_token;
    });
    after(async () => {
      await t?.close();
      await r?.close();
    });

    const realmOf = async () => (await t.provider.ctx.realms.realmByName('test'))!;
    const admin = (method: string, path: string, body?: unknown) =>
      t.fetch(`${ADMIN}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    /** A fresh user per test, so the session cap and other tests' sessions stay out of the way. */
    async function newUser(): Promise<{ id: string; username: string; password: string }> {
      const username = `rec-${++users}`;
      const password = `${username}-pw`;
      const res = await admin('POST', '/test/users', {
        username,
        enabled: true,
        credentials: [{ type: 'password', value: password }],
      });
      assert.equal(res.status, 201, await res.clone().text());
      return { id: res.headers.get('location')!.split('/').at(-1)!, username, password };
    }
    async function login(
      user: { username: string; password: string },
      client: 'rp1' | 'rp2' = 'rp1',
    ): Promise<{ sid: string; idToken: string }> {
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username: user.username, password: user.password, scope: 'openid' },
          { authorization: basic(client, `${client}-secret`) },
        ),
      );
      assert.equal(res.status, 200, await res.clone().text());
      const idToken = ((await res.json()) as Record<string, string>).id_token!;
      return { sid: decodeJwt(idToken).payload.sid as string, idToken };
    }

    /** The logout that ended session `sid`, its deliveries, and every delivery of that session. */
    async function logoutOf(sid: string): Promise<{
      logout: LogoutTable;
      deliveries: Array<LogoutDeliveryTable & { client: string }>;
      ofSession: LogoutDeliveryTable[];
    }> {
      const link = await t.store.db
        .selectFrom('logout_session')
        .selectAll()
        .where('sso_session_id', '=', sid)
        .executeTakeFirst();
      assert.ok(link, `no logout ended session ${sid}`);
      const logout = await t.store.db
        .selectFrom('logout')
        .selectAll()
        .where('id', '=', link.logout_id)
        .executeTakeFirstOrThrow();
      const deliveries = await t.store.db
        .selectFrom('logout_delivery')
        .innerJoin('client', 'client.id', 'logout_delivery.client_id')
        .selectAll('logout_delivery')
        .select('client.client_id as client')
        .where('logout_id', '=', logout.id)
        .execute();
      const ofSession = await t.store.db
        .selectFrom('logout_delivery')
        .selectAll()
        .where('sso_session_id', '=', sid)
        .execute();
      return { logout, deliveries, ofSession };
    }

    /** The checks every trigger shares: its trigger and starter, the session, a logout token naming the logout. */
    async function assertLogout(
      sid: string,
      expect: { trigger: string; startedBy: string; actor?: string | null; clients?: string[] },
    ): Promise<LogoutTable> {
      const { logout, deliveries, ofSession } = await logoutOf(sid);
      assert.equal(logout.trigger, expect.trigger);
      assert.equal(logout.started_by, expect.startedBy);
      if (expect.actor !== undefined) assert.equal(logout.actor, expect.actor);
      assert.ok(logout.session_count >= 1);
      const session = await t.store.db
        .selectFrom('sso_session')
        .select(['end_reason', 'ended_at'])
        .where('id', '=', sid)
        .executeTakeFirstOrThrow();
      assert.equal(session.end_reason, expect.trigger);
      assert.notEqual(session.ended_at, null);
      // Every delivery of the ended session carries the logout's id, whatever its channel.
      assert.ok(ofSession.length >= 1, 'the session has deliveries');
      for (const d of ofSession) assert.equal(d.logout_id, logout.id, `${d.kind} delivery names the logout`);
      const clients = new Set(deliveries.filter((d) => d.sso_session_id === sid).map((d) => d.client));
      for (const c of expect.clients ?? ['rp1']) assert.ok(clients.has(c), `a delivery to ${c}`);
      return logout;
    }

    test('RP-initiated logout: trigger rp_initiated, started by the user through the client; back- and front-channel deliveries name it', async () => {
      const user = await newUser();
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1', user.username, user.password);
      await signInTo(t, browser, 'rp3', user.username, user.password);
      const sid = decodeJwt(tokens.id_token!).payload.sid as string;
      const res = await browser.get(logoutUrl({ id_token_hint: tokens.id_token! }));
      assert.equal(res.status, 200);
      const logout = await assertLogout(sid, {
        trigger: 'rp_initiated',
        startedBy: 'user',
        actor: 'rp1',
        clients: ['rp1', 'rp3'],
      });
      assert.equal(logout.user_id, user.id);
      assert.equal(logout.session_count, 1);
      const { deliveries } = await logoutOf(sid);
      // The front-channel iframe is recorded, answered by no one (FCL §3).
      const fc = deliveries.find((d) => d.client === 'rp3')!;
      assert.equal(fc.kind, 'frontchannel');
      assert.equal(fc.status, 'unconfirmed');
      const event = (await t.provider.ctx.events.list((await realmOf()).id, { type: 'LOGOUT' })).find(
        (e) => e.session_id === sid,
      )!;
      assert.equal((JSON.parse(event.details!) as { logoutId: string }).logoutId, logout.id);
    });

    test('SAML SP-initiated logout: trigger saml_sp_initiated, started by the user through the SP', async () => {
      const user = await newUser();
      const s = await login(user);
      const mine = await joinSession(t, s.sid, SOAP_SP, user.username);
      const req = buildLogoutRequest({
        issuer: SOAP_SP,
        destination: SAML_ENDPOINT,
        nameId: { value: mine.nameId, format: UNSPECIFIED },
        sessionIndexes: [mine.sessionIndex],
        now: Date.now(),
        lifetime: 60,
        signWith: { key: spKey, algorithm: 'RSA_SHA256' },
      });
      const res = await t.fetch(SAML_ENDPOINT, {
        method: 'POST',
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: '"http://www.oasis-open.org/committees/security"',
        },
        body: `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${req.xml.replace(/^<\?xml[^>]*\?>/, '')}</s:Body></s:Envelope>`,
      });
      assert.equal(res.status, 200);
      await assertLogout(s.sid, { trigger: 'saml_sp_initiated', startedBy: 'user', actor: SOAP_SP });
    });

    test('a user switch in the browser: trigger user_switch for the previous session', async () => {
      const [a, b] = [await newUser(), await newUser()];
      const browser = new Browser(t.fetch);
      const first = await signInTo(t, browser, 'rp1', a.username, a.password);
      const sid = decodeJwt(first.id_token!).payload.sid as string;
      await signIn(
        browser,
        authUrl({ client_id: 'rp1', redirect_uri: 'https://rp1.example/cb', prompt: 'login' }),
        b.username,
        b.password,
      );
      await assertLogout(sid, { trigger: 'user_switch', startedBy: 'user', actor: 'rp1' });
    });

    test('the session cap: trigger session_limit, started by the system', async () => {
      const user = await newUser();
      const oldest = await login(user);
      await login(user);
      await login(user);
      await assertLogout(oldest.sid, { trigger: 'session_limit', startedBy: 'system', actor: null });
    });

    test('expiry: trigger expired_idle and expired_max, one logout each per sweep', async () => {
      const [idle, old] = [await newUser(), await newUser()];
      const a = await login(idle);
      const b = await login(old);
      const realm = await realmOf();
      const now = Date.now();
      // Test-only edits of the clock's view: one session idle too long, one past its max lifespan.
      await t.store.db
        .updateTable('sso_session')
        .set({ last_seen_at: now - realm.ssoSessionIdleTimeout * 1000 - 1000 })
        .where('id', '=', a.sid)
        .execute();
      await t.store.db
        .updateTable('sso_session')
        .set({ started_at: now - realm.ssoSessionMaxLifespan * 1000 - 1000 })
        .where('id', '=', b.sid)
        .execute();
      await t.provider.sweeper.sweepOnce(now);
      const idleLogout = await assertLogout(a.sid, { trigger: 'expired_idle', startedBy: 'system' });
      const maxLogout = await assertLogout(b.sid, { trigger: 'expired_max', startedBy: 'system' });
      assert.notEqual(idleLogout.id, maxLogout.id);
    });

    test('admin: log out a user (admin_user), one session (admin_session), all (admin_all), each started by the named administrator', async () => {
      const user = await newUser();
      const [s1, s2] = [await login(user), await login(user, 'rp2')];
      assert.equal((await admin('POST', `/test/users/${user.id}/logout`)).status, 204);
      const both = await assertLogout(s1.sid, { trigger: 'admin_user', startedBy: 'admin', actor: 'admin' });
      assert.equal((await logoutOf(s2.sid)).logout.id, both.id, 'one logout for both sessions');
      assert.equal(both.session_count, 2);
      assert.equal(both.user_id, user.id);

      const s3 = await login(user);
      assert.equal((await admin('DELETE', `/test/sessions/${s3.sid}`)).status, 204);
      await assertLogout(s3.sid, { trigger: 'admin_session', startedBy: 'admin', actor: 'admin' });

      const other = await newUser();
      const [s4, s5] = [await login(user), await login(other)];
      const res = await admin('POST', '/test/logout-all');
      assert.equal(res.status, 200);
      const body = (await res.json()) as { sundown: { logoutId: string } };
      const all = await assertLogout(s4.sid, { trigger: 'admin_all', startedBy: 'admin', actor: 'admin' });
      assert.equal(body.sundown.logoutId, all.id);
      assert.equal((await logoutOf(s5.sid)).logout.id, all.id);
      assert.equal(all.user_id, null, 'several users: no one user');
    });

    test('a disabled user (user_disabled) and a password reset (password_reset)', async () => {
      const a = await newUser();
      const s1 = await login(a);
      assert.equal((await admin('PUT', `/test/users/${a.id}`, { enabled: false })).status, 204);
      await assertLogout(s1.sid, { trigger: 'user_disabled', startedBy: 'admin', actor: 'admin' });

      const b = await newUser();
      const s2 = await login(b);
      const reset = await admin('PUT', `/test/users/${b.id}/reset-password`, { type: 'password', value: 'new-pw' });
      assert.equal(reset.status, 204);
      await assertLogout(s2.sid, { trigger: 'password_reset', startedBy: 'admin', actor: 'admin' });
    });

    test('a deleted user (user_deleted): their sessions end first and every client gets its logout token after the user is gone', async () => {
      const user = await newUser();
      const s = await login(user);
      const before = r.received.length;
      assert.equal((await admin('DELETE', `/test/users/${user.id}`)).status, 204);
      assert.equal(await t.provider.ctx.realms.userById(user.id), undefined);
      await assertLogout(s.sid, { trigger: 'user_deleted', startedBy: 'admin', actor: 'admin' });
      await r.waitFor(before + 1);
      const token = r.received
        .slice(before)
        .map((x) => decodeJwt(x.token).payload)
        .find((p) => p.sid === s.sid);
      assert.ok(token, 'the logout token of the deleted user went out');
      assert.equal(token.sub, user.id);
      const { ofSession } = await logoutOf(s.sid);
      await waitForStatus(ofSession[0]!.id, 'delivered');
    });

    test('a realm import that changes a password (password_change), started by the import', async () => {
      const s = await login({ username: 'bob', password: 'bob-pw' });
      const json = logoutRealmJson({ rp1: r.url, rp2: r.url, extraClients, realmAttributes: { [LIMIT]: '2' } }) as {
        users: Array<{ username: string; credentials?: unknown }>;
      };
      const bob = json.users.find((u) => u.username === 'bob')!;
      bob.credentials = [{ type: 'password', value: 'bob-new-pw' }];
      await importRealm(t.store.db, parseRealmJson(json), { logout: t.provider.ctx.logout });
      await assertLogout(s.sid, { trigger: 'password_change', startedBy: 'import' });
    });

    test('`sundown logout --user`: started by the CLI, and it prints the logout id', async () => {
      const user = await newUser();
      const s = await login(user);
      let out = '';
      const code = await runLogoutCommand(
        {
          store: t.storeConfig!,
          publicUrl: ISSUER_BASE,
          httpRelativePath: '',
          logLevel: 'silent',
          realm: 'test',
          target: { user: user.username },
          backchannel: { denyCidrs: [], caDir: null },
          waitMs: 2000,
        },
        ISSUER_BASE,
        pino({ level: 'silent' }),
        (line) => (out += line),
      );
      assert.equal(code, 0, out);
      const logout = await assertLogout(s.sid, { trigger: 'admin_user', startedBy: 'cli', actor: 'sundown logout' });
      assert.match(out, new RegExp(`Logout ${logout.id}`));
    });

    async function waitForStatus(id: string, status: string): Promise<void> {
      const until = Date.now() + 10_000;
      for (;;) {
        const row = await t.store.db
          .selectFrom('logout_delivery')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        if (row.status === status) return;
        if (Date.now() > until) assert.fail(`delivery ${id} is ${row.status}, not ${status}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  });
}
