// The admin API's read endpoints (Keycloak paths and shapes), on every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { form } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, startTestProvider, type TestProvider } from '../helpers/provider.ts';

type Json = Record<string, unknown>;

for (const database of TEST_DATABASES) {
  describe(`admin read endpoints on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let token: string;
    before(async () => {
      t = await startTestProvider(database);
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await t.fetch(
        `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      token = ((await res.json()) as { access_token: string }).access_token;
    });
    after(() => t?.close());
    const get = async (path: string) => {
      const res = await t.fetch(`${ISSUER_BASE}/admin/realms${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: res.status, body: (await res.json()) as Json & Json[] };
    };

    test("realm, clients (filter by clientId, no secrets), one client, 404 for another realm's id", async () => {
      const realm = await get('/test');
      assert.equal(realm.body.realm, 'test');
      assert.equal(realm.body.ssoSessionIdleTimeout, 1800);
      const clients = await get('/test/clients');
      assert.ok(clients.body.length >= 5);
      assert.ok(
        clients.body.every((c) => !('secret' in c)),
        'secrets are never listed',
      );
      const web = await get('/test/clients?clientId=web');
      assert.equal(web.body.length, 1);
      assert.deepEqual((await get(`/test/clients/${web.body[0]!.id as string}`)).body.redirectUris, [
        'https://web.example/callback',
        'https://web.example/cb?tenant=1',
      ]);
      const masterClient = (await get('/master/clients?clientId=admin-cli')).body[0]!;
      assert.equal((await get(`/test/clients/${masterClient.id as string}`)).status, 404);
    });

    test('users: search by part of username or email (case-insensitive, % and _ literal), exact username, paging', async () => {
      assert.deepEqual(
        (await get('/test/users?search=ALI')).body.map((u) => u.username),
        ['alice'],
      );
      assert.deepEqual(
        (await get('/test/users?search=example.com')).body.map((u) => u.username),
        ['alice', 'bob'],
      );
      assert.equal((await get('/test/users?search=%25')).body.length, 0, '% is literal');
      assert.equal((await get('/test/users?search=_')).body.length, 0, '_ is literal');
      assert.deepEqual(
        (await get('/test/users?username=bob')).body.map((u) => u.username),
        ['bob'],
      );
      assert.equal((await get('/test/users?first=1&max=1')).body.length, 1);
      const alice = (await get('/test/users?username=alice')).body[0]!;
      assert.equal((await get(`/test/users/${alice.id as string}`)).body.email, 'alice@example.com');
      assert.ok(!('passwordHash' in alice) && !('password_hash' in alice));
    });

    test("events with Keycloak's filters: type (repeatable), client, user, dateFrom/dateTo, paging; bad date → 400", async () => {
      await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: 'alice-pw' }),
      );
      await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: 'wrong' }),
      );
      const today = new Date().toISOString().slice(0, 10);
      const both = await get(`/test/events?type=LOGIN&type=LOGIN_ERROR&client=cli&dateFrom=${today}&dateTo=${today}`);
      assert.deepEqual(both.body.map((e) => e.type).sort(), ['LOGIN', 'LOGIN_ERROR']);
      assert.equal((await get('/test/events?type=LOGIN_ERROR')).body[0]!.error, 'invalid_user_credentials');
      assert.equal((await get('/test/events?dateTo=2000-01-01')).body.length, 0);
      assert.equal((await get('/test/events?max=1')).body.length, 1);
      assert.equal((await get('/test/events?dateFrom=yesterday')).status, 400);
    });
  });
}
