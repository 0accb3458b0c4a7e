// Interop with a relying-party library we did not write: openid-client v6 drives discovery,
// the code flow with PKCE, userinfo, refresh and revocation against a running server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import type { RunningServer } from '../../src/server.ts';
import { Browser, parseLoginForm } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { startRealServer } from '../helpers/server.ts';

for (const database of TEST_DATABASES) {
  describe(`openid-client v6 against a running server on ${database.name}`, { skip: database.skip }, () => {
    let server: RunningServer;
    let drop: () => Promise<void>;
    before(async () => {
      const created = await database.create();
      drop = created.drop;
      server = await startRealServer(created.config);
    });
    after(async () => {
      await server?.close();
      await drop?.();
    });

    test('discovery, code flow with PKCE, userinfo, refresh, revocation; ID token has sid', async () => {
      const issuer = new URL(`${server.url}/realms/test`);
      const config = await oidc.discovery(issuer, 'web', 'web-secret', oidc.ClientSecretBasic('web-secret'), {
        execute: [oidc.allowInsecureRequests],
      });
      assert.equal(config.serverMetadata().issuer, issuer.href);
      assert.equal(config.serverMetadata().backchannel_logout_session_supported, true);

      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const authUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: 'https://web.example/callback',
        scope: 'openid profile email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });

      const browser = new Browser((input, init) => fetch(input, init));
      const page = await browser.get(authUrl.href);
      assert.equal(page.status, 200);
      const form = parseLoginForm(await page.text(), authUrl.href);
      const done = await browser.post(form.action, {
        auth_request: form.authRequest,
        username: 'alice',
        password: 'alice-pw',
      });
      assert.equal(done.status, 303);
      const callback = new URL(done.headers.get('location')!);

      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      assert.equal(claims.iss, issuer.href);
      assert.equal(typeof claims.sid, 'string');
      assert.equal(claims.preferred_username, 'alice');

      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(info.email, 'alice@example.com');

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.ok(refreshed.access_token);
      assert.equal(refreshed.claims()?.sid, claims.sid);

      const introspection = await oidc.tokenIntrospection(config, refreshed.refresh_token!);
      assert.equal(introspection.active, true);

      await oidc.tokenRevocation(config, refreshed.refresh_token!);
      await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (err: unknown) => {
        assert.ok(err instanceof oidc.ResponseBodyError);
        assert.equal(err.error, 'invalid_grant');
        return true;
      });
    });

    // Issue 23: Keycloak's default client scopes apply to `scope=openid` alone (Apache
    // mod_auth_openidc with OIDCRemoteUserClaim preferred_username), Grafana's documented
    // `openid email profile roles` is accepted, access tokens carry email and name (Django
    // social-auth reads them there), and a scope the client does not have is invalid_scope.
    test("scopes and claims: the client's default scopes with openid alone, Grafana's scopes, invalid_scope", async () => {
      const issuer = new URL(`${server.url}/realms/test`);
      const config = await oidc.discovery(issuer, 'web', 'web-secret', oidc.ClientSecretBasic('web-secret'), {
        execute: [oidc.allowInsecureRequests],
      });
      assert.ok((config.serverMetadata().scopes_supported ?? []).includes('roles'));
      const signIn = async (scope: string) => {
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const authUrl = oidc.buildAuthorizationUrl(config, {
          redirect_uri: 'https://web.example/callback',
          scope,
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
        });
        const browser = new Browser((input, init) => fetch(input, init));
        const page = await browser.get(authUrl.href);
        if (page.status !== 200) return { callback: new URL(page.headers.get('location')!), tokens: null };
        const form = parseLoginForm(await page.text(), authUrl.href);
        const done = await browser.post(form.action, {
          auth_request: form.authRequest,
          username: 'alice',
          password: 'alice-pw',
        });
        const callback = new URL(done.headers.get('location')!);
        return {
          callback,
          tokens: await oidc.authorizationCodeGrant(config, callback, {
            pkceCodeVerifier: verifier,
            expectedState: state,
          }),
        };
      };

      const { tokens } = await signIn('openid');
      const id = tokens!.claims()!;
      assert.equal(id.preferred_username, 'alice');
      assert.equal(id.email, 'alice@example.com');
      assert.equal(tokens!.scope, 'openid email profile');
      const info = await oidc.fetchUserInfo(config, tokens!.access_token, id.sub);
      assert.equal(info.preferred_username, 'alice');
      assert.equal(info.name, 'Alice Liddell');
      const access = JSON.parse(Buffer.from(tokens!.access_token.split('.')[1]!, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      assert.equal(access.email, 'alice@example.com');
      assert.equal(access.name, 'Alice Liddell');

      const grafana = await signIn('openid email profile roles');
      assert.equal(grafana.tokens!.scope, 'openid email profile');

      const refused = await signIn('openid email profile nonsense');
      assert.equal(refused.tokens, null);
      assert.equal(refused.callback.searchParams.get('error'), 'invalid_scope');
    });

    test('client credentials through openid-client', async () => {
      const config = await oidc.discovery(
        new URL(`${server.url}/realms/test`),
        'service',
        'service-secret',
        undefined,
        {
          execute: [oidc.allowInsecureRequests],
        },
      );
      const tokens = await oidc.clientCredentialsGrant(config);
      assert.equal(tokens.token_type, 'bearer');
    });
  });
}
