// Keycloak's identity-provider admin endpoints for brokered OpenID providers, and users'
// federated identities: the secret masked on read and kept when written back masked, the
// validateSignature "false" refusal, and link/unlink — on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { form } from '../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../helpers/provider.ts';

const CORP = {
  alias: 'corp',
  providerId: 'oidc',
  displayName: 'Corp',
  config: {
    issuer: 'https://corp.example',
    authorizationUrl: 'https://corp.example/auth',
    tokenUrl: 'https://corp.example/token',
    jwksUrl: 'https://corp.example/jwks',
    clientId: 'sundown',
    clientSecret: 'corp-secret',
  },
};

for (const database of TEST_DATABASES) {
  describe(`identity provider admin API (${database.name})`, { skip: database.skip }, () => {
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
    after(async () => t?.close());
    const call = (method: string, path: string, body?: unknown) =>
      t.fetch(`${ISSUER_BASE}/admin/realms/test${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    test('create, read with the secret masked, update with the mask keeping the secret, delete', async () => {
      const created = await call('POST', '/identity-provider/instances', CORP);
      assert.equal(created.status, 201);
      assert.match(created.headers.get('location')!, /\/identity-provider\/instances\/corp$/);
      assert.equal((await call('POST', '/identity-provider/instances', CORP)).status, 409);
      const read = (await (await call('GET', '/identity-provider/instances/corp')).json()) as typeof CORP;
      assert.equal(read.config.clientSecret, '**********');
      assert.equal(read.displayName, 'Corp');
      const put = await call('PUT', '/identity-provider/instances/corp', { ...read, displayName: 'Corporate' });
      assert.equal(put.status, 204);
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const stored = await t.provider.ctx.identityProviders.byAlias(realm.id, 'corp');
      assert.equal(stored?.config.clientSecret, 'corp-secret');
      assert.equal(stored?.displayName, 'Corporate');
      const list = (await (await call('GET', '/identity-provider/instances')).json()) as Array<{ alias: string }>;
      assert.deepEqual(
        list.map((p) => p.alias),
        ['corp'],
      );
      assert.equal((await call('DELETE', '/identity-provider/instances/corp')).status, 204);
      assert.equal((await call('GET', '/identity-provider/instances/corp')).status, 404);
    });

    test('validateSignature "false" and unsupported types are refused with 400', async () => {
      const off = await call('POST', '/identity-provider/instances', {
        ...CORP,
        alias: 'off',
        config: { ...CORP.config, validateSignature: 'false' },
      });
      assert.equal(off.status, 400);
      assert.match(
        ((await off.json()) as { errorMessage?: string; error_description?: string }).errorMessage ?? '',
        /validateSignature/,
      );
      const saml = await call('POST', '/identity-provider/instances', { alias: 's', providerId: 'saml', config: {} });
      assert.equal(saml.status, 400);
    });

    test("a user's federated identities: link, list, refuse a second link, unlink", async () => {
      assert.equal((await call('POST', '/identity-provider/instances', { ...CORP, alias: 'corp2' })).status, 201);
      const users = (await (await call('GET', '/users?username=alice&exact=true')).json()) as Array<{ id: string }>;
      const id = users[0]!.id;
      assert.equal(
        (await call('POST', `/users/${id}/federated-identity/corp2`, { userId: 'up-1', userName: 'a' })).status,
        204,
      );
      assert.deepEqual(await (await call('GET', `/users/${id}/federated-identity`)).json(), [
        { identityProvider: 'corp2', userId: 'up-1', userName: 'a' },
      ]);
      assert.equal((await call('POST', `/users/${id}/federated-identity/corp2`, { userId: 'up-2' })).status, 409);
      assert.equal((await call('DELETE', `/users/${id}/federated-identity/corp2`)).status, 204);
      assert.deepEqual(await (await call('GET', `/users/${id}/federated-identity`)).json(), []);
    });
  });
}
