// The login-status iframe (OIDC Session Management 1.0 §3.2) under a foreign page, in Chromium
// (issue 21 finding 3). A page on another origin opens the app in a window and posts to the app's
// login-status iframe before the app does. Before the fix, the iframe kept that first `/init`
// check whatever its outcome, so the app's own check then answered "error" and keycloak-js
// dropped its tokens. Now only a successful check is kept, per (client, origin): the foreign
// message gets "error" and the app's own checks answer "unchanged" / "changed" as they should.
// Loopback only: the app on localhost (the same site as Sundown, so the iframe has its cookies),
// the foreign page on 127.0.0.1.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser as Chromium, type BrowserContext, chromium, type Page } from 'playwright-core';
import { pino } from 'pino';
import { parseStartConfig } from '../../../src/config.ts';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { type RunningServer, startServer } from '../../../src/server.ts';
import { openStore } from '../../../src/store/database.ts';
import { pkce } from '../../helpers/oauth.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# login-status iframe suite ${skip}`);

/** The app: its login-status iframe, and `check(sessionState)`, which posts as keycloak-js does and resolves with the answer. */
function appPage(sundown: string): string {
  const iframe = `${sundown}/realms/apps/protocol/openid-connect/login-status-iframe.html`;
  return `<!doctype html><html><body><iframe id="status" src="${iframe}"></iframe><script>
const frame = document.getElementById('status');
window.loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
window.check = (message) => new Promise((resolve) => {
  const onAnswer = (e) => {
    if (e.origin !== ${JSON.stringify(sundown)} || e.source !== frame.contentWindow) return;
    removeEventListener('message', onAnswer);
    resolve(e.data);
  };
  addEventListener('message', onAnswer);
  frame.contentWindow.postMessage(message, ${JSON.stringify(sundown)});
});
</script></body></html>`;
}

/** The foreign page: opens the app and posts `message` to its iframe until the iframe answers it. */
function foreignPage(sundown: string): string {
  return `<!doctype html><html><body><script>
window.attack = (appUrl, message) => new Promise((resolve, reject) => {
  const w = open(appUrl);
  const timer = setInterval(() => { try { w.frames[0]?.postMessage(message, '*'); } catch {} }, 50);
  addEventListener('message', (e) => {
    if (e.origin !== ${JSON.stringify(sundown)}) return;
    clearInterval(timer);
    resolve(e.data);
  });
  setTimeout(() => { clearInterval(timer); reject(new Error('the iframe never answered')); }, 10000);
});
</script></body></html>`;
}

async function pageServer(host: string, pages: () => Record<string, string>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const body = pages()[new URL(req.url ?? '/', 'http://x').pathname];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}` };
}

describe('login-status iframe under a foreign page in Chromium', { skip }, () => {
  let dir: string;
  let server: RunningServer;
  let chrome: Chromium;
  let app: { server: Server; url: string };
  let foreign: { server: Server; url: string };
  let context: BrowserContext;
  let sessionState: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-login-status-'));
    let sundown = '';
    app = await pageServer('localhost', () => ({ '/app.html': appPage(sundown), '/cb': '<p id="cb">back</p>' }));
    foreign = await pageServer('127.0.0.1', () => ({ '/attack.html': foreignPage(sundown) }));
    const dataDir = join(dir, 'data');
    const store = await openStore({ kind: 'sqlite', dataDir });
    await importRealm(
      store.db,
      parseRealmJson({
        realm: 'apps',
        clients: [
          { clientId: 'app', publicClient: true, redirectUris: [`${app.url}/*`], webOrigins: ['+'] },
          // A client the foreign origin may use: its own check there succeeds.
          { clientId: 'widget', publicClient: true, redirectUris: [`${foreign.url}/cb`], webOrigins: [foreign.url] },
        ],
        users: [{ username: 'alice', credentials: [{ type: 'password', value: 'alice-password' }] }],
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
    // Alice signs in to the app: the browser gets KEYCLOAK_SESSION, the app its session_state.
    context = await chrome.newContext();
    const page = await context.newPage();
    const auth = new URL(`${sundown}/realms/apps/protocol/openid-connect/auth`);
    for (const [k, v] of Object.entries({
      client_id: 'app',
      redirect_uri: `${app.url}/cb`,
      response_type: 'code',
      scope: 'openid',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    }))
      auth.searchParams.set(k, v);
    await page.goto(auth.toString());
    await page.getByLabel('Username or email').fill('alice');
    await page.getByLabel('Password').fill('alice-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/cb');
    sessionState = new URL(page.url()).searchParams.get('session_state') ?? '';
    assert.ok(sessionState, 'the authorization response carries session_state');
    await page.close();
  });
  after(async () => {
    await context?.close();
    await chrome?.close();
    await server?.close();
    for (const s of [app, foreign]) if (s) await new Promise((resolve) => s.server.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The foreign page opens the app and posts `message` first; returns the foreign page's answer and the app's window. */
  async function foreignPostsFirst(message: string): Promise<{ answer: unknown; appWindow: Page }> {
    const attacker = await context.newPage();
    await attacker.goto(`${foreign.url}/attack.html`);
    const popup = context.waitForEvent('page');
    const answer = await attacker.evaluate(
      ([url, m]) => (window as unknown as { attack(u: string, m: string): Promise<unknown> }).attack(url, m),
      [`${app.url}/app.html`, message] as const,
    );
    const appWindow = await popup;
    await appWindow.evaluate(() => (window as unknown as { loaded: Promise<void> }).loaded);
    return { answer, appWindow };
  }

  const check = (page: Page, message: string) =>
    page.evaluate((m) => (window as unknown as { check(m: string): Promise<string> }).check(m), message);

  test("login-status-iframe-poisoning: a foreign page's failed check first does not make the app's own check answer error", async () => {
    const { answer, appWindow } = await foreignPostsFirst(`app ${sessionState}`);
    assert.equal(answer, 'error', 'the foreign origin is not a web origin of the app');
    assert.equal(await check(appWindow, `app ${sessionState}`), 'unchanged');
    assert.equal(await check(appWindow, 'app another-session'), 'changed');
    // A failing message from the app's own origin (a client it is not a web origin of) changes nothing either.
    assert.equal(await check(appWindow, `widget ${sessionState}`), 'error');
    assert.equal(await check(appWindow, `app ${sessionState}`), 'unchanged');
    await appWindow.close();
  });

  test("login-status-iframe-poisoning: a foreign page's successful check for its own client does not make the app's check answer error", async () => {
    const { answer, appWindow } = await foreignPostsFirst(`widget ${sessionState}`);
    assert.equal(answer, 'unchanged', "the foreign origin is the widget client's web origin");
    assert.equal(await check(appWindow, `app ${sessionState}`), 'unchanged');
    assert.equal(await check(appWindow, 'app another-session'), 'changed');
    await appWindow.close();
  });
});
