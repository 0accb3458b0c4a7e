// Realm and client rows and not-before times are cached per process (realm/repository.ts,
// tokens/not-before.ts). A stale cache after an admin change is a security bug, so each test
// warms the cache with a grant, changes the configuration one way a deployment can, and shows
// the very next grant sees the change: through the admin API, by hand-run SQL (another tool),
// and through a second provider on the same store (another process of a PostgreSQL deployment;
// SQLite: a CLI process on the same file).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { createProvider, type Provider } from '../../src/provider.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { basic, form } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, TEST_REALM_JSON } from '../helpers/provider.ts';

const MASTER_TOKEN = `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`;

for (const database of TEST_DATABASES) {
  describe(`realm and client cache on ${database.name}`, { skip: database.skip }, () => {
    let drop: () => Promise<void>;
    let storeA: Store;
    let storeB: Store;
    let a: Provider;
    let b: Provider;
    let adminToken: string;
    const fetchA = (url: string, init?: RequestInit) => Promise.resolve(a.fetch(new Request(url, init)));
    const fetchB = (url: string, init?: RequestInit) => Promise.resolve(b.fetch(new Request(url, init)));
    const grant = (f: typeof fetchA, secret = 'service-secret') =>
      f(`${OIDC}/token`, form({ grant_type: 'client_credentials' }, { authorization: basic('service', secret) }));
    const admin = (method: string, path: string, body?: unknown) =>
      fetchA(`${ISSUER_BASE}/admin/realms/test${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const serviceId = async () =>
      (await storeA.db.selectFrom('client').select('id').where('client_id', '=', 'service').executeTakeFirstOrThrow())
        .id;

    before(async () => {
      const created = await database.create();
      drop = created.drop;
      storeA = await openStore(created.config);
      await importRealm(storeA.db, parseRealmJson(TEST_REALM_JSON));
      await ensureBootstrapAdmin(storeA.db, { username: 'admin', password: 'admin-pw' });
      a = await createProvider(storeA, { publicUrl: ISSUER_BASE });
      storeB = await openStore(created.config);
      b = await createProvider(storeB, { publicUrl: ISSUER_BASE, background: false });
      const res = await fetchA(
        MASTER_TOKEN,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      adminToken = ((await res.json()) as { access_token: string }).access_token;
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await storeA?.close();
      await storeB?.close();
      await drop?.();
    });

    test('a client disabled through the admin API gets no token at the next grant, and again once enabled', async () => {
      assert.equal((await grant(fetchA)).status, 200);
      assert.equal((await grant(fetchA)).status, 200, 'served from the cache');
      assert.equal((await admin('PUT', `/clients/${await serviceId()}`, { enabled: false })).status, 204);
      const refused = await grant(fetchA);
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { error: string }).error, 'invalid_client');
      assert.equal((await admin('PUT', `/clients/${await serviceId()}`, { enabled: true })).status, 204);
      assert.equal((await grant(fetchA)).status, 200);
    });

    test('a secret regenerated through the admin API: the old one is refused at once, the new one works', async () => {
      assert.equal((await grant(fetchA)).status, 200);
      const res = await admin('POST', `/clients/${await serviceId()}/client-secret`);
      const secret = ((await res.json()) as { value: string }).value;
      assert.equal((await grant(fetchA)).status, 401);
      assert.equal((await grant(fetchA, secret)).status, 200);
      await storeA.db
        .updateTable('client')
        .set({ secret: 'service-secret' })
        .where('client_id', '=', 'service')
        .execute();
      assert.equal((await grant(fetchA)).status, 200);
    });

    test('a change made by hand-run SQL, outside Sundown, is seen by the next grant', async () => {
      assert.equal((await grant(fetchA)).status, 200);
      await storeA.db.updateTable('client').set({ enabled: 0 }).where('client_id', '=', 'service').execute();
      assert.equal((await grant(fetchA)).status, 401);
      await storeA.db.updateTable('client').set({ enabled: 1 }).where('client_id', '=', 'service').execute();
      assert.equal((await grant(fetchA)).status, 200);
    });

    test('another process on the same store: a client disabled there is refused here at the next grant', async () => {
      assert.equal((await grant(fetchA)).status, 200);
      assert.equal((await grant(fetchB)).status, 200);
      // Process B's own cache is warm; the change goes through process A's admin API.
      assert.equal((await admin('PUT', `/clients/${await serviceId()}`, { enabled: false })).status, 204);
      assert.equal((await grant(fetchB)).status, 401);
      assert.equal((await admin('PUT', `/clients/${await serviceId()}`, { enabled: true })).status, 204);
      assert.equal((await grant(fetchB)).status, 200);
    });

    test('a not-before time set in one process refuses older refresh tokens in the other at once', async () => {
      const refresh = (f: typeof fetchA, token: string) =>
        f(`${OIDC}/token`, form({ grant_type: 'refresh_token', client_id: 'cli', refresh_token: token }));
      const login = await fetchB(
        `${OIDC}/token`,
        form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: 'alice-pw', scope: 'openid' }),
      );
      assert.equal(login.status, 200);
      const first = (await login.json()) as { refresh_token: string };
      const rotated = await refresh(fetchB, first.refresh_token);
      assert.equal(rotated.status, 200, 'the not-before times are cached in process B now');
      const { refresh_token } = (await rotated.json()) as { refresh_token: string };
      // Keycloak's "push" of a realm not-before time: every token issued before it is stale.
      assert.equal((await admin('PUT', '', { notBefore: Math.floor(Date.now() / 1000) + 5 })).status, 204);
      const refused = await refresh(fetchB, refresh_token);
      assert.equal(refused.status, 400);
      assert.equal(((await refused.json()) as { error: string }).error, 'invalid_grant');
      assert.equal((await admin('PUT', '', { notBefore: 0 })).status, 204);
    });

    test('a realm disabled or deleted is refused at the next request', async () => {
      assert.equal((await grant(fetchB)).status, 200);
      await storeA.db.updateTable('realm').set({ enabled: 0 }).where('name', '=', 'test').execute();
      assert.notEqual((await grant(fetchB)).status, 200);
      await storeA.db.updateTable('realm').set({ enabled: 1 }).where('name', '=', 'test').execute();
      assert.equal((await grant(fetchB)).status, 200);
      assert.equal(
        (
          await fetchA(`${ISSUER_BASE}/admin/realms/test`, {
            method: 'DELETE',
            headers: { authorization: `Bearer ${adminToken}` },
          })
        ).status,
        204,
      );
      assert.equal((await grant(fetchB)).status, 404);
      assert.equal((await grant(fetchA)).status, 404);
    });

    test('cached rows are frozen: no request can change one for the others', async () => {
      const realm = await a.ctx.realms.realmByName('master');
      assert.ok(realm);
      assert.throws(() => {
        (realm.attributes as Record<string, string>).x = 'y';
      }, TypeError);
    });
  });
}
