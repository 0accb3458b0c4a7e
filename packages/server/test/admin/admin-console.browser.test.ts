// The admin console in a real browser (Debian's Chromium via playwright-core) against a real
// server: sign in through the login page (code flow + PKCE), change a client's back-channel URL
// (a bad one first, to see the validation message), end a live session, and watch its
// deliveries appear and succeed; retry a rejected one; a non-admin is turned away.
// With SUNDOWN_SCREENSHOTS=update the pages are saved to docs/screenshots/ for the README.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser as Chromium, chromium, type Page } from 'playwright-core';
import { pino } from 'pino';
import { parseStartConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { Browser, signIn } from '../helpers/browser.ts';
import { logoutRealmJson } from '../helpers/logout-realm.ts';
import { authUrl, basic, decodeJwt, form, pkce } from '../helpers/oauth.ts';
import { Receiver } from '../helpers/receiver.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# admin console browser suite ${skip}`);

describe('admin console in Chromium', { skip }, () => {
  let dir: string;
  let shots: string;
  let server: RunningServer;
  let chrome: Chromium;
  let page: Page;
  let oldReceiver: Receiver;
  let newReceiver: Receiver;
  let rp2Receiver: Receiver;
  const pageErrors: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-console-'));
    shots =
      process.env.SUNDOWN_SCREENSHOTS === 'update'
        ? new URL('../../../../docs/screenshots/', import.meta.url).pathname
        : join(dir, 'shots');
    mkdirSync(shots, { recursive: true });
    [oldReceiver, newReceiver, rp2Receiver] = await Promise.all([Receiver.start(), Receiver.start(), Receiver.start()]);
    const realmFile = join(dir, 'realm.json');
    writeFileSync(realmFile, JSON.stringify(logoutRealmJson({ rp1: oldReceiver.url, rp2: rp2Receiver.url })));
    const config = parseStartConfig(
      [
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--data-dir',
        join(dir, 'data'),
        '--import-realm',
        realmFile,
        '--logout-wait-ms',
        '0',
      ],
      { SUNDOWN_ADMIN_USERNAME: 'admin', SUNDOWN_ADMIN_PASSWORD: 'admin-pw' },
    );
    server = await startServer(config, pino({ level: 'silent' }));
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
    page = await chrome.newPage({ viewport: { width: 1360, height: 820 } });
    page.setDefaultTimeout(15_000);
    // Script errors and CSP violations fail the suite instead of showing up as timeouts.
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      // Answers are checked below by status; the deliberate 400 of a bad value is expected.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) pageErrors.push(msg.text());
    });
    page.on('response', (res) => {
      if (res.status() >= 404 && res.status() !== 409) pageErrors.push(`${res.status()} ${res.url()}`);
    });
  });
  after(async () => {
    await chrome?.close();
    await server?.close();
    await Promise.all([oldReceiver?.close(), newReceiver?.close(), rp2Receiver?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(pageErrors, [], 'the console logged errors');
  });

  const shot = (name: string) => page.screenshot({ path: join(shots, name) });
  const oidc = () => `${server.url}/realms/test/protocol/openid-connect`;

  /** Alice signs in to rp1 and then rp2 in one browser: one SSO session with two RPs. */
  async function aliceSession(): Promise<string> {
    const browser = new Browser((input, init) => fetch(input, init));
    let sid = '';
    for (const clientId of ['rp1', 'rp2']) {
      const redirectUri = `https://${clientId}.example/cb`;
      const { verifier, challenge } = pkce();
      const back = await signIn(
        browser,
        authUrl(
          { client_id: clientId, redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256' },
          oidc(),
        ),
        'alice',
        'alice-pw',
      );
      const res = await fetch(
        `${oidc()}/token`,
        form(
          {
            grant_type: 'authorization_code',
            code: back.searchParams.get('code')!,
            redirect_uri: redirectUri,
            code_verifier: verifier,
          },
          { authorization: basic(clientId, `${clientId}-secret`) },
        ),
      );
      assert.equal(res.status, 200);
      sid = decodeJwt(((await res.json()) as { id_token: string }).id_token).payload.sid as string;
    }
    return sid;
  }

  async function signInToConsole(p: Page, username: string, password: string): Promise<void> {
    await p.goto(`${server.url}/admin/`);
    await p.getByLabel('Username or email').fill(username);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
  }

  test('signs in through the login page with the code flow and lists the realms', async () => {
    await page.goto(`${server.url}/admin/`);
    await page.waitForURL(/\/protocol\/openid-connect\/auth\?/);
    assert.match(
      page.url(),
      /\/realms\/master\/protocol\/openid-connect\/auth\?.*client_id=security-admin-console.*code_challenge_method=S256/,
    );
    await signInToConsole(page, 'admin', 'admin-pw');
    await page.getByRole('heading', { name: 'Realms' }).waitFor();
    assert.equal(new URL(page.url()).search, '', 'the code is removed from the address bar');
    assert.equal(await page.locator('#who').textContent(), 'admin');
    await page.getByRole('link', { name: 'test', exact: true }).waitFor();
    await shot('console-realms.png');
  });

  test("a client's back-channel URL: a bad value shows the server's message at the field; a good one is saved and passes the doctor", async () => {
    await page.goto(`${server.url}/admin/#/test/clients`);
    const row = page.locator('tr[data-client="rp1"]');
    await row.getByText(oldReceiver.url).waitFor();
    await shot('console-clients.png');
    await row.getByRole('link', { name: 'rp1' }).click();
    const url = page.getByLabel('Back-channel logout URL');
    await url.fill('ftp://rp1.example/logout');
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.locator('.form-alert');
    await alert.waitFor();
    assert.match((await alert.textContent())!, /Not saved: .*backchannel\.logout\.url/);
    assert.equal(await url.getAttribute('aria-invalid'), 'true');
    assert.match((await page.locator('#bc-url-error').textContent())!, /must use http or https/);
    await page.locator('.form-alert').scrollIntoViewIfNeeded();
    await shot('console-client-validation.png');

    await url.fill(newReceiver.url);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#toast').getByText('Saved rp1.').waitFor();
    await page.getByRole('button', { name: 'Run the doctor check' }).click();
    await page.locator('.doctor.ok[data-client="rp1"]').getByText('healthy').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('console-client.png');
    // The doctor's probe token reached the new URL, not the old one.
    assert.equal(newReceiver.received.length, 1);
    assert.equal(oldReceiver.received.length, 0);
  });

  test('ending a live session from the console: its deliveries appear and succeed at the new URL; a rejected one is retried', async () => {
    rp2Receiver.answer = () => ({ status: 400, body: '{"error":"invalid_request","error_description":"not today"}' });
    const sid = await aliceSession();
    await page.goto(`${server.url}/admin/#/test/sessions`);
    const row = page.locator(`tr[data-session="${sid}"]`);
    await row.getByText('rp2').waitFor();
    assert.deepEqual(await row.locator('.chip').allTextContents(), ['rp1', 'rp2']);
    await shot('console-sessions.png');

    const before = newReceiver.received.length;
    await row.getByRole('button', { name: 'End session' }).click();
    await row.getByRole('button', { name: 'Confirm: end it' }).click();
    // The console goes to the session's deliveries and refreshes them live.
    await page.getByRole('heading', { name: 'Back-channel deliveries' }).waitFor();
    assert.equal(new URL(page.url()).hash, `#/test/deliveries?session=${sid}`);
    await page.locator('tr[data-status="delivered"]').filter({ hasText: 'rp1' }).waitFor();
    const rejected = page.locator('tr[data-status="rejected"]').filter({ hasText: 'rp2' });
    await rejected.waitFor();
    assert.match((await rejected.textContent())!, /HTTP 400/);
    await shot('console-deliveries.png');
    assert.equal(newReceiver.received.length, before + 1);
    assert.equal(decodeJwt(newReceiver.received.at(-1)!.token).payload.sid, sid);

    rp2Receiver.answer = () => ({ status: 200 });
    await rejected.getByRole('button', { name: 'Retry now' }).click();
    await page.locator('tr[data-status="delivered"]').filter({ hasText: 'rp2' }).waitFor();
    assert.equal(decodeJwt(rp2Receiver.received.at(-1)!.token).payload.sid, sid);
    await page.goto(`${server.url}/admin/#/test/sessions`);
    await page.getByText('Nobody is signed in.').waitFor();
  });

  test("realm settings: a bad value is refused with the server's message; a good one is saved", async () => {
    await page.goto(`${server.url}/admin/#/test/settings`);
    const idle = page.getByLabel('SSO session idle timeout (seconds)');
    await idle.fill('-5');
    await page.getByRole('button', { name: 'Save' }).click();
    // The alert is filled in when the server answers: wait for it instead of reading it at once.
    await page.locator('.form-alert', { hasText: /Not saved: .*ssoSessionIdleTimeout/ }).waitFor({ timeout: 10_000 });
    await idle.fill('900');
    await page.getByLabel('Display name').fill('Test realm');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#toast').getByText('Saved realm test.').waitFor();
    const rep = (await server.provider.ctx.realms.realmByName('test'))!;
    assert.equal(rep.ssoSessionIdleTimeout, 900);
    assert.equal(rep.displayName, 'Test realm');
    assert.equal(rep.attributes.backchannelLogoutAllowHttp, 'true', 'an attribute not on the form is kept');
  });

  test('events, users and the doctor pages show the logout', async () => {
    await page.goto(`${server.url}/admin/#/test/events?type=LOGOUT`);
    await page
      .locator('td code', { hasText: /^LOGOUT$/ })
      .first()
      .waitFor();
    await page.goto(`${server.url}/admin/#/test/events`);
    await page.locator('td code', { hasText: 'BACKCHANNEL_LOGOUT_DELIVERED' }).first().waitFor();
    await shot('console-events.png');
    await page.goto(`${server.url}/admin/#/test/users?search=ali`);
    await page.locator('tr[data-user="alice"]').waitFor();
    assert.equal(await page.locator('tr[data-user]').count(), 1);
    await page.goto(`${server.url}/admin/#/test/doctor`);
    await page.getByRole('button', { name: 'Check all back-channel URLs' }).click();
    await page.locator('tr[data-client="rp2"].ok').waitFor();
    await shot('console-doctor.png');
  });

  test('logouts: the list shows the ended session by its trigger and administrator; one logout shows each app and the timeline', async () => {
    await page.goto(`${server.url}/admin/#/test/logouts?trigger=admin_session`);
    await page.getByRole('heading', { name: 'Logouts' }).waitFor();
    const row = page.locator('tr[data-logout][data-outcome="complete"]').first();
    await row.waitFor();
    assert.match((await row.textContent())!, /admin_session.*admin \(admin\)/);
    await shot('console-logouts.png');
    await row.locator('a').first().click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.locator('tr[data-client="rp2"][data-state="signed_out"]').waitFor();
    await page.getByText(/attempt 1: rejected by the receiver: HTTP 400/).waitFor();
    await page
      .getByText(/delivered \(HTTP 200\)/)
      .first()
      .waitFor();
    await shot('console-logout-trace.png');
  });

  test('a master user without the admin role is turned away', async () => {
    const token = (
      (await (
        await fetch(
          `${server.url}/realms/master/protocol/openid-connect/token`,
          form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
        )
      ).json()) as { access_token: string }
    ).access_token;
    const created = await fetch(`${server.url}/admin/realms/master/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'visitor',
        enabled: true,
        credentials: [{ type: 'password', value: 'visitor-pw' }],
      }),
    });
    assert.equal(created.status, 201);
    const context = await chrome.newContext();
    try {
      const other = await context.newPage();
      await signInToConsole(other, 'visitor', 'visitor-pw');
      await other.getByRole('heading', { name: 'Not allowed' }).waitFor();
      assert.match((await other.getByRole('alert').textContent())!, /admin role/);
    } finally {
      await context.close();
    }
  });
});
