// Response modes (issue 14): query, fragment and form_post (OAuth 2.0 Multiple Response Type
// Encoding Practices §2.1, OAuth 2.0 Form Post Response Mode §2), the default per response
// type, errors in the same mode once the redirect URI is trusted, and an unsupported mode on
// the error page — never a redirect (keycloak-js looped on it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { Browser, signIn } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, basic, form, pkce } from '../helpers/oauth.ts';
import { ISSUER, ISSUER_BASE, OIDC, startTestProvider, type TestProvider } from '../helpers/provider.ts';

const WEB_CB = 'https://web.example/callback';
const TENANT_CB = 'https://web.example/cb?tenant=1';

/** Hidden inputs of a form_post page, decoded. */
function formFields(page: string): Record<string, string> {
  const unescape = (v: string) =>
    v
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return Object.fromEntries(
    [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, unescape(m[2]!)]),
  );
}

for (const database of TEST_DATABASES) {
  describe(`response modes on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database);
      await importRealm(
        t.store.db,
        parseRealmJson({
          realm: 'framed',
          clients: [
            {
              clientId: 'spa',
              publicClient: true,
              redirectUris: ['https://spa.example/silent'],
              webOrigins: ['+', 'https://shell.example'],
            },
          ],
        }),
      );
    });
    after(() => t?.close());

    /** A browser with an SSO session for alice (signed in through the form once). */
    async function signedInBrowser(): Promise<Browser> {
      const browser = new Browser(t.fetch);
      await signIn(
        browser,
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      return browser;
    }

    test('discovery advertises query, fragment and form_post', async () => {
      const meta = (await (await t.fetch(`${ISSUER}/.well-known/openid-configuration`)).json()) as {
        response_modes_supported: string[];
      };
      assert.deepEqual(meta.response_modes_supported, ['query', 'fragment', 'form_post']);
    });

    test('code defaults to query: code, state, session_state and iss in the query', async () => {
      const browser = await signedInBrowser();
      const res = await browser.get(
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          state: 's1',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        }),
      );
      assert.equal(res.status, 302);
      const to = new URL(res.headers.get('location')!);
      assert.ok(to.searchParams.get('code'));
      assert.equal(to.searchParams.get('state'), 's1');
      assert.ok(to.searchParams.get('session_state'));
      assert.equal(to.searchParams.get('iss'), ISSUER);
      assert.equal(to.hash, '');
    });

    test('fragment: everything in the fragment, the registered query kept, nothing added to it', async () => {
      const browser = await signedInBrowser();
      const res = await browser.get(
        authUrl({
          client_id: 'web',
          redirect_uri: TENANT_CB,
          state: 's2',
          response_mode: 'fragment',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        }),
      );
      assert.equal(res.status, 302);
      const to = new URL(res.headers.get('location')!);
      assert.equal(to.search, '?tenant=1');
      const fragment = new URLSearchParams(to.hash.slice(1));
      assert.ok(fragment.get('code'));
      assert.equal(fragment.get('state'), 's2');
      assert.ok(fragment.get('session_state'));
      assert.equal(fragment.get('iss'), ISSUER);
    });

    test('fragment survives the sign-in form (the mode is stored with the pending request)', async () => {
      const back = await signIn(
        new Browser(t.fetch),
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          state: 's3',
          response_mode: 'fragment',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      assert.equal(back.search, '');
      assert.ok(new URLSearchParams(back.hash.slice(1)).get('code'));
    });

    test('form_post: a page that posts code, state, session_state and iss to the redirect URI under a nonce CSP; the code works', async () => {
      const browser = await signedInBrowser();
      const { verifier, challenge } = pkce();
      const res = await browser.get(
        authUrl({
          client_id: 'web',
          redirect_uri: TENANT_CB,
          state: 's4',
          response_mode: 'form_post',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
      );
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('location'), null);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const page = await res.text();
      assert.match(page, /<form method="post" action="https:\/\/web.example\/cb\?tenant=1">/);
      const fields = formFields(page);
      assert.equal(fields.state, 's4');
      assert.equal(fields.iss, ISSUER);
      assert.ok(fields.session_state);
      const csp = res.headers.get('content-security-policy')!;
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      assert.ok(nonce, csp);
      assert.match(page, new RegExp(`<script nonce="${nonce}">document.forms\\[0\\].submit\\(\\)</script>`));
      assert.match(
        page,
        /<noscript>.*<button type="submit">Continue<\/button><\/noscript>/s,
        'works without script too',
      );
      assert.match(csp, /form-action https:\/\/web.example(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/, 'a client without web origins: not framable');
      assert.equal(res.headers.get('x-frame-options'), null);
      const tokens = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'authorization_code', code: fields.code!, redirect_uri: TENANT_CB, code_verifier: verifier },
          { authorization: basic('web', 'web-secret') },
        ),
      );
      assert.equal(tokens.status, 200);
    });

    test("form_post may be framed by the client's web origins only (silent sign-in)", async () => {
      const oidc = `${ISSUER_BASE}/realms/framed/protocol/openid-connect`;
      const res = await t.fetch(
        authUrl(
          {
            client_id: 'spa',
            redirect_uri: 'https://spa.example/silent',
            response_mode: 'form_post',
            prompt: 'none',
            code_challenge: pkce().challenge,
            code_challenge_method: 'S256',
          },
          oidc,
        ),
      );
      assert.equal(res.status, 200);
      const csp = res.headers.get('content-security-policy')!;
      const ancestors = /frame-ancestors ([^;]+)/.exec(csp)![1]!.split(' ').sort();
      assert.deepEqual(ancestors, ['https://shell.example', 'https://spa.example']);
      assert.equal(formFields(await res.text()).error, 'login_required', 'the error travels in the same mode');
    });

    test('errors after the redirect URI is trusted come back in the requested mode', async () => {
      const none = await t.fetch(
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          state: 'e1',
          prompt: 'none',
          response_mode: 'fragment',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        }),
      );
      assert.equal(none.status, 302);
      const to = new URL(none.headers.get('location')!);
      assert.equal(to.search, '');
      const fragment = new URLSearchParams(to.hash.slice(1));
      assert.equal(fragment.get('error'), 'login_required');
      assert.equal(fragment.get('state'), 'e1');

      const badScope = await t.fetch(
        authUrl({ client_id: 'web', redirect_uri: WEB_CB, scope: 'openid nope', response_mode: 'form_post' }),
      );
      assert.equal(badScope.status, 200);
      assert.equal(formFields(await badScope.text()).error, 'invalid_scope');
    });

    test('a token response type defaults to fragment for its error', async () => {
      const res = await t.fetch(authUrl({ client_id: 'web', redirect_uri: WEB_CB, response_type: 'token' }));
      assert.equal(res.status, 302);
      const to = new URL(res.headers.get('location')!);
      assert.equal(new URLSearchParams(to.hash.slice(1)).get('error'), 'unsupported_response_type');
      assert.equal(to.searchParams.get('error'), null, 'never in the query');
    });

    test('an unsupported mode, or query for a token type, is the error page and never a redirect', async () => {
      const cases: Record<string, string>[] = [
        { response_mode: 'jwt' },
        { response_mode: 'fragment.jwt' },
        { response_mode: 'query', response_type: 'id_token token' },
      ];
      for (const params of cases) {
        const res = await t.fetch(authUrl({ client_id: 'web', redirect_uri: WEB_CB, ...params }));
        assert.equal(res.status, 400, JSON.stringify(params));
        assert.equal(res.headers.get('location'), null);
        assert.match(await res.text(), /Invalid parameter: response_mode/);
      }
    });
  });
}
