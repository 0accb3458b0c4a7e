// The demo's upstream identity provider in a real browser (Debian's Chromium via playwright-core):
// a user signs in to App One through the "upstream" button (a second realm of the same server),
// App Two signs in by SSO, and a sign-out crosses the broker both ways — App One's sign-out ends the
// upstream session too, and the upstream's own sign-out reaches the demo's apps.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type Demo, startDemo } from '../start-demo.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;

/** From an app's "Sign in": the demo login page, its "upstream" button, the upstream realm's form. */
async function signInThroughUpstream(page: Page, app: string): Promise<void> {
  await page.goto(app);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'upstream' }).click();
  await page.waitForURL(/\/realms\/upstream\/protocol\/openid-connect\/auth/);
  await page.getByLabel('Username or email').fill('carol');
  await page.getByLabel('Password').fill('carol-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('sid').waitFor();
}

describe('demo upstream identity provider in Chromium', { skip }, () => {
  let browser: Browser;
  let d: Demo;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-demo-'));
    d = await startDemo({ serverPort: 0, appOnePort: 0, appTwoPort: 0, appThreePort: 0, appFourPort: 0, dataDir: dir });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    await d?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('sign in through "upstream" on the demo login page; a sign-out crosses the broker both ways', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    try {
      const one = await context.newPage();
      await signInThroughUpstream(one, d.appOne);
      await one.getByText('carol').first().waitFor();
      const sid = await one.getByTestId('sid').textContent();
      const two = await context.newPage();
      await two.goto(d.appTwo);
      await two.getByRole('button', { name: 'Sign in' }).click();
      await two.getByTestId('sid').waitFor();
      assert.equal(await two.getByTestId('sid').textContent(), sid, 'App Two by SSO: the same brokered session');

      // App One signs out: the demo's apps are told, and the browser passes the upstream's
      // end-session endpoint before it is back at App One.
      const crossed: string[] = [];
      one.on('request', (r) => {
        if (r.url().includes('/realms/upstream/protocol/openid-connect/logout')) crossed.push(r.url());
      });
      await one.getByRole('button', { name: 'Sign out' }).click();
      await one.getByTestId('signed-out').waitFor({ timeout: 15_000 });
      assert.equal(crossed.length, 1, 'the sign-out went through the upstream realm');
      await untilSignedOut(two);
      // The upstream session is over too: signing in again asks the upstream for the password.
      await signInThroughUpstream(two, d.appTwo);

      // Now the upstream signs the user out (its own logout endpoint): its back-channel logout
      // token reaches the demo realm, which ends the brokered session and tells App Two.
      const upstream = await context.newPage();
      await upstream.goto(`${d.server.url}/realms/upstream/protocol/openid-connect/logout`);
      const confirm = upstream.getByRole('button', { name: /log ?out|sign ?out/i });
      if (await confirm.count()) await confirm.first().click();
      // Two deliveries in turn (upstream → demo realm → App Two), each from its outbox: App Two's
      // page says signed-out once the second has landed, which takes longer on a busy machine.
      await untilSignedOut(two);
      // The demo realm's logout record names the upstream alias as the one that started it.
      const logout = await d.server.store.db
        .selectFrom('logout')
        .select(['actor', 'started_by'])
        .where('trigger', '=', 'upstream_logout')
        .executeTakeFirst();
      assert.deepEqual({ ...logout }, { actor: 'upstream', started_by: 'upstream' });
    } finally {
      await context.close();
    }
  });
});

/**
 * Reloads App Two's page until it says signed-out: its back-channel delivery comes from an outbox,
 * after the logout's redirect on a busy machine.
 */
async function untilSignedOut(page: Page, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    await page.reload();
    if (await page.getByTestId('signed-out').count()) return;
    assert.ok(Date.now() < until, `the app was not told of the sign-out within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
