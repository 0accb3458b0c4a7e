// Keycloak's Account REST profile (issue 23): keycloak-js loadUserProfile() reads GET
// /realms/{realm}/account with a bearer token and Accept: application/json; account pages update
// it with POST. CORS follows the token's client; the account client's roles are required when
// the realm has them, as in Keycloak.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { form } from '../helpers/oauth.ts';
import {
  ISSUER,
  ISSUER_BASE,
  OIDC,
  startTestProvider,
  TEST_REALM_JSON,
  type TestProvider,
} from '../helpers/provider.ts';

const ACCOUNT_REALM = {
  realm: 'acct',
  roles: { client: { account: [{ name: 'view-profile' }, { name: 'manage-account' }] } },
  clients: [
    { clientId: 'account', publicClient: true, redirectUris: ['https://acct.example/*'] },
    { clientId: 'cli', publicClient: true, standardFlowEnabled: false, directAccessGrantsEnabled: true },
  ],
  users: [
    {
      username: 'viewer',
      realmRoles: [],
      clientRoles: { account: ['view-profile'] },
      credentials: [{ type: 'password', value: 'viewer-pw' }],
    },
  ],
};

for (const database of TEST_DATABASES) {
  describe(`account profile on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      const json = structuredClone(TEST_REALM_JSON) as { clients: Array<Record<string, unknown>> };
      json.clients.find((c) => c.clientId === 'spa')!.webOrigins = ['http://localhost:5173'];
      json.clients.find((c) => c.clientId === 'spa')!.directAccessGrantsEnabled = true;
      t = await startTestProvider(database, {}, [json, ACCOUNT_REALM]);
    });
    after(() => t?.close());

    const token = async (client = 'spa', username = 'alice', base = OIDC) =>
      (
        (await (
          await t.fetch(
            `${base}/token`,
            form({ grant_type: 'password', client_id: client, username, password: `${username}-pw` }),
          )
        ).json()) as { access_token: string }
      ).access_token;
    const account = (bearer: string | null, init: RequestInit = {}, realm = ISSUER) =>
      t.fetch(`${realm}/account`, {
        ...init,
        headers: {
          accept: 'application/json',
          origin: 'http://localhost:5173',
          ...(bearer ? { authorization: `bearer ${bearer}` } : {}),
          ...(init.headers as Record<string, string>),
        },
      });

    test("GET answers the signed-in user's profile, with CORS for the token's client", async () => {
      const res = await account(await token());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:5173');
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body.username, 'alice');
      assert.equal(body.email, 'alice@example.com');
      assert.equal(body.firstName, 'Alice');
      assert.equal(body.emailVerified, true);
      assert.deepEqual(body.attributes, {});
      assert.equal(typeof body.id, 'string');
    });

    test('no token is 401, a bad one invalid_token, and a browser page request gets the account page, not the API', async () => {
      assert.equal((await account(null)).status, 401);
      assert.equal((await account('x.y.z')).status, 401);
      // A browser asking for HTML is the user's own page (account/account-audience.ts), never the JSON API.
      const page = await t.fetch(`${ISSUER}/account`, { headers: { accept: 'text/html' } });
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    });

    test('POST updates names, email (then unverified) and attributes; the username is read-only', async () => {
      const bearer = await token('spa', 'bob');
      const update = await account(bearer, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ firstName: 'Robert', email: 'rob@example.com', attributes: { team: ['blue'] } }),
      });
      assert.equal(update.status, 204);
      const body = (await (await account(bearer)).json()) as Record<string, unknown>;
      assert.equal(body.firstName, 'Robert');
      assert.equal(body.email, 'rob@example.com');
      assert.equal(body.emailVerified, false);
      assert.deepEqual(body.attributes, { team: ['blue'] });
      const rename = await account(bearer, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'someone-else' }),
      });
      assert.equal(rename.status, 400);
      const junk = await account(bearer, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ attributes: { team: [1] } }),
      });
      assert.equal(junk.status, 400);
    });

    test("with Keycloak's account client, view-profile reads and manage-account updates", async () => {
      const base = `${ISSUER_BASE}/realms/acct`;
      const bearer = await token('cli', 'viewer', `${base}/protocol/openid-connect`);
      assert.equal((await account(bearer, {}, base)).status, 200);
      const update = await account(
        bearer,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ firstName: 'V' }) },
        base,
      );
      assert.equal(update.status, 403);
    });
  });
}
