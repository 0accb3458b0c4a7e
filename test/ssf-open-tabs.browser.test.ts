// Issue 25's "Done means" in Chromium, end to end: a user signed in to an app (two instances
// sharing Redis) through a real Sundown has two tabs open, one on each instance; the user signs
// out at Sundown from a third tab (the app's "Sign out", RP-initiated logout). Sundown's
// back-channel logout token reaches one instance; the other learns of it through Redis pub/sub;
// both open tabs show the signed-out state through @sundown/rp's tab relay — no reload, and
// no third-party cookie (the event stream is the app's own origin).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import session from 'express-session';
import { type Browser, chromium } from 'playwright-core';
import { REDIS_URL, redisStore, startSundown, type Sundown } from './helpers/ssf-stack.ts';
import { reservePort, startTabApp, type TabAppInstance } from './helpers/tab-app.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM)
  ? `SKIPPED: ${CHROMIUM} is not installed`
  : !REDIS_URL
    ? 'SKIPPED: no Redis (SUNDOWN_TEST_REDIS_URL)'
    : undefined;

describe('open tabs on two app instances show signed-out after a logout at Sundown (Chromium)', { skip }, () => {
  let sundown: Sundown;
  let chrome: Browser;
  const closers: Array<() => Promise<void>> = [];
  let a: TabAppInstance;
  let b: TabAppInstance;

  before(async () => {
    sundown = await startSundown();
    const { listener, base } = await reservePort();
    const issuer = await sundown.addRealm({
      realm: 'tabs',
      enabled: true,
      attributes: { backchannelLogoutAllowHttp: 'true' },
      clients: [
        {
          clientId: 'app',
          secret: 'app-secret',
          redirectUris: [`${base}/callback`],
          attributes: {
            'backchannel.logout.url': `${base}/backchannel-logout`,
            'post.logout.redirect.uris': `${base}/`,
          },
        },
      ],
      users: [{ username: 'alice', credentials: [{ type: 'password', value: 'alice-pw' }] }],
    });
    const prefix = `tabs${process.pid}${Math.random().toString(36).slice(2, 8)}:`;
    const sessions = new session.MemoryStore();
    const [storeA, storeB] = [await redisStore(prefix), await redisStore(prefix)];
    closers.push(storeA.close, storeB.close);
    const options = { issuer, clientId: 'app', clientSecret: 'app-secret', sessions, redirectUri: `${base}/callback` };
    a = await startTabApp({ ...options, store: storeA.store, listener });
    b = await startTabApp({ ...options, store: storeB.store });
    closers.push(a.close, b.close);
    chrome = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });

  after(async () => {
    await chrome?.close();
    for (const close of closers.reverse()) await close();
    await sundown?.close();
  });

  test('both tabs show signed-out at once; a reload then shows the signed-out page', async () => {
    const context = await chrome.newContext();
    const first = await context.newPage();
    await first.goto(`${a.base}/login`);
    await first.fill('input[name="username"]', 'alice');
    await first.fill('input[name="password"]', 'alice-pw');
    await Promise.all([first.waitForURL(`${a.base}/`), first.press('input[name="password"]', 'Enter')]);
    // The second tab is on the other instance (the session cookie is the app's, 127.0.0.1).
    const second = await context.newPage();
    await second.goto(`${b.base}/`);
    for (const page of [first, second]) {
      assert.match((await page.textContent('main')) ?? '', /^Signed in as /);
      await page.waitForSelector('html[data-sundown-session-events="open"]', { state: 'attached', timeout: 10_000 });
    }

    // The user signs out in a third tab: the app's sign-out, which ends the session at Sundown.
    const third = await context.newPage();
    const started = Date.now();
    await third.goto(`${a.base}/logout`);
    await third.waitForURL(`${a.base}/`);
    assert.equal(await third.textContent('main'), 'Signed out');
    for (const page of [first, second]) {
      const banner = await page.waitForSelector('#sundown-signed-out[role="alert"]', { timeout: 10_000 });
      assert.match((await banner.textContent()) ?? '', /You have been signed out/);
      assert.equal(await page.getAttribute('html', 'data-sundown-signed-out'), 'true');
      assert.match((await page.textContent('main')) ?? '', /^Signed in as /, 'no reload happened');
    }
    console.log(`# both tabs showed signed-out ${Date.now() - started} ms after the sign-out began`);
    await second.reload();
    assert.equal(await second.textContent('main'), 'Signed out');
    await context.close();
  });
});
