// Issue 25's "Done means" in Chromium: two open tabs of a small Express app (express-session,
// the tab relay and its browser module) both show the signed-out state after a back-channel
// logout reaches the app — with no reload and no third-party cookie.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import session from 'express-session';
import { type Browser, chromium } from 'playwright-core';
import {
  backchannelLogoutRouter,
  destroyExpressSessions,
  recordLogin,
  requireActiveSession,
  sessionIdentity,
  tabRelayRouter,
} from '../../src/adapters/express.ts';
import { MemoryLogoutStore } from '../../src/index.ts';
import { CLIENT, ISSUER, testIssuer } from '../helpers/tokens.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed`;
if (skip) console.log(`# open tabs suite ${skip}`);

const op = await testIssuer();

describe('open tabs learn of the logout (Chromium)', { skip }, () => {
  let chrome: Browser;
  let server: Server;
  let base: string;
  let tabs: ReturnType<typeof tabRelayRouter>;

  before(async () => {
    const store = new MemoryLogoutStore();
    const sessions = new session.MemoryStore();
    const app = express();
    app.use(
      backchannelLogoutRouter({
        issuer: ISSUER,
        clientId: CLIENT,
        keys: op.jwks,
        store,
        onLogout: destroyExpressSessions(sessions),
      }),
    );
    app.use(session({ secret: 's', resave: false, saveUninitialized: false, store: sessions }));
    app.use(requireActiveSession({ store }));
    tabs = tabRelayRouter({ store });
    app.use(tabs);
    // A stand-in for the OpenID sign-in: the session of user-1 with sid-1.
    app.get('/login', (req, res, next) => {
      recordLogin(req, { iss: ISSUER, sid: 'sid-1', sub: 'user-1' }, { store }).then(() => res.redirect('/'), next);
    });
    app.get('/', (req, res) => {
      const who = sessionIdentity(req);
      res
        .type('html')
        .send(
          who
            ? `<!doctype html><title>App</title><main>Signed in as ${who.sub}</main><script type="module" src="/sundown/session-events.js"></script>`
            : '<!doctype html><title>App</title><main>Signed out</main>',
        );
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    chrome = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });

  after(async () => {
    await chrome?.close();
    await tabs?.relay.close();
    server?.closeAllConnections();
    if (server) await new Promise((r) => server.close(r));
  });

  test('two tabs of the app both show signed-out after a back-channel logout, without a reload', async () => {
    const context = await chrome.newContext();
    const first = await context.newPage();
    await first.goto(`${base}/login`);
    const second = await context.newPage();
    await second.goto(base);
    for (const page of [first, second]) {
      assert.equal(await page.textContent('main'), 'Signed in as user-1');
      // The stream is live (its `ready` event came) before the logout is sent.
      await page.waitForSelector('html[data-sundown-session-events="open"]', { state: 'attached', timeout: 10_000 });
    }
    const started = Date.now();
    const res = await fetch(`${base}/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: await op.token() }),
    });
    assert.equal(res.status, 200);
    for (const page of [first, second]) {
      const banner = await page.waitForSelector('#sundown-signed-out[role="alert"]', { timeout: 10_000 });
      assert.match((await banner.textContent()) ?? '', /You have been signed out/);
      assert.equal(await page.getAttribute('html', 'data-sundown-signed-out'), 'true');
      assert.equal(await page.textContent('main'), 'Signed in as user-1', 'no reload happened');
    }
    console.log(`# both tabs showed signed-out ${Date.now() - started} ms after the logout token was posted`);
    await first.reload();
    assert.equal(await first.textContent('main'), 'Signed out');
    await context.close();
  });
});
