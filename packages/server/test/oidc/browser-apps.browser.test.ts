// The two most used browser OIDC libraries, unchanged, against a real Sundown in Chromium
// (issue 14): keycloak-js 26 with its default options (login-required, PKCE S256, fragment
// response mode, third-party-cookie probe and login-status iframe) and oidc-client-ts 3 (code
// flow, silent sign-in, check_session_iframe monitoring, RP-initiated logout). The single-page
// apps and the libraries' own browser files are served by a loopback static server here; no
// request leaves the machine. Every response the apps get from Sundown is recorded: none may be
// a 4xx or 5xx, and no page may report a CSP violation.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser as Chromium, type BrowserContext, chromium, type Page } from 'playwright-core';
import { pino } from 'pino';
import { parseStartConfig } from '../../src/config.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { openStore } from '../../src/store/database.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# browser apps suite ${skip}`);

const MODULES = new URL('../../../../node_modules/', import.meta.url);
const LIBRARIES: Record<string, string> = {
  '/lib/keycloak.js': readFileSync(new URL('keycloak-js/lib/keycloak.js', MODULES), 'utf8'),
  '/lib/oidc-client-ts.js': readFileSync(new URL('oidc-client-ts/dist/browser/oidc-client-ts.js', MODULES), 'utf8'),
};

/** Seconds between the libraries' session checks: short, so a logout elsewhere shows quickly. */
const POLL_SECONDS = 1;

function keycloakPage(sundown: string, init: string): string {
  return `<!doctype html><html><body><p id="state">loading</p><script type="module">
import Keycloak from '/lib/keycloak.js';
const kc = new Keycloak({ url: ${JSON.stringify(sundown)}, realm: 'apps', clientId: 'kc-spa' });
window.kc = kc;
kc.onAuthLogout = () => window.report('kc-logout ' + location.pathname);
window.ready = kc.init(${init}).then((ok) => { document.getElementById('state').textContent = ok ? 'signed-in' : 'signed-out'; return ok; },
  (err) => { document.getElementById('state').textContent = 'failed: ' + (err && (err.message || err.error)); });
</script></body></html>`;
}

function oidcClientPage(issuer: string, spa: string, script: string): string {
  const settings = {
    authority: issuer,
    client_id: 'oc-spa',
    redirect_uri: `${spa}/oc.html`,
    silent_redirect_uri: `${spa}/oc-silent.html`,
    post_logout_redirect_uri: `${spa}/oc-bye.html`,
    scope: 'openid profile',
    monitorSession: true,
    checkSessionIntervalInSeconds: POLL_SECONDS,
  };
  return `<!doctype html><html><body><p id="state">loading</p><script src="/lib/oidc-client-ts.js"></script><script>
const mgr = new oidc.UserManager(${JSON.stringify(settings)});
window.mgr = mgr;
${script}
</script></body></html>`;
}

/** The single-page apps: keycloak-js (login-required and check-sso) and oidc-client-ts. */
function appPages(sundown: string, spa: string): Record<string, string> {
  const issuer = `${sundown}/realms/apps`;
  return {
    '/kc.html': keycloakPage(sundown, `{ onLoad: 'login-required', checkLoginIframeInterval: ${POLL_SECONDS} }`),
    '/kc-sso.html': keycloakPage(
      sundown,
      `{ onLoad: 'check-sso', silentCheckSsoRedirectUri: location.origin + '/silent-check-sso.html', checkLoginIframeInterval: ${POLL_SECONDS} }`,
    ),
    // Keycloak's documented silent-check-sso page.
    '/silent-check-sso.html':
      '<!doctype html><html><body><script>parent.postMessage(location.href, location.origin)</script></body></html>',
    '/bye.html': '<!doctype html><html><body><p id="state">bye</p></body></html>',
    '/oc.html': oidcClientPage(
      issuer,
      spa,
      `
mgr.events.addUserSignedOut(() => window.report('oc-signed-out'));
const show = (user) => { document.getElementById('state').textContent = user ? 'signed-in' : 'signed-out'; return user; };
const back = new URLSearchParams(location.search);
window.ready = (back.has('code') || back.has('error') ? mgr.signinRedirectCallback().then((u) => { history.replaceState(null, '', location.pathname); return u; }) : mgr.getUser()).then(show, (err) => { document.getElementById('state').textContent = 'failed: ' + err.message; });`,
    ),
    '/oc-silent.html': oidcClientPage(issuer, spa, 'mgr.signinCallback();'),
    '/oc-bye.html': '<!doctype html><html><body><p id="state">bye</p></body></html>',
  };
}

async function staticServer(pages: () => Record<string, string>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = LIBRARIES[path] ?? pages()[path];
    if (body === undefined) return void res.writeHead(404).end();
    res
      .writeHead(200, {
        'content-type': path.endsWith('.js') ? 'text/javascript' : 'text/html',
        'cache-control': 'no-store',
      })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // localhost, as Sundown's own URL: the same site, so its cookies reach the iframes (a
  // cross-site embedder gets none: this Chromium blocks third-party cookies).
  return { server, url: `http://localhost:${(server.address() as AddressInfo).port}` };
}

interface Recorder {
  /** Every response from Sundown the pages got: "<status> <method> <path>". */
  responses: string[];
  cspViolations: string[];
  events: string[];
  /** Resolves when an event matching `prefix` was reported (after `since` events). */
  waitForEvent(prefix: string, since?: number, timeoutMs?: number): Promise<string>;
}

async function record(context: BrowserContext, sundown: string): Promise<Recorder> {
  const r: Recorder = {
    responses: [],
    cspViolations: [],
    events: [],
    waitForEvent: async (prefix, since = 0, timeoutMs = 15_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = r.events.slice(since).find((e) => e.startsWith(prefix));
        if (hit) return hit;
        if (Date.now() > until)
          throw new Error(
            `no "${prefix}" event; got ${JSON.stringify(r.events)}; Sundown answered:\n${r.responses.join('\n')}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
  await context.exposeFunction('report', (event: string) => void r.events.push(event));
  context.on('response', (res) => {
    const url = new URL(res.url());
    // The browser's own favicon guess on Sundown's pages is not a library's request.
    if (url.origin === sundown && url.pathname !== '/favicon.ico')
      r.responses.push(`${res.status()} ${res.request().method()} ${url.pathname}`);
    if (process.env.DEBUG_BROWSER_APPS)
      console.log(`# response: ${res.status()} ${res.request().method()} ${res.url().slice(0, 200)}`);
  });
  context.on('console', (msg) => {
    if (process.env.DEBUG_BROWSER_APPS) console.log(`# console: ${msg.text()}`);
    if (/Content Security Policy|frame-ancestors|Refused to/i.test(msg.text())) r.cspViolations.push(msg.text());
  });
  return r;
}

function assertNoErrors(r: Recorder): void {
  const failed = r.responses.filter((line) => Number(line.slice(0, 3)) >= 400);
  assert.deepEqual(failed, [], `every response from Sundown is below 400:\n${r.responses.join('\n')}`);
  assert.deepEqual(r.cspViolations, []);
}

async function fillLoginForm(page: Page): Promise<void> {
  await page.getByLabel('Username or email').fill('alice');
  await page.getByLabel('Password').fill('alice-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const state = (page: Page) => page.locator('#state');

describe('browser apps in Chromium', { skip }, () => {
  let dir: string;
  let server: RunningServer;
  let chrome: Chromium;
  let spa: { server: Server; url: string };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-browser-apps-'));
    let sundown = '';
    spa = await staticServer(() => appPages(sundown, spa.url));
    const dataDir = join(dir, 'data');
    const store = await openStore({ kind: 'sqlite', dataDir });
    const app = (clientId: string) => ({
      clientId,
      publicClient: true,
      redirectUris: [`${spa.url}/*`],
      webOrigins: ['+'],
      attributes: { 'post.logout.redirect.uris': '+' },
    });
    await importRealm(
      store.db,
      parseRealmJson({
        realm: 'apps',
        clients: [app('kc-spa'), app('oc-spa')],
        users: [
          {
            username: 'alice',
            firstName: 'Alice',
            realmRoles: ['viewer'],
            clientRoles: { 'kc-spa': ['editor'] },
            credentials: [{ type: 'password', value: 'alice-password' }],
          },
        ],
      }),
    );
    await store.close();
    server = await startServer(
      parseStartConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {}),
      pino({ level: 'silent' }),
    );
    sundown = server.url;
    chrome = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });
  after(async () => {
    await chrome?.close();
    await server?.close();
    if (spa) await new Promise((resolve) => spa.server.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('keycloak-js with default options: sign in, updateToken(-1), check-sso without the form, onAuthLogout after a logout in another app, logout({ redirectUri })', async () => {
    const context = await chrome.newContext();
    const r = await record(context, server.url);
    try {
      // login-required: straight to Sundown's sign-in page, back with a code in the fragment.
      const a = await context.newPage();
      await a.goto(`${spa.url}/kc.html`);
      await a.getByLabel('Username or email').waitFor();
      const authorize = r.responses.find((l) => l.includes('/protocol/openid-connect/auth'));
      assert.ok(authorize, 'went to the authorization endpoint');
      await fillLoginForm(a);
      await state(a).filter({ hasText: 'signed-in' }).waitFor();
      const first = await a.evaluate(() => {
        const kc = (
          window as unknown as {
            kc: {
              token: string;
              tokenParsed: { sid?: string };
              refreshTokenParsed: { typ?: string; exp?: number };
              idTokenParsed: { typ?: string };
            };
          }
        ).kc;
        return {
          token: kc.token,
          sid: kc.tokenParsed.sid,
          refreshTyp: kc.refreshTokenParsed.typ,
          refreshExp: kc.refreshTokenParsed.exp,
          idTyp: kc.idTokenParsed.typ,
        };
      });
      assert.ok(first.sid, 'tokenParsed.sid');
      assert.equal(first.refreshTyp, 'Refresh');
      assert.equal(typeof first.refreshExp, 'number');
      assert.equal(first.idTyp, 'ID');
      // Chromium keeps a SameSite=None; Secure cookie from plain http://localhost (it would drop
      // SameSite=None without Secure), and the iframe page at the realm's path can read it.
      const status = (await context.cookies(`${server.url}/realms/apps/`)).find((c) => c.name === 'KEYCLOAK_SESSION');
      assert.equal(status?.sameSite, 'None');
      assert.equal(status?.secure, true);
      assert.equal(status?.httpOnly, false);
      assert.equal(status?.path, '/realms/apps/');

      // updateToken(-1) forces a refresh (a CORS request with credentials).
      const refreshed = await a.evaluate(async () => {
        const kc = (window as unknown as { kc: { updateToken(n: number): Promise<boolean>; token: string } }).kc;
        return { ok: await kc.updateToken(-1), token: kc.token };
      });
      assert.equal(refreshed.ok, true);
      assert.notEqual(refreshed.token, first.token);

      // check-sso with a silent-check-sso page: signed in without leaving the app.
      const b = await context.newPage();
      const bNavigations: string[] = [];
      b.on('request', (req) => {
        if (req.isNavigationRequest() && req.frame() === b.mainFrame()) bNavigations.push(req.url());
      });
      await b.goto(`${spa.url}/kc-sso.html`);
      await state(b).filter({ hasText: 'signed-in' }).waitFor();
      assert.deepEqual(bNavigations, [`${spa.url}/kc-sso.html`], 'no top-level trip to Sundown: the iframes did it');
      assert.equal(
        await b.evaluate(() => (window as unknown as { kc: { tokenParsed: { sid: string } } }).kc.tokenParsed.sid),
        first.sid,
        'the same SSO session',
      );

      // Another app (oidc-client-ts, client oc-spa) signs in by SSO and signs out (RP-initiated).
      const since = r.events.length;
      const c = await context.newPage();
      await c.goto(`${spa.url}/oc.html`);
      await state(c).filter({ hasText: 'signed-out' }).waitFor();
      await c.evaluate(
        () => void (window as unknown as { mgr: { signinRedirect(): Promise<void> } }).mgr.signinRedirect(),
      );
      await state(c).filter({ hasText: 'signed-in' }).waitFor();
      const loggedOutAt = Date.now();
      await c.evaluate(
        () => void (window as unknown as { mgr: { signoutRedirect(): Promise<void> } }).mgr.signoutRedirect(),
      );
      await c.waitForURL(`${spa.url}/oc-bye.html**`);
      // Both keycloak-js pages see it through the login-status iframe.
      await r.waitForEvent('kc-logout /kc.html', since);
      await r.waitForEvent('kc-logout /kc-sso.html', since);
      console.log(
        `# onAuthLogout ${Date.now() - loggedOutAt} ms after the logout elsewhere (poll interval ${POLL_SECONDS} s)`,
      );

      // login-required sends page A back to the sign-in page: sign in, then keycloak.logout().
      await a.getByLabel('Username or email').waitFor();
      await fillLoginForm(a);
      await state(a).filter({ hasText: 'signed-in' }).waitFor();
      await a.evaluate(
        (to) =>
          void (window as unknown as { kc: { logout(o: { redirectUri: string }): Promise<void> } }).kc.logout({
            redirectUri: to,
          }),
        `${spa.url}/bye.html`,
      );
      await a.waitForURL(`${spa.url}/bye.html`);
      const check = await context.newPage();
      await check.goto(`${spa.url}/kc-sso.html`);
      await state(check).filter({ hasText: 'signed-out' }).waitFor();
      assertNoErrors(r);
    } finally {
      await context.close();
    }
  });

  // Issue 23: keycloak-js reads roles from the access token (realm_access, resource_access) and
  // loads the profile from the Account REST API, cross-origin.
  test('keycloak-js: hasRealmRole, hasResourceRole and loadUserProfile()', async () => {
    const context = await chrome.newContext();
    const r = await record(context, server.url);
    try {
      const a = await context.newPage();
      await a.goto(`${spa.url}/kc.html`);
      await a.getByLabel('Username or email').waitFor();
      await fillLoginForm(a);
      await state(a).filter({ hasText: 'signed-in' }).waitFor();
      const seen = await a.evaluate(async () => {
        const kc = (
          window as unknown as {
            kc: {
              hasRealmRole(role: string): boolean;
              hasResourceRole(role: string, resource?: string): boolean;
              loadUserProfile(): Promise<{ username?: string; firstName?: string }>;
            };
          }
        ).kc;
        const profile = await kc.loadUserProfile();
        return {
          viewer: kc.hasRealmRole('viewer'),
          admin: kc.hasRealmRole('admin'),
          editor: kc.hasResourceRole('editor'),
          editorOfKcSpa: kc.hasResourceRole('editor', 'kc-spa'),
          editorOfOther: kc.hasResourceRole('editor', 'oc-spa'),
          username: profile.username,
          firstName: profile.firstName,
        };
      });
      assert.deepEqual(seen, {
        viewer: true,
        admin: false,
        editor: true,
        editorOfKcSpa: true,
        editorOfOther: false,
        username: 'alice',
        firstName: 'Alice',
      });
      assert.ok(
        r.responses.some((l) => /^200 GET \/realms\/apps\/account/.test(l)),
        r.responses.join('\n'),
      );
      assertNoErrors(r);
    } finally {
      await context.close();
    }
  });

  test('oidc-client-ts: signinRedirect, signinSilent, monitorSession reports userSignedOut after a logout elsewhere, signoutRedirect with id_token_hint', async () => {
    const context = await chrome.newContext();
    const r = await record(context, server.url);
    try {
      const page = await context.newPage();
      type Mgr = {
        mgr: {
          signinRedirect(): Promise<void>;
          signinSilent(): Promise<{ access_token: string; session_state: string | null } | null>;
          removeUser(): Promise<void>;
          getUser(): Promise<{ access_token: string; id_token: string; session_state: string | null } | null>;
          signoutRedirect(): Promise<void>;
        };
      };
      await page.goto(`${spa.url}/oc.html`);
      await state(page).filter({ hasText: 'signed-out' }).waitFor();
      await page.evaluate(() => void (window as unknown as Mgr).mgr.signinRedirect());
      await page.getByLabel('Username or email').waitFor();
      await fillLoginForm(page);
      await state(page).filter({ hasText: 'signed-in' }).waitFor();
      const user = await page.evaluate(() => (window as unknown as Mgr).mgr.getUser());
      assert.ok(user?.session_state, 'session_state from the authorization response');

      // signinSilent: with the refresh token, then (user removed) through the prompt=none iframe.
      const renewed = await page.evaluate(() => (window as unknown as Mgr).mgr.signinSilent());
      assert.ok(renewed && renewed.access_token !== user.access_token);
      const iframed = await page.evaluate(async () => {
        const m = (window as unknown as Mgr).mgr;
        await m.removeUser();
        return m.signinSilent();
      });
      assert.ok(iframed?.access_token, 'signed in silently through the iframe');
      assert.equal(iframed.session_state, user.session_state);
      assert.ok(
        r.responses.some((l) => l.startsWith('302 GET') && l.endsWith('/protocol/openid-connect/auth')),
        'the iframe went through the authorization endpoint',
      );

      // Monitoring: keycloak-js signs in by SSO in another page and logs out there.
      const since = r.events.length;
      const other = await context.newPage();
      await other.goto(`${spa.url}/kc.html`);
      await state(other).filter({ hasText: 'signed-in' }).waitFor();
      await other.evaluate(
        (to) =>
          void (window as unknown as { kc: { logout(o: { redirectUri: string }): Promise<void> } }).kc.logout({
            redirectUri: to,
          }),
        `${spa.url}/bye.html`,
      );
      await other.waitForURL(`${spa.url}/bye.html`);
      await r.waitForEvent('oc-signed-out', since);

      // signoutRedirect sends the ID token as id_token_hint and comes back.
      await page.evaluate(() => void (window as unknown as Mgr).mgr.signinRedirect());
      await page.getByLabel('Username or email').waitFor();
      await fillLoginForm(page);
      await state(page).filter({ hasText: 'signed-in' }).waitFor();
      const { id_token } = (await page.evaluate(() => (window as unknown as Mgr).mgr.getUser()))!;
      const logoutRequest = page.waitForRequest((req) =>
        req.url().startsWith(`${server.url}/realms/apps/protocol/openid-connect/logout`),
      );
      await page.evaluate(() => void (window as unknown as Mgr).mgr.signoutRedirect());
      assert.equal(new URL((await logoutRequest).url()).searchParams.get('id_token_hint'), id_token);
      await page.waitForURL(`${spa.url}/oc-bye.html**`);
      const check = await context.newPage();
      await check.goto(`${spa.url}/kc-sso.html`);
      await state(check).filter({ hasText: 'signed-out' }).waitFor();
      assertNoErrors(r);
    } finally {
      await context.close();
    }
  });
});
