// GET /realms/{realm}: Keycloak's public realm information (PublicRealmResource,
// PublishedRealmRepresentation) — the realm name, its active RS256 public key as base64 DER
// SubjectPublicKeyInfo, the token and account service URLs and the not-before time.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importSPKI, jwtVerify } from 'jose';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { form } from '../helpers/oauth.ts';
import { ISSUER, ISSUER_BASE, OIDC, startTestProvider, type TestProvider } from '../helpers/provider.ts';

interface PublishedRealm {
  realm: string;
  public_key: string;
  'token-service': string;
  'account-service': string;
  'tokens-not-before': number;
}

for (const database of TEST_DATABASES) {
  describe(`realm info (${database.name})`, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database);
    });
    after(() => t?.close());

    test("answers Keycloak's fields, not cached, readable from any origin", async () => {
      const res = await t.fetch(ISSUER, { headers: { origin: 'https://app.example' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const body = (await res.json()) as PublishedRealm;
      assert.deepEqual(Object.keys(body).sort(), [
        'account-service',
        'public_key',
        'realm',
        'token-service',
        'tokens-not-before',
      ]);
      assert.equal(body.realm, 'test');
      assert.equal(body['token-service'], OIDC);
      assert.equal(body['account-service'], `${ISSUER}/account`);
      assert.equal(body['tokens-not-before'], 0);
      assert.match(body.public_key, /^[A-Za-z0-9+/]+=*$/, 'base64 DER, no PEM header lines');
    });

    test('the public key verifies the tokens the realm signs', async () => {
      const { public_key } = (await (await t.fetch(ISSUER)).json()) as PublishedRealm;
      const key = await importSPKI(`-----BEGIN PUBLIC KEY-----\n${public_key}\n-----END PUBLIC KEY-----`, 'RS256');
      const tokens = (await (
        await t.fetch(
          `${OIDC}/token`,
          form({
            grant_type: 'password',
            client_id: 'cli',
            username: 'alice',
            password: 'alice-pw',
            scope: 'openid profile',
          }),
        )
      ).json()) as { access_token: string; id_token: string };
      const id = await jwtVerify(tokens.id_token, key, { issuer: ISSUER });
      assert.equal(id.payload.preferred_username, 'alice');
      const access = await jwtVerify(tokens.access_token, key, { issuer: ISSUER });
      assert.equal(access.payload.sub, id.payload.sub);
    });

    test("tokens-not-before is the realm's not-before time", async () => {
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      await t.provider.ctx.notBefore.setRealm(realm.id, 1_700_000_000);
      const body = (await (await t.fetch(`${ISSUER}/`)).json()) as PublishedRealm;
      assert.equal(body['tokens-not-before'], 1_700_000_000);
    });

    test('an unknown realm is a JSON 404, other methods 405', async () => {
      const missing = await t.fetch(`${ISSUER_BASE}/realms/nope`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { error_description: string }).error_description, 'Realm does not exist');
      assert.equal((await t.fetch(ISSUER, { method: 'POST' })).status, 405);
    });
  });
}

describe('realm info under --http-relative-path', () => {
  let t: TestProvider;
  before(async () => {
    t = await startTestProvider(TEST_DATABASES[0]!, { httpRelativePath: '/auth' });
  });
  after(() => t?.close());

  test('answers at /auth/realms/{realm} with the prefixed service URLs', async () => {
    const body = (await (await t.fetch(`${ISSUER_BASE}/auth/realms/test`)).json()) as PublishedRealm;
    assert.equal(body['token-service'], `${ISSUER_BASE}/auth/realms/test/protocol/openid-connect`);
  });
});
