// Regression tests: who may introspect a token (RFC 7662 §2.2). Only the client it was issued
// to, or a resource server whose `sundown.introspection.clients` lists that client, learns
// anything; every other client gets exactly {"active": false} — on every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson, RealmImportError } from '../../src/realm-import/realm-json.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { basic, form } from '../helpers/oauth.ts';
import { OIDC, startTestProvider, TEST_REALM_JSON, type TestProvider } from '../helpers/provider.ts';

type Json = Record<string, unknown>;

function realmWithResourceServer(attribute: string): unknown {
  const json = structuredClone(TEST_REALM_JSON) as { clients: Json[] };
  json.clients.push({
    clientId: 'api',
    secret: 'api-secret',
    standardFlowEnabled: false,
    attributes: { 'sundown.introspection.clients': attribute },
  });
  json.clients.push({
    clientId: 'pw-app',
    secret: 'pw-app-secret',
    standardFlowEnabled: false,
    directAccessGrantsEnabled: true,
  });
  return json;
}

for (const database of TEST_DATABASES) {
  describe(`introspection access on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database);
      await importRealm(t.store.db, parseRealmJson(realmWithResourceServer('web##pw-app')));
    });
    after(() => t?.close());

    async function tokensOf(client: string): Promise<Record<string, string>> {
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
    const introspectAs = async (client: string, token: string) =>
      (await (
        await t.fetch(`${OIDC}/token/introspect`, form({ token }, { authorization: basic(client, `${client}-secret`) }))
      ).json()) as Json;

    test("cross-client introspection of another client's refresh or access token returns active:false", async () => {
      const tokens = await tokensOf('pw-app');
      assert.equal((await introspectAs('pw-app', tokens.refresh_token!)).active, true, 'the owner sees its own token');
      assert.deepEqual(await introspectAs('web', tokens.refresh_token!), { active: false });
      assert.deepEqual(await introspectAs('web', tokens.access_token!), { active: false });
      assert.deepEqual(await introspectAs('other', tokens.refresh_token!), { active: false });
    });

    test('a resource server listed for the issuing client can introspect its access and refresh tokens', async () => {
      const tokens = await tokensOf('pw-app');
      const access = await introspectAs('api', tokens.access_token!);
      assert.equal(access.active, true);
      assert.equal(access.client_id, 'pw-app');
      assert.equal(access.username, 'alice');
      const refresh = await introspectAs('api', tokens.refresh_token!);
      assert.equal(refresh.active, true);
      assert.equal(refresh.client_id, 'pw-app');
    });

    test('a resource server sees nothing of a client it does not list', async () => {
      await importRealm(t.store.db, parseRealmJson(realmWithResourceServer('web')));
      const tokens = await tokensOf('pw-app');
      assert.deepEqual(await introspectAs('api', tokens.access_token!), { active: false });
      assert.deepEqual(await introspectAs('api', tokens.refresh_token!), { active: false });
      await importRealm(t.store.db, parseRealmJson(realmWithResourceServer('web##pw-app')));
    });
  });
}

test('the introspection allow-list attribute is validated at import', () => {
  for (const bad of ['*', 'web, other', 'web####other', '##web', 'web##']) {
    assert.throws(
      () => parseRealmJson(realmWithResourceServer(bad)),
      (err: unknown) => err instanceof RealmImportError && /sundown\.introspection\.clients/.test(err.message),
      bad,
    );
  }
  parseRealmJson(realmWithResourceServer('web##other'));
});
