// Authorization code flow with PKCE, SSO across clients, prompt/max_age, on every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { Browser, parseLoginForm, signIn } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, basic, decodeJwt, form, pkce } from '../helpers/oauth.ts';
import { ISSUER, OIDC, startTestProvider, type TestProvider } from '../helpers/provider.ts';

const WEB_CB = 'https://web.example/callback';

for (const database of TEST_DATABASES) {
  describe(`code flow on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database);
    });
    after(() => t?.close());

    async function exchange(
      code: string,
      verifier: string,
      clientId = 'web',
      secret = 'web-secret',
      redirectUri = WEB_CB,
    ) {
      return t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier },
          { authorization: basic(clientId, secret) },
        ),
      );
    }

    test('sign-in with PKCE yields ID, access and refresh tokens; the ID token carries sid', async () => {
      const browser = new Browser(t.fetch);
      const { verifier, challenge } = pkce();
      const back = await signIn(
        browser,
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          state: 's1',
          nonce: 'n1',
          code_challenge: challenge,
          code_challenge_method: 'S256',
          scope: 'openid profile email',
        }),
        'alice',
        'alice-pw',
      );
      assert.equal(back.origin + back.pathname, WEB_CB);
      assert.equal(back.searchParams.get('state'), 's1');
      assert.equal(back.searchParams.get('iss'), ISSUER);
      const code = back.searchParams.get('code');
      assert.ok(code);
      const res = await exchange(code, verifier);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const body = (await res.json()) as Record<string, string>;
      assert.equal(body.token_type, 'Bearer');
      assert.ok(body.refresh_token);
      const jwks = createLocalJWKSet((await (await t.fetch(`${OIDC}/certs`)).json()) as never);
      const { payload, protectedHeader } = await jwtVerify(body.id_token!, jwks, {
        issuer: ISSUER,
        audience: 'web',
      });
      assert.equal(protectedHeader.alg, 'RS256');
      assert.ok(protectedHeader.kid);
      for (const claim of ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'azp'])
        assert.ok(claim in payload, claim);
      assert.equal(payload.nonce, 'n1');
      assert.equal(payload.azp, 'web');
      assert.equal(payload.preferred_username, 'alice');
      assert.equal(payload.email, 'alice@example.com');
      assert.equal(typeof payload.sid, 'string');
      assert.ok((payload.sid as string).length >= 32, 'sid has high entropy');
      assert.equal(back.searchParams.get('session_state'), payload.sid);
      const access = decodeJwt(body.access_token!);
      assert.equal(access.header.typ, 'at+jwt');
      assert.equal(access.payload.sid, payload.sid);
    });

    test('SSO: a second client in the same browser gets a code without the form, in the same session', async () => {
      const browser = new Browser(t.fetch);
      const first = pkce();
      const a = await signIn(
        browser,
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          code_challenge: first.challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      const aTokens = (await (await exchange(a.searchParams.get('code')!, first.verifier)).json()) as Record<
        string,
        string
      >;

      const second = pkce();
      const res = await browser.get(
        authUrl({
          client_id: 'other',
          redirect_uri: 'https://other.example/callback',
          code_challenge: second.challenge,
          code_challenge_method: 'S256',
        }),
      );
      assert.equal(res.status, 302, 'no login form');
      const b = new URL(res.headers.get('location')!);
      const bRes = await exchange(
        b.searchParams.get('code')!,
        second.verifier,
        'other',
        'other-secret',
        'https://other.example/callback',
      );
      assert.equal(bRes.status, 200);
      const bTokens = (await bRes.json()) as Record<string, string>;
      assert.equal(decodeJwt(bTokens.id_token!).payload.sid, decodeJwt(aTokens.id_token!).payload.sid);
      assert.equal(decodeJwt(bTokens.id_token!).header.alg, 'ES256', 'per-client ID token algorithm');

      // The session remembers both clients: this is what logout will fan out to.
      const sid = decodeJwt(aTokens.id_token!).payload.sid as string;
      const clientSessions = await t.provider.ctx.sessions.clientSessionsOf(sid);
      assert.equal(clientSessions.length, 2);
    });

    test('prompt=none without a session gives login_required at the redirect URI', async () => {
      const res = await new Browser(t.fetch).get(
        authUrl({ client_id: 'web', redirect_uri: WEB_CB, prompt: 'none', state: 'xyz' }),
      );
      assert.equal(res.status, 302);
      const loc = new URL(res.headers.get('location')!);
      assert.equal(loc.searchParams.get('error'), 'login_required');
      assert.equal(loc.searchParams.get('state'), 'xyz');
    });

    test('prompt=none with a session returns a code', async () => {
      const browser = new Browser(t.fetch);
      await signIn(browser, authUrl({ client_id: 'web', redirect_uri: WEB_CB }), 'bob', 'bob-pw');
      const res = await browser.get(authUrl({ client_id: 'web', redirect_uri: WEB_CB, prompt: 'none' }));
      assert.equal(res.status, 302);
      assert.ok(new URL(res.headers.get('location')!).searchParams.get('code'));
    });

    test('prompt=login shows the form even with a session, and keeps the same session for the same user', async () => {
      const browser = new Browser(t.fetch);
      const v1 = pkce();
      const first = await signIn(
        browser,
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          code_challenge: v1.challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      const sid1 = decodeJwt(
        ((await (await exchange(first.searchParams.get('code')!, v1.verifier)).json()) as Record<string, string>)
          .id_token!,
      ).payload.sid;
      const page = await browser.get(authUrl({ client_id: 'web', redirect_uri: WEB_CB, prompt: 'login' }));
      assert.equal(page.status, 200);
      assert.match(await page.text(), /name="password"/);
      const v2 = pkce();
      const again = await signIn(
        browser,
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          prompt: 'login',
          code_challenge: v2.challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      const sid2 = decodeJwt(
        ((await (await exchange(again.searchParams.get('code')!, v2.verifier)).json()) as Record<string, string>)
          .id_token!,
      ).payload.sid;
      assert.equal(sid2, sid1);
    });

    test('max_age=0 forces a fresh login; prompt=none with an exceeded max_age is login_required', async () => {
      const browser = new Browser(t.fetch);
      await signIn(browser, authUrl({ client_id: 'web', redirect_uri: WEB_CB }), 'alice', 'alice-pw');
      await new Promise((r) => setTimeout(r, 1100));
      const page = await browser.get(authUrl({ client_id: 'web', redirect_uri: WEB_CB, max_age: '0' }));
      assert.equal(page.status, 200, 'login form shown');
      const none = await browser.get(authUrl({ client_id: 'web', redirect_uri: WEB_CB, max_age: '0', prompt: 'none' }));
      assert.equal(new URL(none.headers.get('location')!).searchParams.get('error'), 'login_required');
    });

    test('login_hint pre-fills the username', async () => {
      const page = await new Browser(t.fetch).get(
        authUrl({ client_id: 'web', redirect_uri: WEB_CB, login_hint: 'bob@example' }),
      );
      assert.match(await page.text(), /name="username" value="bob@example"/);
    });

    test('signing in as a different user in the same browser ends the previous session', async () => {
      const browser = new Browser(t.fetch);
      const v1 = pkce();
      const a = await signIn(
        browser,
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          code_challenge: v1.challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      const aTokens = (await (await exchange(a.searchParams.get('code')!, v1.verifier)).json()) as Record<
        string,
        string
      >;
      await signIn(browser, authUrl({ client_id: 'web', redirect_uri: WEB_CB, prompt: 'login' }), 'bob', 'bob-pw');
      const refresh = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'refresh_token', refresh_token: aTokens.refresh_token! },
          { authorization: basic('web', 'web-secret') },
        ),
      );
      assert.equal(refresh.status, 400);
      assert.equal(((await refresh.json()) as Record<string, string>).error, 'invalid_grant');
    });

    test('public client: PKCE required, code exchanged without a secret', async () => {
      const browser = new Browser(t.fetch);
      const noPkce = await browser.get(authUrl({ client_id: 'spa', redirect_uri: 'http://localhost:5173/app/cb' }));
      assert.equal(noPkce.status, 302);
      assert.equal(new URL(noPkce.headers.get('location')!).searchParams.get('error'), 'invalid_request');
      const { verifier, challenge } = pkce();
      const back = await signIn(
        browser,
        authUrl({
          client_id: 'spa',
          redirect_uri: 'http://localhost:5173/app/cb',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      const res = await t.fetch(
        `${OIDC}/token`,
        form({
          grant_type: 'authorization_code',
          client_id: 'spa',
          code: back.searchParams.get('code')!,
          redirect_uri: 'http://localhost:5173/app/cb',
          code_verifier: verifier,
        }),
      );
      assert.equal(res.status, 200);
    });
  });
}

test('the login form is accessible: labelled fields, autocomplete, no external assets', async () => {
  const t = await startTestProvider(TEST_DATABASES[0]!);
  try {
    const res = await new Browser(t.fetch).get(authUrl({ client_id: 'web', redirect_uri: WEB_CB }));
    const html = await res.text();
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<label for="username">/);
    assert.match(html, /<label for="password">/);
    assert.match(html, /autocomplete="current-password"/);
    assert.doesNotMatch(html, /<(script|link)[^>]+(src|href)="http/);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    parseLoginForm(html, OIDC);
  } finally {
    await t.close();
  }
});
