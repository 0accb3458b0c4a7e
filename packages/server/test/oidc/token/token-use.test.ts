// Using tokens: userinfo (OIDC Core §5.3), revocation (RFC 7009), introspection (RFC 7662).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, signIn } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { authUrl, basic, form, pkce } from '../../helpers/oauth.ts';
import { ISSUER, OIDC, startTestProvider, type TestProvider } from '../../helpers/provider.ts';

const WEB_CB = 'https://web.example/callback';
const WEB = { authorization: basic('web', 'web-secret') };
type Json = Record<string, unknown>;

for (const database of TEST_DATABASES) {
  describe(`token use on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database);
    });
    after(() => t?.close());

    async function login(scope = 'openid profile email'): Promise<Record<string, string>> {
      const { verifier, challenge } = pkce();
      const back = await signIn(
        new Browser(t.fetch),
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          scope,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          {
            grant_type: 'authorization_code',
            code: back.searchParams.get('code')!,
            redirect_uri: WEB_CB,
            code_verifier: verifier,
          },
          WEB,
        ),
      );
      return (await res.json()) as Record<string, string>;
    }
    const userinfo = (token: string) => t.fetch(`${OIDC}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    const introspect = async (token: string) =>
      (await (await t.fetch(`${OIDC}/token/introspect`, form({ token }, WEB))).json()) as Json;

    test('userinfo returns the claims of the granted scopes, by header or form body', async () => {
      const tokens = await login();
      const res = await userinfo(tokens.access_token!);
      assert.equal(res.status, 200);
      const body = (await res.json()) as Json;
      assert.equal(body.preferred_username, 'alice');
      assert.equal(body.email, 'alice@example.com');
      assert.equal(body.given_name, 'Alice');
      const byForm = await t.fetch(`${OIDC}/userinfo`, form({ access_token: tokens.access_token! }));
      assert.equal(byForm.status, 200);
    });

    test('userinfo without the openid scope is insufficient_scope', async () => {
      const res = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'client_credentials' }, { authorization: basic('service', 'service-secret') }),
      );
      const { access_token } = (await res.json()) as Record<string, string>;
      const ui = await userinfo(access_token!);
      assert.equal(ui.status, 403);
      assert.match(ui.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    });

    test('access tokens stop working when their session ends', async () => {
      const tokens = await login();
      const sid = (await introspect(tokens.access_token!)).sid as string;
      await t.provider.ctx.logout.endSessions(
        (await t.provider.ctx.realms.realmByName('test'))!,
        [sid],
        'admin_session',
      );
      const res = await userinfo(tokens.access_token!);
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as Json).error, 'invalid_token');
      assert.deepEqual(await introspect(tokens.access_token!), { active: false });
    });

    test('introspection describes active access and refresh tokens', async () => {
      const tokens = await login();
      const access = await introspect(tokens.access_token!);
      assert.equal(access.active, true);
      assert.equal(access.client_id, 'web');
      assert.equal(access.username, 'alice');
      assert.equal(access.iss, ISSUER);
      const refresh = await introspect(tokens.refresh_token!);
      assert.equal(refresh.active, true);
      assert.equal(refresh.token_type, 'Refresh');
      assert.deepEqual(await introspect('not-a-token'), { active: false });
    });

    test('revoking a refresh token revokes the grant; revoking an access token stops it', async () => {
      const tokens = await login();
      const r = await t.fetch(
        `${OIDC}/revoke`,
        form({ token: tokens.refresh_token!, token_type_hint: 'refresh_token' }, WEB),
      );
      assert.equal(r.status, 200);
      const refresh = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, WEB),
      );
      assert.equal(refresh.status, 400);
      assert.equal((await introspect(tokens.refresh_token!)).active, false);

      const a = await t.fetch(`${OIDC}/revoke`, form({ token: tokens.access_token! }, WEB));
      assert.equal(a.status, 200);
      assert.equal((await userinfo(tokens.access_token!)).status, 401);
    });

    test("a client cannot revoke another client's token", async () => {
      const tokens = await login();
      const res = await t.fetch(
        `${OIDC}/revoke`,
        form({ token: tokens.refresh_token! }, { authorization: basic('other', 'other-secret') }),
      );
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as Json).error, 'unauthorized_client');
      assert.equal((await introspect(tokens.refresh_token!)).active, true);
    });

    test('revoking an offline token ends the offline session', async () => {
      const tokens = await login('openid offline_access');
      assert.equal((await introspect(tokens.refresh_token!)).token_type, 'Offline');
      await t.fetch(`${OIDC}/revoke`, form({ token: tokens.refresh_token! }, WEB));
      const rows = await t.store.db
        .selectFrom('client_session')
        .selectAll()
        .where('offline', '=', 1)
        .where('ended_at', 'is', null)
        .execute();
      assert.equal(rows.length, 0);
    });
  });
}
