// The sign-in page with two upstream providers, in Chromium: a link per provider (by its display
// name), one clicked signs in through that upstream (node-oidc-provider) back to the app, and
// kc_idp_hint skips the page straight to the hinted upstream.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser as Chromium, chromium } from 'playwright-core';
import { TEST_DATABASES } from '../helpers/databases.ts';
import {
  type BrokeringSundown,
  startBrokeringSundown,
  startUpstream,
  type Upstream,
  upstreamIdp,
} from '../helpers/upstream-idp.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
const APP_CB = 'http://127.0.0.1:9/app/cb';

describe('the sign-in page with two upstream providers, in Chromium', { skip }, () => {
  let s: BrokeringSundown;
  let up: Upstream;
  let up2: Upstream;
  let chrome: Chromium;

  before(async () => {
    s = await startBrokeringSundown(TEST_DATABASES[0]!, async (base) => {
      up = await startUpstream('sundown', `${base}/realms/test`, 'up');
      up2 = await startUpstream('sundown', `${base}/realms/test`, 'up2');
      return [
        {
          realm: 'test',
          clients: [{ clientId: 'app', secret: 'app-secret', redirectUris: [APP_CB] }],
          identityProviders: [
            upstreamIdp(up, 'sundown', { displayName: 'Corporate login' }, 'up'),
            upstreamIdp(up2, 'sundown', { displayName: 'Partner login' }, 'up2'),
            upstreamIdp(up2, 'sundown', { displayName: 'Hidden', hideOnLogin: true }, 'hidden'),
          ],
        },
      ];
    });
    chrome = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await chrome?.close();
    await s?.close();
    await up?.close();
    await up2?.close();
  });

  const authorize = (extra = '') =>
    `${s.base}/realms/test/protocol/openid-connect/auth?client_id=app&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(APP_CB)}${extra}`;

  test('a link per provider (hideOnLogin left out); one signs in through its upstream back to the app', async () => {
    const context = await chrome.newContext();
    const page = await context.newPage();
    await page.route(`${APP_CB}**`, (route) => route.fulfill({ status: 200, body: 'the app' }));
    await page.goto(authorize());
    const nav = page.getByRole('navigation', { name: 'Other ways to sign in' });
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Corporate login', 'Partner login']);
    await page.getByRole('link', { name: 'Partner login' }).click();
    await page.waitForURL(`${up2.issuer}/interaction/**`);
    await page.locator('input[name="login"]').fill('pat');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(`${up2.issuer}/interaction/**`);
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(`${APP_CB}?**`);
    assert.ok(new URL(page.url()).searchParams.get('code'));
    await context.close();
  });

  test('kc_idp_hint goes straight to the hinted upstream', async () => {
    const context = await chrome.newContext();
    const page = await context.newPage();
    await page.goto(authorize('&kc_idp_hint=up'));
    await page.waitForURL(`${up.issuer}/interaction/**`);
    assert.ok(page.url().startsWith(`${up.issuer}/interaction/`));
    await context.close();
  });
});
