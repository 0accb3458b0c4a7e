// Regression tests (issue 21, finding 1): a disabled or deleted client's access tokens stop
// working. Every access-token check — userinfo, introspection, the admin API's bearer check —
// refuses a token whose `azp` client is missing, disabled or not an OpenID Connect client, as
// Keycloak does (UserInfoEndpoint: 401 invalid_token "Client disabled"; introspection
// {"active": false}); re-enabling the client makes its unexpired tokens valid again, as in
// Keycloak — on every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { basic, form } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, startTestProvider, TEST_REALM_JSON, type TestProvider } from '../helpers/provider.ts';

const ADMIN = `${ISSUER_BASE}/admin/realms`;
const MASTER_TOKEN = `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`;
type Json = Record<string, unknown>;

/** The test realm plus a password-grant app, a service account and a resource server that may introspect both. */
function realmJson(): unknown {
  const json = structuredClone(TEST_REALM_JSON) as { clients: Json[] };
  json.clients.push({
    clientId: 'pw-app',
    secret: 'pw-app-secret',
    standardFlowEnabled: false,
    directAccessGrantsEnabled: true,
  });
  json.clients.push({
    clientId: 'proto-app',
    secret: 'proto-app-secret',
    standardFlowEnabled: false,
    directAccessGrantsEnabled: true,
  });
  json.clients.push({
    clientId: 'svc',
    secret: 'svc-secret',
    standardFlowEnabled: false,
    serviceAccountsEnabled: true,
  });
  json.clients.push({
    clientId: 'api',
    secret: 'api-secret',
    standardFlowEnabled: false,
    attributes: { 'sundown.introspection.clients': 'pw-app##svc##gone-app##proto-app' },
  });
  return json;
}

for (const database of TEST_DATABASES) {
  describe(`disabled and deleted clients on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let adminToken: string;
    before(async () => {
      t = await startTestProvider(database);
      await importRealm(t.store.db, parseRealmJson(realmJson()));
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      adminToken = await masterToken('admin-cli');
    });
    after(() => t?.close());

    async function masterToken(clientId: string): Promise<string> {
      const res = await t.fetch(
        MASTER_TOKEN,
        form({ grant_type: 'password', client_id: clientId, username: 'admin', password: 'admin-pw' }),
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
    async function clientUuid(realm: string, clientId: string): Promise<string> {
      const res = await admin('GET', `/${realm}/clients?clientId=${clientId}`);
      assert.equal(res.status, 200);
      return ((await res.json()) as Array<{ id: string }>)[0]!.id;
    }
    async function setEnabled(realm: string, clientId: string, enabled: boolean): Promise<void> {
      const res = await admin('PUT', `/${realm}/clients/${await clientUuid(realm, clientId)}`, { enabled });
      assert.equal(res.status, 204, await res.clone().text());
    }
    async function passwordTokens(client: string): Promise<Record<string, string>> {
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
          { authorization: basic(client, `${client}-secret`) },
        ),
      );
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Record<string, string>;
    }
    const introspect = async (token: string) =>
      (await (
        await t.fetch(`${OIDC}/token/introspect`, form({ token }, { authorization: basic('api', 'api-secret') }))
      ).json()) as Json;
    const userinfo = (token: string) => t.fetch(`${OIDC}/userinfo`, { headers: { authorization: `Bearer ${token}` } });

    async function assertUserinfoRefused(token: string, description: string): Promise<void> {
      const res = await userinfo(token);
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: 'invalid_token', error_description: description });
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
    }

    test("a disabled client's access token is refused at userinfo (401 invalid_token) and introspection (inactive); re-enabled, it works again", async () => {
      const tokens = await passwordTokens('pw-app');
      assert.equal((await userinfo(tokens.access_token!)).status, 200);
      assert.equal((await introspect(tokens.access_token!)).active, true);
      assert.equal((await introspect(tokens.refresh_token!)).active, true);

      await setEnabled('test', 'pw-app', false);
      await assertUserinfoRefused(tokens.access_token!, 'Client disabled');
      assert.deepEqual(await introspect(tokens.access_token!), { active: false });
      assert.deepEqual(await introspect(tokens.refresh_token!), { active: false });

      // Disabling is a state, not a revocation: as in Keycloak, unexpired tokens count again.
      await setEnabled('test', 'pw-app', true);
      assert.equal((await userinfo(tokens.access_token!)).status, 200);
      assert.equal((await introspect(tokens.access_token!)).active, true);
      assert.equal((await introspect(tokens.refresh_token!)).active, true);
    });

    test("a disabled client's client-credentials token is inactive at introspection", async () => {
      const res = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'client_credentials' }, { authorization: basic('svc', 'svc-secret') }),
      );
      assert.equal(res.status, 200, await res.clone().text());
      const { access_token } = (await res.json()) as { access_token: string };
      assert.equal((await introspect(access_token)).active, true);
      await setEnabled('test', 'svc', false);
      assert.deepEqual(await introspect(access_token), { active: false });
      await setEnabled('test', 'svc', true);
      assert.equal((await introspect(access_token)).active, true);
    });

    test("a deleted client's access token is refused at userinfo and introspection", async () => {
      const created = await admin('POST', '/test/clients', {
        clientId: 'gone-app',
        secret: 'gone-app-secret',
        directAccessGrantsEnabled: true,
      });
      assert.equal(created.status, 201, await created.clone().text());
      const tokens = await passwordTokens('gone-app');
      assert.equal((await userinfo(tokens.access_token!)).status, 200);
      assert.equal((await introspect(tokens.access_token!)).active, true);

      assert.equal((await admin('DELETE', `/test/clients/${await clientUuid('test', 'gone-app')}`)).status, 204);
      await assertUserinfoRefused(tokens.access_token!, 'Client not found');
      assert.deepEqual(await introspect(tokens.access_token!), { active: false });
      assert.deepEqual(await introspect(tokens.refresh_token!), { active: false });
    });

    test('an access token whose client is now a SAML client is refused', async () => {
      const tokens = await passwordTokens('proto-app');
      const id = await clientUuid('test', 'proto-app');
      // No writer turns an OIDC client into a SAML one today; the store is changed directly, as a
      // delete and re-create under the same clientId would leave it.
      await t.store.db.updateTable('client').set({ protocol: 'saml' }).where('id', '=', id).execute();
      try {
        await assertUserinfoRefused(tokens.access_token!, 'Wrong client protocol');
        assert.deepEqual(await introspect(tokens.access_token!), { active: false });
      } finally {
        await t.store.db.updateTable('client').set({ protocol: 'openid-connect' }).where('id', '=', id).execute();
      }
      assert.equal((await userinfo(tokens.access_token!)).status, 200);
    });

    test('the admin API refuses a bearer token whose master-realm client is disabled or deleted; re-enabled, it works again', async () => {
      const created = await admin('POST', '/master/clients', {
        clientId: 'ops-cli',
        publicClient: true,
        standardFlowEnabled: false,
        directAccessGrantsEnabled: true,
      });
      assert.equal(created.status, 201, await created.clone().text());
      const opsToken = await masterToken('ops-cli');
      assert.equal((await admin('GET', '', undefined, opsToken)).status, 200);

      await setEnabled('master', 'ops-cli', false);
      const refused = await admin('GET', '', undefined, opsToken);
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as Json).error, 'invalid_token');
      assert.equal(
        (await admin('PUT', `/master/clients/${await clientUuid('master', 'ops-cli')}`, { enabled: true }, opsToken))
          .status,
        401,
      );

      await setEnabled('master', 'ops-cli', true);
      assert.equal((await admin('GET', '', undefined, opsToken)).status, 200);

      assert.equal((await admin('DELETE', `/master/clients/${await clientUuid('master', 'ops-cli')}`)).status, 204);
      assert.equal((await admin('GET', '', undefined, opsToken)).status, 401);
    });
  });
}
