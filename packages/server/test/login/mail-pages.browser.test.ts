// The pages of issue 22 in a real browser (Debian's Chromium via playwright-core) against a real
// server and a real SMTP server on loopback: forgot password (the link read from the received
// mail), verify email, registration with a policy violation then a valid one — and the same
// pages for a screen reader: every field labelled, every error an alert tied to its field.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
import { authUrl, pkce } from '../helpers/oauth.ts';
import { linkIn, SmtpPeer } from '../helpers/smtp-peer.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# mail pages browser suite ${skip}`);

async function appServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('app'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Every visible input has a label; every invalid one names its error, an alert with text. */
async function accessible(
  page: Page,
): Promise<{ unlabelled: string[]; invalid: Array<{ field: string; error: string | null; role: string | null }> }> {
  return page.evaluate(() => {
    const inputs = [...document.querySelectorAll<HTMLInputElement>('input:not([type=hidden])')];
    return {
      unlabelled: inputs.filter((i) => !i.labels || i.labels.length === 0).map((i) => i.name),
      invalid: inputs
        .filter((i) => i.getAttribute('aria-invalid') === 'true')
        .map((i) => {
          const described = document.getElementById(i.getAttribute('aria-describedby') ?? '');
          return {
            field: i.name,
            error: described?.textContent ?? null,
            role: described?.getAttribute('role') ?? null,
          };
        }),
    };
  });
}

describe('mail, verification and registration pages in Chromium', { skip }, () => {
  let dir: string;
  let server: RunningServer;
  let chrome: Chromium;
  let smtp: SmtpPeer;
  let app: Awaited<ReturnType<typeof appServer>>;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-mail-pages-'));
    [app, smtp] = await Promise.all([appServer(), SmtpPeer.start()]);
    const dataDir = join(dir, 'data');
    const store = await openStore({ kind: 'sqlite', dataDir });
    const smtpServer = {
      host: '127.0.0.1',
      port: String(smtp.port),
      from: 'sso@example.com',
      fromDisplayName: 'Example SSO',
    };
    const clients = [{ clientId: 'app', publicClient: true, redirectUris: [`http://127.0.0.1:${app.port}/*`] }];
    await importRealm(
      store.db,
      parseRealmJson({
        realm: 'mail',
        resetPasswordAllowed: true,
        registrationAllowed: true,
        passwordPolicy: 'length(12) and digits(1)',
        smtpServer,
        clients,
        users: [
          {
            username: 'mia',
            email: 'mia@example.com',
            emailVerified: true,
            credentials: [{ type: 'password', value: 'mia-old-pw' }],
          },
        ],
      }),
    );
    await importRealm(
      store.db,
      parseRealmJson({
        realm: 'verify',
        verifyEmail: true,
        smtpServer,
        clients,
        users: [{ username: 'noa', email: 'noa@example.com', credentials: [{ type: 'password', value: 'noa-pw' }] }],
      }),
    );
    await store.close();
    server = await startServer(
      parseStartConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {}),
      pino({ level: 'silent' }),
    );
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
    await smtp?.close();
    if (app) await new Promise((resolve) => app.server.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function fresh(): Promise<Page> {
    await context?.close();
    context = await chrome.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }
  const authorize = (realm: string) =>
    authUrl(
      {
        client_id: 'app',
        redirect_uri: `http://127.0.0.1:${app.port}/cb`,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      },
      `${server.url}/realms/${realm}/protocol/openid-connect`,
    );

  test('forgot password: the link from the received mail, a policy violation, then a new password signs in', async () => {
    const page = await fresh();
    await page.goto(authorize('mail'));
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    assert.deepEqual((await accessible(page)).unlabelled, []);
    const before = smtp.mails.length;
    await page.getByLabel('Username or email').fill('mia@example.com');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByText('You should receive an email shortly with further instructions.').waitFor();

    const mail = await smtp.mailTo('mia@example.com', before);
    assert.equal(mail.headers.subject, 'Reset password');
    await page.goto(linkIn(mail));
    await page.getByLabel('New password').fill('short');
    await page.getByLabel('Confirm password').fill('short');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('alert').waitFor();
    assert.deepEqual((await accessible(page)).invalid, [
      { field: 'password-new', error: 'Invalid password: minimum length 12.', role: 'alert' },
    ]);
    await page.getByLabel('New password').fill('mia-new-passw0rd');
    await page.getByLabel('Confirm password').fill('mia-new-passw0rd');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(`http://127.0.0.1:${app.port}/cb?**`);
    assert.ok(new URL(page.url()).searchParams.get('code'), 'signed in after the reset');

    // The link works once.
    await page.goto(linkIn(mail));
    assert.equal(
      await page.getByRole('alert').textContent(),
      'This link was already used. Ask for a new one if you still need it.',
    );
  });

  test('verify email: the page, the link from the mail, then signed in', async () => {
    const page = await fresh();
    await page.goto(authorize('verify'));
    const before = smtp.mails.length;
    await page.getByLabel('Username or email').fill('noa');
    await page.getByLabel('Password').fill('noa-pw');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Email verification' }).waitFor();
    assert.match((await page.getByRole('status').textContent()) ?? '', /has been sent to noa@example\.com/);
    await page.getByRole('button', { name: 'Re-send the email' }).waitFor();
    const mail = await smtp.mailTo('noa@example.com', before);
    await page.goto(linkIn(mail));
    await page.getByText('Confirm validity of e-mail address noa@example.com.').waitFor();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(`http://127.0.0.1:${app.port}/cb?**`);
  });

  test('registration: a policy violation tied to the password field, then a valid registration signs in', async () => {
    const page = await fresh();
    await page.goto(authorize('mail'));
    await page.getByRole('link', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Register' }).waitFor();
    assert.deepEqual((await accessible(page)).unlabelled, []);
    await page.getByLabel('Username').fill('ola');
    await page.getByLabel('Email').fill('ola@example.com');
    await page.getByLabel('First name').fill('Ola');
    await page.getByLabel('Last name').fill('Nordmann');
    await page.getByLabel('Password', { exact: true }).fill('too-short');
    await page.getByLabel('Confirm password').fill('too-short');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('alert').waitFor();
    const a11y = await accessible(page);
    assert.deepEqual(a11y.unlabelled, []);
    assert.deepEqual(a11y.invalid, [
      { field: 'password', error: 'Invalid password: minimum length 12.', role: 'alert' },
    ]);
    assert.equal(await page.getByLabel('Username').inputValue(), 'ola', 'what was typed stays');
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      'password',
      'the first wrong field has the focus',
    );

    await page.getByLabel('Password', { exact: true }).fill('long-enough-pw-1');
    await page.getByLabel('Confirm password').fill('long-enough-pw-1');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL(`http://127.0.0.1:${app.port}/cb?**`);
    assert.ok(new URL(page.url()).searchParams.get('code'));
  });
});
