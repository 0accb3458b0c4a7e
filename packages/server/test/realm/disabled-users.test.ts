// Regression tests: a disabled user keeps no access. Disabling a user or resetting a password
// ends their sessions with logout tokens to every client, and every bearer check (userinfo,
// admin API, introspection, refresh grant) refuses a disabled user — on every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { logoutRealmJson, startLogoutProvider } from '../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, type TestProvider } from '../helpers/provider.ts';
import { Receiver } from '../helpers/receiver.ts';

const ADMIN = `${ISSUER_BASE}/admin/realms`;
const MASTER_TOKEN = `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`;
type Json = Record<string, unknown>;

for (const database of TEST_DATABASES) {
  describe(`disabled users on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r: Receiver;
    let adminToken: string;
    before(async () => {
      r = await Receiver.start();
      t = await startLogoutProvider(database, { rp1: r.url, rp2: r.url }, { logout: { waitMs: 0 } });
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      adminToken = await masterToken('admin', 'admin-pw');
    });
    after(async () => {
      await t?.close();
      await r?.close();
    });

    async function masterToken(username: string, password: string): Promise<string> {
      const res = await t.fetch(
        MASTER_TOKEN,
        form({ grant_type: 'password', client_id: 'admin-cli', username, password }),
      );
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { access_token: string }).access_token;
    }
    const admin = (method: string, path: string, body?: unknown, token = adminToken) =>
      t.fetch(`${ADMIN}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    async function createUser(realm: string, username: string, extra: Json = {}): Promise<string> {
      const res = await admin('POST', `/${realm}/users`, {
        username,
        enabled: true,
        credentials: [{ type: 'password', value: `${username}-pw` }],
        ...extra,
      });
      assert.equal(res.status, 201, await res.clone().text());
      return res.headers.get('location')!.split('/').at(-1)!;
    }
    async function login(
      client: 'rp1' | 'rp2',
      username: string,
      password = `${username}-pw`,
    ): Promise<Record<string, string>> {
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username, password, scope: 'openid' },
          { authorization: basic(client, `${client}-secret`) },
        ),
      );
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Record<string, string>;
    }
    const introspect = async (token: string) =>
      (await (
        await t.fetch(`${OIDC}/token/introspect`, form({ token }, { authorization: basic('rp1', 'rp1-secret') }))
      ).json()) as Json;
    const userinfo = (token: string) => t.fetch(`${OIDC}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    /** Logout tokens the receiver got for one user, as [client, sid] pairs. */
    const logoutTokensFor = (userId: string) =>
      r
        .tokens()
        .map((tok) => decodeJwt(tok).payload)
        .filter((p) => p.sub === userId)
        .map((p) => [p.aud, p.sid]);

    async function waitForLogoutTokens(userId: string, n: number): Promise<void> {
      const until = Date.now() + 10_000;
      while (logoutTokensFor(userId).length < n && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
    }

    test("a disabled user's tokens are refused at userinfo, introspection and the refresh grant", async () => {
      const id = await createUser('test', 'dis-tokens');
      const tokens = await login('rp1', 'dis-tokens');
      assert.equal((await userinfo(tokens.access_token!)).status, 200);
      assert.equal((await introspect(tokens.refresh_token!)).active, true);
      // The user row alone is changed (as a direct database edit or a racing import would):
      // the bearer checks must read `enabled` themselves, not rely on the sessions being gone.
      await t.store.db.updateTable('app_user').set({ enabled: 0 }).where('id', '=', id).execute();
      const ui = await userinfo(tokens.access_token!);
      assert.equal(ui.status, 401);
      assert.equal(((await ui.json()) as Json).error, 'invalid_token');
      assert.deepEqual(await introspect(tokens.access_token!), { active: false });
      assert.deepEqual(await introspect(tokens.refresh_token!), { active: false });
      const refreshed = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
          { authorization: basic('rp1', 'rp1-secret') },
        ),
      );
      assert.equal(refreshed.status, 400);
      assert.equal(((await refreshed.json()) as Json).error, 'invalid_grant');
    });

    test('disabling a user through the admin API ends their sessions and sends logout tokens to every client', async () => {
      const id = await createUser('test', 'dis-admin');
      const one = await login('rp1', 'dis-admin');
      const two = await login('rp2', 'dis-admin');
      const sids = [one, two].map((x) => decodeJwt(x.id_token!).payload.sid);
      assert.equal((await admin('PUT', `/test/users/${id}`, { enabled: false })).status, 204);
      await waitForLogoutTokens(id, 2);
      assert.deepEqual(
        logoutTokensFor(id).sort(),
        [
          ['rp1', sids[0]],
          ['rp2', sids[1]],
        ].sort(),
      );
      const live = await t.store.db
        .selectFrom('sso_session')
        .select(['id', 'end_reason'])
        .where('user_id', '=', id)
        .execute();
      assert.deepEqual(
        live.map((s) => s.end_reason),
        ['user_disabled', 'user_disabled'],
      );
      assert.equal((await userinfo(one.access_token!)).status, 401);
    });

    test("resetting a user's password ends their sessions and sends logout tokens", async () => {
      const id = await createUser('test', 'reset-pw');
      const tokens = await login('rp1', 'reset-pw');
      const sid = decodeJwt(tokens.id_token!).payload.sid;
      assert.equal(
        (
          await admin('PUT', `/test/users/${id}/reset-password`, {
            type: 'password',
            value: 'brand-new',
            temporary: false,
          })
        ).status,
        204,
      );
      await waitForLogoutTokens(id, 1);
      assert.deepEqual(logoutTokensFor(id), [['rp1', sid]]);
      assert.equal((await userinfo(tokens.access_token!)).status, 401);
      assert.equal((await introspect(tokens.refresh_token!)).active, false);
      await login('rp1', 'reset-pw', 'brand-new');
    });

    test('a disabled admin cannot use the admin API or re-enable itself', async () => {
      const id = await createUser('master', 'boss', { realmRoles: ['admin'] });
      const boss = await masterToken('boss', 'boss-pw');
      assert.equal((await admin('GET', '', undefined, boss)).status, 200);
      assert.equal((await admin('PUT', `/master/users/${id}`, { enabled: false }, boss)).status, 204);
      const after = await admin('GET', '', undefined, boss);
      assert.equal(after.status, 401);
      assert.equal((await admin('PUT', `/master/users/${id}`, { enabled: true }, boss)).status, 401);
      const rep = (await (await admin('GET', `/master/users/${id}`)).json()) as { enabled: boolean };
      assert.equal(rep.enabled, false, 'the disabled admin stayed disabled');
      const again = await t.fetch(
        MASTER_TOKEN,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'boss', password: 'boss-pw' }),
      );
      assert.equal(again.status, 400);
    });

    test('a realm re-import that disables a user ends their sessions with logout tokens', async () => {
      const tokens = await login('rp1', 'bob', 'bob-pw');
      const sid = decodeJwt(tokens.id_token!).payload.sid;
      const bobId = decodeJwt(tokens.id_token!).payload.sub as string;
      const json = logoutRealmJson({ rp1: r.url, rp2: r.url }) as { users: Array<Json> };
      for (const u of json.users) if (u.username === 'bob') u.enabled = false;
      const result = await importRealm(t.store.db, parseRealmJson(json), { logout: t.provider.ctx.logout });
      assert.deepEqual(result.loggedOut, [bobId]);
      await waitForLogoutTokens(bobId, 1);
      assert.deepEqual(logoutTokensFor(bobId), [['rp1', sid]]);
      assert.equal((await userinfo(tokens.access_token!)).status, 401);
    });
  });
}
