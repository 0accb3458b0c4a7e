// Keycloak's iframe pages for browser apps (issue 14): the third-party-cookie probe, the
// login-status iframe (OIDC Session Management 1.0 check_session_iframe) and its /init check,
// and the session-status cookie KEYCLOAK_SESSION kept in step with the browser's session. The
// pages' scripts run in Chromium in browser-apps.browser.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ProviderUrls } from '../../../src/provider-urls.ts';
import { sha256 } from '../../../src/crypto/random.ts';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { clearSessionStatusCookie, sessionStatusCookie } from '../../../src/sessions/session-status-cookie.ts';
import { Browser, parseLoginForm } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { authUrl, pkce } from '../../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../../helpers/provider.ts';

const REALM = `${ISSUER_BASE}/realms/apps`;
const OIDC = `${REALM}/protocol/openid-connect`;
const SPA = 'https://spa.example';

const APPS_REALM = {
  realm: 'apps',
  clients: [
    {
      clientId: 'spa',
      publicClient: true,
      redirectUris: [`${SPA}/cb`],
      webOrigins: ['+'],
      attributes: { 'post.logout.redirect.uris': '+' },
    },
    {
      clientId: 'shell',
      publicClient: true,
      redirectUris: ['https://shell.example/cb'],
      webOrigins: ['https://shell.example', 'https://widgets.example'],
    },
    {
      clientId: 'off',
      publicClient: true,
      enabled: false,
      redirectUris: ['https://off.example/cb'],
      webOrigins: ['https://off.example'],
    },
  ],
  users: [{ username: 'alice', credentials: [{ type: 'password', value: 'alice-pw' }] }],
};

function setCookies(res: Response, name: string): string[] {
  return res.headers.getSetCookie().filter((c) => c.startsWith(`${name}=`));
}

test('the session-status cookie is SameSite=None; Secure under https and on loopback http, Lax on other plain http', () => {
  const cookie = (url: string) => sessionStatusCookie(new ProviderUrls(url, ''), 'r', 'sid-1', 60);
  assert.equal(
    cookie('https://sso.example'),
    `KEYCLOAK_SESSION=${sha256('sid-1')}; Path=/realms/r/; SameSite=None; Secure; Max-Age=60`,
  );
  for (const loopback of ['http://localhost:8080', 'http://127.0.0.1:8080', 'http://[::1]:8080'])
    assert.match(cookie(loopback), /SameSite=None; Secure/, loopback);
  assert.match(cookie('http://sso.internal:8080'), /SameSite=Lax; Max-Age=60$/);
  assert.doesNotMatch(cookie('https://sso.example'), /HttpOnly/, 'the iframe reads it');
  assert.equal(
    sessionStatusCookie(new ProviderUrls('https://sso.example', '/auth'), 'r', 's', 1).includes('Path=/auth/realms/r/'),
    true,
  );
  assert.equal(
    clearSessionStatusCookie(new ProviderUrls('https://sso.example', ''), 'r'),
    'KEYCLOAK_SESSION=; Path=/realms/r/; SameSite=None; Secure; Max-Age=0',
  );
});

for (const database of TEST_DATABASES) {
  describe(`session iframes on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database);
      await importRealm(t.store.db, parseRealmJson(APPS_REALM));
    });
    after(() => t?.close());

    test('discovery advertises check_session_iframe at Keycloak’s path', async () => {
      const meta = (await (await t.fetch(`${REALM}/.well-known/openid-configuration`)).json()) as Record<
        string,
        unknown
      >;
      assert.equal(meta.check_session_iframe, `${OIDC}/login-status-iframe.html`);
    });

    test("the iframe pages are no-cache, nonce'd, and framable only by the realm's client web origins", async () => {
      for (const path of ['login-status-iframe.html', '3p-cookies/step1.html', '3p-cookies/step2.html']) {
        const res = await t.fetch(`${OIDC}/${path}`);
        assert.equal(res.status, 200, path);
        assert.match(res.headers.get('content-type')!, /text\/html/);
        assert.equal(res.headers.get('cache-control'), 'no-cache');
        assert.equal(res.headers.get('x-frame-options'), null);
        const csp = res.headers.get('content-security-policy')!;
        const ancestors = /frame-ancestors ([^;]+)/.exec(csp)![1]!.split(' ').sort();
        assert.deepEqual(
          ancestors,
          ['https://shell.example', SPA, 'https://widgets.example'],
          `${path}: the disabled client's origin is not among them`,
        );
        const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1];
        assert.match(await res.text(), new RegExp(`<script type="module" nonce="${nonce}">`));
      }
      // A realm whose clients list no web origins: nobody may frame them.
      const bare = await t.fetch(`${ISSUER_BASE}/realms/test/protocol/openid-connect/login-status-iframe.html`);
      assert.match(bare.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    });

    test('the probe pages post only "supported"/"unsupported"; the status page answers unchanged/changed/error', async () => {
      const step1 = await (await t.fetch(`${OIDC}/3p-cookies/step1.html`)).text();
      assert.match(step1, /requestStorageAccess/);
      assert.match(step1, /location\.replace\('step2\.html'\)/);
      const step2 = await (await t.fetch(`${OIDC}/3p-cookies/step2.html`)).text();
      assert.match(step2, /postMessage\(supported \? 'supported' : 'unsupported', '\*'\)/);
      const status = await (await t.fetch(`${OIDC}/login-status-iframe.html`)).text();
      for (const word of ["'unchanged'", "'changed'", "'error'", 'KEYCLOAK_SESSION', '/init'])
        assert.ok(status.includes(word), word);
    });

    test('init: 204 for an enabled client and one of its origins, 403 otherwise', async () => {
      const init = (q: Record<string, string>) =>
        t.fetch(`${OIDC}/login-status-iframe.html/init?${new URLSearchParams(q)}`);
      assert.equal(
        (await init({ client_id: 'spa', origin: SPA })).status,
        204,
        '+ resolves to the redirect URI origins',
      );
      assert.equal((await init({ client_id: 'shell', origin: 'https://widgets.example' })).status, 204);
      assert.equal(
        (await init({ client_id: 'spa', origin: ISSUER_BASE })).status,
        204,
        "the provider's own origin, as Keycloak",
      );
      assert.equal((await init({ client_id: 'spa', origin: 'https://evil.example' })).status, 403);
      assert.equal((await init({ client_id: 'shell', origin: SPA })).status, 403, "another client's origin");
      assert.equal((await init({ client_id: 'off', origin: 'https://off.example' })).status, 403, 'disabled client');
      assert.equal((await init({ client_id: 'ghost', origin: SPA })).status, 403);
      assert.equal((await init({ client_id: 'spa' })).status, 403);
      assert.equal((await init({})).status, 403);
    });

    test('KEYCLOAK_SESSION is the hash of session_state: set at sign-in and at SSO, cleared at logout', async () => {
      const browser = new Browser(t.fetch);
      const url = authUrl(
        {
          client_id: 'spa',
          redirect_uri: `${SPA}/cb`,
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        },
        OIDC,
      );
      const page = await browser.get(url);
      const form = parseLoginForm(await page.text(), url);
      const signedIn = await browser.post(form.action, {
        auth_request: form.authRequest,
        username: 'alice',
        password: 'alice-pw',
      });
      assert.equal(signedIn.status, 303);
      const sessionState = new URL(signedIn.headers.get('location')!).searchParams.get('session_state')!;
      const [status] = setCookies(signedIn, 'KEYCLOAK_SESSION');
      assert.equal(
        status,
        `KEYCLOAK_SESSION=${sha256(sessionState)}; Path=/realms/apps/; SameSite=None; Secure; Max-Age=36000`,
      );
      assert.equal(setCookies(signedIn, 'SUNDOWN_SESSION').length, 1, 'the session cookie is set as before');

      const sso = await browser.get(url);
      assert.equal(sso.status, 302);
      assert.deepEqual(setCookies(sso, 'KEYCLOAK_SESSION'), [status], 'SSO refreshes the same value');

      const confirmPage = await (await browser.get(`${OIDC}/logout?client_id=spa`)).text();
      const action = /action="([^"]+)"/.exec(confirmPage)![1]!;
      const id = /name="logout_request" value="([^"]+)"/.exec(confirmPage)![1]!;
      const done = await browser.post(new URL(action, OIDC).toString(), { logout_request: id, confirm: 'yes' });
      assert.equal(done.status, 200);
      assert.deepEqual(setCookies(done, 'KEYCLOAK_SESSION'), [
        'KEYCLOAK_SESSION=; Path=/realms/apps/; SameSite=None; Secure; Max-Age=0',
      ]);
      assert.equal(browser.cookie('KEYCLOAK_SESSION'), undefined);
    });

    test("the status page's session check: live while the browser's session lives, ended once it ended elsewhere (an administrator), unknown without the cookie", async () => {
      const browser = new Browser(t.fetch);
      const url = authUrl(
        {
          client_id: 'spa',
          redirect_uri: `${SPA}/cb`,
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        },
        OIDC,
      );
      const form = parseLoginForm(await (await browser.get(url)).text(), url);
      const signedIn = await browser.post(form.action, {
        auth_request: form.authRequest,
        username: 'alice',
        password: 'alice-pw',
      });
      const sid = new URL(signedIn.headers.get('location')!).searchParams.get('session_state')!;
      const check = `${OIDC}/login-status-iframe.html/session`;
      const answer = async (b: Browser) => {
        const res = await b.get(check);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('access-control-allow-origin'), null, 'same-origin only');
        return res.text();
      };
      assert.equal(await answer(browser), 'live');
      assert.equal(await answer(new Browser(t.fetch)), 'unknown');
      const realm = (await t.provider.ctx.realms.realmByName('apps'))!;
      await t.provider.ctx.logout.endSessions(realm, [sid], 'admin_session');
      assert.equal(await answer(browser), 'ended');
    });

    test('form_post after the sign-in form is the form page itself, with both cookies', async () => {
      const browser = new Browser(t.fetch);
      const url = authUrl(
        {
          client_id: 'spa',
          redirect_uri: `${SPA}/cb`,
          response_mode: 'form_post',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        },
        OIDC,
      );
      const form = parseLoginForm(await (await browser.get(url)).text(), url);
      const res = await browser.post(form.action, {
        auth_request: form.authRequest,
        username: 'alice',
        password: 'alice-pw',
      });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /<form method="post" action="https:\/\/spa.example\/cb">/);
      assert.equal(setCookies(res, 'SUNDOWN_SESSION').length, 1);
      assert.equal(setCookies(res, 'KEYCLOAK_SESSION').length, 1);
    });
  });
}
