// Keycloak's claims in every token (issue 23): the built-in client scopes' mappers put profile and
// email claims in access tokens, ID tokens and userinfo; `realm_access` and `resource_access` hold
// the user's direct, group and composite roles within the client's scope; audiences, group
// membership, hardcoded and attribute claims follow their mappers' config; optional scopes apply
// only when requested, anything else is invalid_scope; client credentials carry the service
// account's roles and name; introspection answers with the token's claims.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACCESS_REALM_JSON } from '../../helpers/access-realm.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../../helpers/provider.ts';

const SHOP = `${ISSUER_BASE}/realms/shop/protocol/openid-connect`;
const SCOPED = `${ISSUER_BASE}/realms/scoped/protocol/openid-connect`;

/** A realm with its own client scopes: a custom optional audience scope not listed in `scope`. */
const SCOPED_REALM = {
  realm: 'scoped',
  clientScopes: [
    {
      name: 'profile',
      protocol: 'openid-connect',
      attributes: { 'include.in.token.scope': 'true' },
      protocolMappers: [
        {
          name: 'username',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-usermodel-property-mapper',
          config: { 'user.attribute': 'username', 'claim.name': 'preferred_username', 'access.token.claim': 'true' },
        },
      ],
    },
    {
      name: 'orders-api',
      protocol: 'openid-connect',
      attributes: { 'include.in.token.scope': 'false' },
      protocolMappers: [
        {
          name: 'orders audience',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-audience-mapper',
          config: { 'included.custom.audience': 'https://orders.example', 'access.token.claim': 'true' },
        },
      ],
    },
  ],
  defaultDefaultClientScopes: ['profile'],
  defaultOptionalClientScopes: ['orders-api'],
  clients: [
    {
      clientId: 'cli',
      publicClient: true,
      standardFlowEnabled: false,
      directAccessGrantsEnabled: true,
      attributes: {},
    },
    {
      clientId: 'light',
      publicClient: true,
      standardFlowEnabled: false,
      directAccessGrantsEnabled: true,
      attributes: { 'client.use.lightweight.access.token.enabled': 'true' },
      protocolMappers: [
        {
          name: 'light claim',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-hardcoded-claim-mapper',
          config: { 'claim.name': 'tier', 'claim.value': 'gold', 'lightweight.claim': 'true' },
        },
      ],
    },
  ],
  users: [{ username: 'zoe', credentials: [{ type: 'password', value: 'zoe-pw' }] }],
};

interface Tokens {
  access_token: string;
  id_token?: string;
  scope: string;
  error?: string;
  error_description?: string;
}

for (const database of TEST_DATABASES) {
  describe(`Keycloak's claims on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database, {}, [ACCESS_REALM_JSON, SCOPED_REALM]);
    });
    after(() => t?.close());

    const password = async (
      client: string,
      secret: string | null,
      username: string,
      scope: string,
      base = SHOP,
    ): Promise<{ status: number; body: Tokens }> => {
      const res = await t.fetch(
        `${base}/token`,
        form(
          {
            grant_type: 'password',
            username,
            password: `${username}-pw`,
            scope,
            ...(secret ? {} : { client_id: client }),
          },
          secret ? { authorization: basic(client, secret) } : {},
        ),
      );
      return { status: res.status, body: (await res.json()) as Tokens };
    };

    test('an access token carries the profile and email claims, roles of the user, its groups and composites, and the mappers of its client', async () => {
      const { body } = await password('app', 'app-secret', 'alice', 'openid');
      assert.equal(body.scope, 'openid email profile');
      const at = decodeJwt(body.access_token).payload;
      assert.equal(at.preferred_username, 'alice');
      assert.equal(at.email, 'alice@shop.example');
      assert.equal(at.email_verified, true);
      assert.equal(at.name, 'Alice Liddell');
      assert.equal(at.given_name, 'Alice');
      assert.equal(at.family_name, 'Liddell');
      // alice: user directly, /staff/leads (team-lead → admin → user, app-admin) and /staff (api read).
      assert.deepEqual(at.realm_access, { roles: ['admin', 'team-lead', 'user'] });
      assert.deepEqual(at.resource_access, { app: { roles: ['app-admin', 'app-user'] }, api: { roles: ['read'] } });
      // The client itself, the audience mapper's api, and api again from audience resolve.
      assert.deepEqual(at.aud, ['app', 'api']);
      assert.deepEqual(at.tenant, { id: 42 });
      assert.deepEqual(at.groups, ['/staff/leads']);
      assert.deepEqual(at.dept, ['sales', 'lead-eng', 'eng'], 'aggregated: the user, the group and its parent');
      assert.equal(at.site, 'berlin', 'not on the user: the first group (through its parent)');
      assert.deepEqual(at['allowed-origins'], ['https://app.example']);
      assert.equal(at.acr, '1');
      assert.equal(typeof at.auth_time, 'number');
      assert.equal(at.x, undefined, 'an unsupported mapper adds nothing');
      assert.equal(at.scope, 'openid email profile');
    });

    test('the ID token and userinfo carry what their mappers say, and no roles', async () => {
      const { body } = await password('app', 'app-secret', 'alice', 'openid');
      const id = decodeJwt(body.id_token!).payload;
      assert.equal(id.aud, 'app', 'the audience mapper is not for ID tokens here');
      assert.equal(id.email, 'alice@shop.example');
      assert.deepEqual(id.tenant, { id: 42 });
      assert.equal(id.realm_access, undefined);
      assert.equal(id.dept, undefined);
      assert.equal(id.acr, '1');
      const info = (await (
        await t.fetch(`${SHOP}/userinfo`, { headers: { authorization: `Bearer ${body.access_token}` } })
      ).json()) as Record<string, unknown>;
      assert.equal(info.preferred_username, 'alice');
      assert.equal(info.email, 'alice@shop.example');
      assert.deepEqual(info.groups, ['/staff/leads']);
      assert.deepEqual(info.tenant, { id: 42 });
      assert.equal(info.realm_access, undefined);
      assert.equal(info.auth_time, undefined);
    });

    test("a user the file gave no roles has the realm's default role and its composites", async () => {
      const { body } = await password('app', 'app-secret', 'bob', 'openid');
      const at = decodeJwt(body.access_token).payload;
      assert.deepEqual(at.realm_access, { roles: ['default-roles-shop', 'offline_access', 'uma_authorization'] });
      assert.deepEqual(at.resource_access, { api: { roles: ['write'] } });
    });

    test('a client without fullScopeAllowed gets only the roles of its scope mappings', async () => {
      const { body } = await password('limited', 'limited-secret', 'alice', 'openid');
      const at = decodeJwt(body.access_token).payload;
      assert.deepEqual(at.realm_access, { roles: ['user'] });
      assert.deepEqual(at.resource_access, { api: { roles: ['read'] } });
    });

    test('an optional scope applies only when requested; a scope the client does not have is invalid_scope', async () => {
      const without = decodeJwt((await password('app', 'app-secret', 'alice', 'openid')).body.access_token).payload;
      assert.equal(without.phone_number, undefined);
      const phone = await password('app', 'app-secret', 'alice', 'openid phone microprofile-jwt');
      assert.equal(phone.body.scope, 'openid email profile phone microprofile-jwt');
      const at = decodeJwt(phone.body.access_token).payload;
      assert.equal(at.phone_number, '+1 555 0100');
      assert.equal(at.upn, 'alice');
      // microprofile-jwt's "groups" realm-role mapper joins the group mapper's claim.
      assert.deepEqual(at.groups, ['/staff/leads', 'admin', 'team-lead', 'user']);
      const bad = await password('app', 'app-secret', 'alice', 'openid profile nonsense');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'invalid_scope');
      // role_list is a SAML scope: not an OpenID Connect client's.
      assert.equal((await password('app', 'app-secret', 'alice', 'role_list')).body.error, 'invalid_scope');
    });

    test("client credentials: the service account's roles and preferred_username, its client's scopes only", async () => {
      const res = await t.fetch(
        `${SHOP}/token`,
        form({ grant_type: 'client_credentials' }, { authorization: basic('svc', 'svc-secret') }),
      );
      const body = (await res.json()) as Tokens;
      assert.equal(res.status, 200, JSON.stringify(body));
      const at = decodeJwt(body.access_token).payload;
      assert.equal(at.preferred_username, 'service-account-svc');
      assert.deepEqual(at.realm_access, {
        roles: ['auditor', 'default-roles-shop', 'offline_access', 'uma_authorization'],
      });
      assert.deepEqual(at.resource_access, { api: { roles: ['read'] } });
      assert.equal(at.email, undefined, 'svc has no email scope');
      assert.equal(body.scope, 'profile');
      assert.equal(at.azp, 'svc');
      assert.equal(typeof at.sub, 'string');
      assert.notEqual(at.sub, undefined);
    });

    test("introspection answers with the token's claims", async () => {
      const { body } = await password('app', 'app-secret', 'alice', 'openid');
      const res = await t.fetch(
        `${SHOP}/token/introspect`,
        form({ token: body.access_token }, { authorization: basic('app', 'app-secret') }),
      );
      const info = (await res.json()) as Record<string, unknown>;
      assert.equal(info.active, true);
      assert.deepEqual(info.realm_access, { roles: ['admin', 'team-lead', 'user'] });
      assert.deepEqual(info.tenant, { id: 42 });
      assert.equal(info.email, 'alice@shop.example');
      assert.equal(info.client_id, 'app');
      assert.equal(info.username, 'alice');
      assert.equal(info.token_type, 'Bearer');
    });

    test('include.in.token.scope "false" keeps an applied scope out of `scope`; a custom audience scope applies when requested', async () => {
      const plain = await password('cli', null, 'zoe', 'openid', SCOPED);
      assert.equal(plain.body.scope, 'openid profile');
      assert.equal(decodeJwt(plain.body.access_token).payload.aud, 'cli');
      const orders = await password('cli', null, 'zoe', 'openid orders-api', SCOPED);
      assert.equal(orders.body.scope, 'openid profile');
      assert.deepEqual(decodeJwt(orders.body.access_token).payload.aud, ['cli', 'https://orders.example']);
    });

    test('a lightweight access token has only the lightweight claims (and sub)', async () => {
      const { body } = await password('light', null, 'zoe', 'openid', SCOPED);
      const at = decodeJwt(body.access_token).payload;
      assert.equal(at.preferred_username, undefined);
      assert.equal(at.tier, 'gold');
      assert.equal(typeof at.sub, 'string');
    });
  });
}
