// The demo's OIDC and SAML apps signing out together in Chromium (issue 16): App Four (node-saml)
// and App One (openid-client) in one SSO session; signing out of App One sends App Four its signed
// LogoutRequest through the signed-out page's iframe, and signing out of App Four (its own signed
// Redirect LogoutRequest) sends App One its back-channel logout token.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type Demo, startDemo } from '../start-demo.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# demo SAML logout suite ${skip}`);

async function startAll(): Promise<{ demo: Demo; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-demo-saml-'));
  return {
    demo: await startDemo({
      serverPort: 0,
      appOnePort: 0,
      appTwoPort: 0,
      appThreePort: 0,
      appFourPort: 0,
      dataDir: dir,
    }),
    dir,
  };
}

/** App Four first (the login form), then App One by SSO: one session. */
async function signInBoth(d: Demo, four: Page, one: Page): Promise<void> {
  await four.goto(d.appFour);
  await four.getByRole('button', { name: 'Sign in' }).click();
  await four.getByLabel('Username or email').fill('alice');
  await four.getByLabel('Password').fill('alice-password');
  await four.getByRole('button', { name: 'Sign in' }).click();
  await four.getByText('Hello, alice').waitFor();
  await one.goto(d.appOne);
  await one.getByRole('button', { name: 'Sign in' }).click();
  await one.getByText('Hello, Alice Liddell').waitFor();
}

async function signedOut(page: Page, app: string): Promise<boolean> {
  await page.goto(app);
  return page.getByTestId('signed-out').isVisible();
}

describe('demo: OIDC and SAML apps sign out together', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({
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
    await browser?.close();
  });

  test('sign out of App One (OIDC): App Four (SAML) gets its LogoutRequest in the signed-out page and is signed out', async () => {
    const { demo: d, dir } = await startAll();
    const context = await browser.newContext();
    try {
      const four = await context.newPage();
      const one = await context.newPage();
      await signInBoth(d, four, one);
      const slo = one.waitForRequest((r) => r.url().startsWith(`${d.appFour}/saml/slo?SAMLRequest=`));
      await one.getByRole('button', { name: 'Sign out' }).click();
      await slo;
      await one.getByTestId('signed-out').waitFor();
      assert.equal(await signedOut(four, d.appFour), true, 'App Four ended its session on the LogoutRequest');
    } finally {
      await context.close();
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('sign out of App Four (SAML): Sundown ends the session, answers with a LogoutResponse node-saml accepts, and App One is signed out by its back channel', async () => {
    const { demo: d, dir } = await startAll();
    const context = await browser.newContext();
    try {
      const four = await context.newPage();
      const one = await context.newPage();
      await signInBoth(d, four, one);
      await four.getByRole('button', { name: 'Sign out' }).click();
      await four.waitForURL(`${d.appFour}/`);
      await four.getByTestId('signed-out').waitFor();
      assert.equal(await signedOut(one, d.appOne), true, 'App One got its logout token');
    } finally {
      await context.close();
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
