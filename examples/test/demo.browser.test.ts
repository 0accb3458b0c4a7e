// The demo in a real browser (Debian's Chromium via playwright-core): single sign-on across the
// apps, single sign-out through the back channel, the front-channel iframe and (App Three, a
// keycloak-js single-page app) the login-status iframe, and the confirmation page. With SUNDOWN_SCREENSHOTS=update the pages are saved to docs/screenshots/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DEMO_ADMIN, type Demo, startDemo } from '../start-demo.ts';

const CHROMIUM = '/usr/bin/chromium';
// Screenshots are always taken (a page that cannot render fails here); they replace the
// README's copies only with SUNDOWN_SCREENSHOTS=update.
const SHOTS =
  process.env.SUNDOWN_SCREENSHOTS === 'update'
    ? new URL('../../docs/screenshots/', import.meta.url).pathname
    : mkdtempSync(join(tmpdir(), 'sundown-shots-'));
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# browser suite ${skip}`);

async function launch(): Promise<Browser> {
  return chromium.launch({
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
}

async function demo(edit?: Parameters<typeof startDemo>[0]['editRealm']): Promise<{ demo: Demo; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-demo-'));
  return {
    demo: await startDemo({
      serverPort: 0,
      appOnePort: 0,
      appTwoPort: 0,
      appThreePort: 0,
      appFourPort: 0,
      dataDir: dir,
      ...(edit ? { editRealm: edit } : {}),
    }),
    dir,
  };
}

async function signInWithPassword(page: Page, app: string, shot?: string): Promise<void> {
  await page.goto(app);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username or email').waitFor();
  if (shot) await page.screenshot({ path: join(SHOTS, shot) });
  await page.getByLabel('Username or email').fill('alice');
  await page.getByLabel('Password').fill('alice-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Hello, Alice Liddell').waitFor();
}

async function signedOut(page: Page, app: string): Promise<boolean> {
  await page.goto(app);
  return page.getByTestId('signed-out').isVisible();
}

describe('demo in Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    if (process.env.SUNDOWN_SCREENSHOTS !== 'update') rmSync(SHOTS, { recursive: true, force: true });
  });

  test('sign in on App One; App Two signs in without the form; sign out on App Two; App One is signed out', async () => {
    const { demo: d, dir } = await demo();
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    try {
      const one = await context.newPage();
      await signInWithPassword(one, d.appOne, 'login.png');
      const sidOne = await one.getByTestId('sid').textContent();
      await one.screenshot({ path: join(SHOTS, 'app-one-signed-in.png') });

      const two = await context.newPage();
      await two.goto(d.appTwo);
      await two.getByRole('button', { name: 'Sign in' }).click();
      await two.getByText('Hello, Alice Liddell').waitFor();
      assert.equal(await two.getByLabel('Password').count(), 0, 'no password form: single sign-on');
      assert.equal(await two.getByTestId('sid').textContent(), sidOne, 'the same SSO session');
      await two.screenshot({ path: join(SHOTS, 'app-two-signed-in.png') });

      await two.getByRole('button', { name: 'Sign out' }).click();
      await two.waitForURL(`${d.appTwo}/`);
      await two.getByTestId('signed-out').waitFor();

      await one.reload();
      await one.getByTestId('signed-out').waitFor();
      await one.screenshot({ path: join(SHOTS, 'app-one-signed-out.png') });
      assert.equal(await signedOut(one, d.appOne), true);
    } finally {
      await context.close();
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('open tabs of App One and App Two show signed-out at once when the user signs out in another tab, without a reload (tab relay)', async () => {
    const { demo: d, dir } = await demo();
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    try {
      const one = await context.newPage();
      await signInWithPassword(one, d.appOne);
      const two = await context.newPage();
      await two.goto(d.appTwo);
      await two.getByRole('button', { name: 'Sign in' }).click();
      await two.getByText('Hello, Alice Liddell').waitFor();
      for (const page of [one, two])
        await page.waitForSelector('html[data-sundown-session-events="open"]', { state: 'attached', timeout: 10_000 });

      // A third tab of App One signs out: Sundown tells both apps, each app tells its open tabs.
      const third = await context.newPage();
      await third.goto(d.appOne);
      await third.getByRole('button', { name: 'Sign out' }).click();
      for (const page of [one, two]) {
        await page.locator('#sundown-signed-out[role="alert"]').waitFor({ timeout: 15_000 });
        assert.equal(await page.getAttribute('html', 'data-sundown-signed-out'), 'true');
        assert.equal(await page.getByText('Hello, Alice Liddell').count(), 1, 'no reload happened');
      }
      await one.screenshot({ path: join(SHOTS, 'app-one-tab-signed-out.png') });
      await two.reload();
      await two.getByTestId('signed-out').waitFor();
    } finally {
      await context.close();
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('App Three (keycloak-js) signs in by SSO and shows itself signed out when the user signs out in App One, without a reload', async () => {
    const { demo: d, dir } = await demo();
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    try {
      const one = await context.newPage();
      await signInWithPassword(one, d.appOne);
      const sid = await one.getByTestId('sid').textContent();

      const three = await context.newPage();
      const failed: string[] = [];
      three.on('response', (res) => {
        if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) failed.push(`${res.status()} ${res.url()}`);
      });
      await three.goto(d.appThree);
      await three.getByText('Hello, Alice Liddell').waitFor();
      assert.equal(await three.getByTestId('sid').textContent(), sid, 'the same SSO session, no form');
      await three.screenshot({ path: join(SHOTS, 'app-three-signed-in.png') });

      await one.getByRole('button', { name: 'Sign out' }).click();
      await one.getByTestId('signed-out').waitFor();
      // No reload: keycloak-js's login-status iframe sees the session-status cookie go.
      await three.getByTestId('signed-out').waitFor({ timeout: 15_000 });
      await three.getByText('You signed out in another application.').waitFor();
      await three.screenshot({ path: join(SHOTS, 'app-three-signed-out.png') });
      assert.deepEqual(failed, []);
    } finally {
      await context.close();
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Alice in all four apps of one SSO session: App One with the form, the others by SSO. */
  async function allFour(d: Demo, context: Awaited<ReturnType<Browser['newContext']>>) {
    const one = await context.newPage();
    await signInWithPassword(one, d.appOne);
    const two = await context.newPage();
    await two.goto(d.appTwo);
    await two.getByRole('button', { name: 'Sign in' }).click();
    await two.getByText('Hello, Alice Liddell').waitFor();
    const three = await context.newPage();
    await three.goto(d.appThree);
    await three.getByText('Hello, Alice Liddell').waitFor();
    const four = await context.newPage();
    await four.goto(`${d.appFour}/login`);
    await four.getByText('Hello, alice').waitFor();
    return { one, two, three, four };
  }

  test('signing out of App One: the signed-out page lists all four apps by name with their outcome, then returns to App One', async () => {
    const { demo: d, dir } = await demo();
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
    try {
      const { one, three } = await allFour(d, context);
      await one.getByRole('button', { name: 'Sign out' }).click();
      const outcome = one.locator('#logout-outcome');
      await outcome
        .filter({ hasText: 'Signed out of 3 of 4 applications; 1 was told through your browser, without confirming.' })
        .waitFor();
      await one.screenshot({ path: join(SHOTS, 'demo-signed-out.png') });
      const names = await one.locator('#logout-apps li .name').allTextContents();
      assert.deepEqual(names, [
        'App Four (SAML 2.0, node-saml)',
        'App One (Express)',
        'App Three (keycloak-js single-page app)',
        'App Two (Hono)',
      ]);
      // App Three's front-channel page told its open tab; then the page goes on to App One.
      await three.getByTestId('signed-out').waitFor({ timeout: 15_000 });
      await one.waitForURL(`${d.appOne}/`, { timeout: 15_000 });
      await one.getByTestId('signed-out').waitFor();
    } finally {
      await context.close();
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an administrator ends the session: App Three notices within its poll interval without a reload, App Four is told by SOAP, App One by its back channel', async () => {
    const { demo: d, dir } = await demo();
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    try {
      const { one, three, four } = await allFour(d, context);
      // The administrator, through the admin API as the console does it.
      const master = `${d.server.url}/realms/master/protocol/openid-connect/token`;
      const tokenRes = await fetch(master, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', ...DEMO_ADMIN }),
      });
      const token = ((await tokenRes.json()) as { access_token: string }).access_token;
      const admin = (method: string, path: string) =>
        fetch(`${d.server.url}/admin/realms/demo${path}`, { method, headers: { authorization: `Bearer ${token}` } });
      const [alice] = (await (await admin('GET', '/users?username=alice')).json()) as Array<{ id: string }>;
      assert.equal((await admin('POST', `/users/${alice!.id}/logout`)).status, 204);
      // No reload: the login-status iframe asks Sundown, which says the session ended.
      await three.getByTestId('signed-out').waitFor({ timeout: 10_000 });
      // No browser took part: App Four (a front-channel SP) gets its LogoutRequest by SOAP.
      type Trace = { status: { done: boolean; apps: Array<{ clientId: string; state: string }> } };
      let trace: Trace | undefined;
      for (let i = 0; i < 100 && !trace?.status.done; i++) {
        const [latest] = (await (await admin('GET', '/sundown/logouts?trigger=admin_user')).json()) as Array<{
          id: string;
        }>;
        trace = (await (await admin('GET', `/sundown/logouts/${latest!.id}`)).json()) as Trace;
        if (!trace.status.done) await new Promise((r) => setTimeout(r, 100));
      }
      const states = Object.fromEntries(trace!.status.apps.map((a) => [a.clientId, a.state]));
      assert.equal(states['app-one'], 'signed_out');
      assert.equal(states['app-two'], 'signed_out');
      assert.equal(states[`http://localhost:${new URL(d.appFour).port}/saml`], 'signed_out', JSON.stringify(states));
      await four.reload();
      await four.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.equal(await signedOut(one, d.appOne), true);
    } finally {
      await context.close();
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('App Four (SAML, node-saml) signs in with the form, then App One (OIDC) signs in by SSO without one: one session', async () => {
    const { demo: d, dir } = await demo();
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    try {
      const four = await context.newPage();
      await four.goto(d.appFour);
      await four.getByRole('button', { name: 'Sign in' }).click();
      await four.getByLabel('Username or email').fill('alice');
      await four.getByLabel('Password').fill('alice-password');
      await four.getByRole('button', { name: 'Sign in' }).click();
      // The signed Response went to the ACS by the auto-submit form; node-saml accepted it.
      await four.getByText('Hello, alice').waitFor();
      assert.match((await four.getByTestId('sid').textContent())!, /^s_/, 'the SAML SessionIndex');
      await four.screenshot({ path: join(SHOTS, 'app-four-saml-signed-in.png') });

      const one = await context.newPage();
      await one.goto(d.appOne);
      await one.getByRole('button', { name: 'Sign in' }).click();
      await one.getByText('Hello, Alice Liddell').waitFor();
      assert.equal(
        await one.getByLabel('Password').count(),
        0,
        'no password form: the SAML sign-in started the SSO session',
      );

      // And back: a second SAML sign-in in the same browser needs no form either.
      await four.getByRole('button', { name: 'Sign out' }).waitFor();
      const again = await context.newPage();
      await again.goto(`${d.appFour}/login`);
      await again.getByText('Hello, alice').waitFor();
      assert.equal(await again.getByLabel('Password').count(), 0);
    } finally {
      await context.close();
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a front-channel-only client is signed out through the iframe on the logout page', async () => {
    const { demo: d, dir } = await demo((realm) => {
      const two = realm.clients.find((c) => c.clientId === 'app-two')!;
      delete two.attributes['backchannel.logout.url'];
    });
    const context = await browser.newContext();
    try {
      const two = await context.newPage();
      await signInWithPassword(two, d.appTwo);
      const one = await context.newPage();
      await one.goto(d.appOne);
      await one.getByRole('button', { name: 'Sign in' }).click();
      await one.getByText('Hello, Alice Liddell').waitFor();

      // Sign out in App One: the logout page loads App Two's front-channel URL in an iframe.
      const frame = one.waitForRequest(
        (r) => r.url().startsWith(`${d.appTwo}/frontchannel-logout`) && new URL(r.url()).searchParams.has('sid'),
      );
      await one.getByRole('button', { name: 'Sign out' }).click();
      const request = await frame;
      assert.equal(new URL(request.url()).searchParams.get('iss'), d.issuer);
      await one.waitForURL(`${d.appOne}/`);
      assert.equal(await signedOut(two, d.appTwo), true, 'App Two ended its session from the iframe alone');
    } finally {
      await context.close();
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a logout without id_token_hint asks for confirmation first', async () => {
    const { demo: d, dir } = await demo();
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    try {
      const page = await context.newPage();
      await signInWithPassword(page, d.appOne);
      await page.goto(`${d.issuer}/protocol/openid-connect/logout`);
      await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
      await page.screenshot({ path: join(SHOTS, 'logout-confirm.png') });
      assert.equal(await signedOut(page, d.appOne), false, 'nothing ends before the user confirms');
      await page.goto(`${d.issuer}/protocol/openid-connect/logout`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
      await page.screenshot({ path: join(SHOTS, 'signed-out.png') });
      assert.equal(await signedOut(page, d.appOne), true);
    } finally {
      await context.close();
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
