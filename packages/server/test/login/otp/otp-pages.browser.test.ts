// In a real browser (Debian's Chromium via playwright-core) against a real server: a user with
// CONFIGURE_TOTP enrols — the test reads the key the page shows and computes the code from the
// RFC itself — then signs out, and signs in again with the password and a code; a Keycloak user
// imported with an `otp` credential (the export's shape) signs in with a code; a temporary
// password leads to the new-password page. Each page is read as a screen reader would: fields
// found by their labels, and an error is the field's accessible description (Chromium's own
// accessibility tree, over CDP).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser as Chromium, chromium, type Page } from 'playwright-core';
import { pino } from 'pino';
import { parseStartConfig } from '../../../src/config.ts';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { type RunningServer, startServer } from '../../../src/server.ts';
import { openStore } from '../../../src/store/database.ts';
import { authUrl, pkce } from '../../helpers/oauth.ts';
import { OTP_SECRET, otpRealm } from '../../helpers/otp-realm.ts';
import { base32Decode, rfcTotp } from '../../helpers/rfc-otp.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# one-time code pages browser suite ${skip}`);

async function appServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('app'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** The accessible name and description Chromium computes for the focused-by-id element. */
async function accessible(page: Page, id: string): Promise<{ name: string; description: string; invalid: boolean }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1 })) as { root: { nodeId: number } };
    const { nodeId } = (await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: `#${id}` })) as {
      nodeId: number;
    };
    const { nodes } = (await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false })) as {
      nodes: Array<{
        name?: { value: string };
        description?: { value: string };
        properties?: Array<{ name: string; value: { value: unknown } }>;
      }>;
    };
    const node = nodes[0]!;
    return {
      name: node.name?.value ?? '',
      description: node.description?.value ?? '',
      invalid: node.properties?.some((p) => p.name === 'invalid' && p.value.value !== 'false') ?? false,
    };
  } finally {
    await cdp.detach();
  }
}

describe('one-time code pages in Chromium', { skip }, () => {
  let dir: string;
  let server: RunningServer;
  let chrome: Chromium;
  let app: Awaited<ReturnType<typeof appServer>>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-otp-pages-'));
    app = await appServer();
    const dataDir = join(dir, 'data');
    const store = await openStore({ kind: 'sqlite', dataDir });
    const base = otpRealm();
    const realm = {
      ...base,
      clients: [
        {
          clientId: 'app',
          publicClient: true,
          redirectUris: [`http://127.0.0.1:${app.port}/*`],
          directAccessGrantsEnabled: true,
        },
      ],
      users: [
        ...base.users,
        {
          username: 'alice',
          enabled: true,
          credentials: [{ type: 'password', value: 'alice-pw' }],
          requiredActions: ['CONFIGURE_TOTP'],
        },
        { username: 'temp', enabled: true, credentials: [{ type: 'password', value: 'temp-pw', temporary: true }] },
      ],
    };
    await importRealm(store.db, parseRealmJson(realm));
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
    if (app) await new Promise((resolve) => app.server.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const oidc = () => `${server.url}/realms/otp/protocol/openid-connect`;
  const authorize = () =>
    authUrl(
      {
        client_id: 'app',
        redirect_uri: `http://127.0.0.1:${app.port}/cb`,
        state: 'st',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      },
      oidc(),
    );
  async function password(page: Page, username: string, secret: string): Promise<void> {
    await page.goto(authorize());
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  const now = () => Math.floor(Date.now() / 1000);

  test('totp-enrol-then-sign-in: enrol with a code from the shown key, sign out, sign in with a code', async () => {
    const context = await chrome.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await password(page, 'alice', 'alice-pw');
    await page.getByRole('heading', { name: 'Mobile Authenticator Setup' }).waitFor();
    assert.ok(
      await page.getByRole('img', { name: /QR code/ }).isVisible(),
      'the QR code is an image to assistive tech',
    );
    const key = base32Decode((await page.locator('#totp-secret').textContent())!);

    await page.getByLabel('One-time code').fill(rfcTotp(key, now() + 900));
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('alert').waitFor();
    assert.deepEqual(await accessible(page, 'totp'), {
      name: 'One-time code',
      description: 'Invalid authenticator code.',
      invalid: true,
    });

    await page.getByLabel('One-time code').fill(rfcTotp(key, now()));
    await page.getByLabel('Device Name').fill('Test phone');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(`http://127.0.0.1:${app.port}/cb?**`);
    assert.ok(new URL(page.url()).searchParams.get('code'));

    // Sign out through the end-session endpoint's confirmation, then sign in again.
    await page.goto(`${oidc()}/logout`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForLoadState();
    await password(page, 'alice', 'alice-pw');
    await page.getByRole('heading', { name: 'One-time code' }).waitFor();
    const field = await accessible(page, 'otp');
    assert.equal(field.name, 'One-time code');
    assert.match(field.description, /authenticator app/, 'the hint describes the field');
    await page.getByLabel('One-time code').fill(rfcTotp(key, now() + 30));
    await page.getByRole('button', { name: 'Sign In' }).click();
    await page.waitForURL(`http://127.0.0.1:${app.port}/cb?**`);
    assert.ok(new URL(page.url()).searchParams.get('code'));
    await context.close();
  });

  test('keycloak-otp-import-sign-in: a user imported from a Keycloak export with an otp credential signs in with a code', async () => {
    const context = await chrome.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await password(page, 'admin@example.com', 'password');
    await page.getByRole('heading', { name: 'One-time code' }).waitFor();
    await page.getByLabel('One-time code').fill('123456');
    await page.getByRole('button', { name: 'Sign In' }).click();
    await page.getByRole('alert').waitFor();
    const wrong = await accessible(page, 'otp');
    assert.equal(wrong.invalid, true);
    assert.match(wrong.description, /Invalid authenticator code\./);
    await page.getByLabel('One-time code').fill(rfcTotp(Buffer.from(OTP_SECRET), now()));
    await page.getByRole('button', { name: 'Sign In' }).click();
    await page.waitForURL(`http://127.0.0.1:${app.port}/cb?**`);
    assert.ok(new URL(page.url()).searchParams.get('code'));
    await context.close();
  });

  test('temporary-password-update: a temporary password leads to the new-password page, errors described, then signed in', async () => {
    const context = await chrome.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await password(page, 'temp', 'temp-pw');
    await page.getByRole('heading', { name: 'Update password' }).waitFor();
    await page.getByLabel('New password').fill('n3w-Passw0rd');
    await page.getByLabel('Confirm password').fill('different');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('alert').waitFor();
    assert.deepEqual(await accessible(page, 'password-confirm'), {
      name: 'Confirm password',
      description: "Passwords don't match.",
      invalid: true,
    });
    await page.getByLabel('New password').fill('n3w-Passw0rd');
    await page.getByLabel('Confirm password').fill('n3w-Passw0rd');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(`http://127.0.0.1:${app.port}/cb?**`);
    assert.ok(new URL(page.url()).searchParams.get('code'));
    await context.close();
  });
});
