// Regression, in a real browser (Debian's Chromium via playwright-core) against a real server:
// the redirect URI attack of issue 11. A client stored with a Keycloak-style origin wildcard
// `http://127.0.0.1:<app>*` (as rows written before the import check may be), an SSO session
// in the browser, then the authorization endpoint with
// `redirect_uri=http://127.0.0.1:<app>@127.0.0.1:<attacker>/steal`: the browser must stay on
// Sundown's error page, and the attacker's host must see no request at all.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser as Chromium, chromium, type Page } from 'playwright-core';
import { pino } from 'pino';
import { parseStartConfig } from '../../src/config.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { openStore } from '../../src/store/database.ts';
import { authUrl, pkce } from '../helpers/oauth.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# redirect URI attack browser suite ${skip}`);

/** A loopback HTTP server that answers 200 and records every path it was asked for. */
async function recordingServer(): Promise<{ server: Server; port: number; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('app');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, paths };
}

describe('redirect URI attack in Chromium', { skip }, () => {
  let dir: string;
  let server: RunningServer;
  let chrome: Chromium;
  let page: Page;
  let app: Awaited<ReturnType<typeof recordingServer>>;
  let attacker: Awaited<ReturnType<typeof recordingServer>>;
  /** Every URL the browser asked for, to prove none went to the attacker. */
  const requested: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-redirect-attack-'));
    [app, attacker] = await Promise.all([recordingServer(), recordingServer()]);
    const dataDir = join(dir, 'data');
    const store = await openStore({ kind: 'sqlite', dataDir });
    await importRealm(
      store.db,
      parseRealmJson({
        realm: 'test',
        clients: [{ clientId: 'kc-style', publicClient: true, redirectUris: [`http://127.0.0.1:${app.port}/*`] }],
        users: [{ username: 'alice', credentials: [{ type: 'password', value: 'alice-pw' }] }],
      }),
    );
    // The row as an older Sundown (and Keycloak) stored it; import now refuses this form.
    await store.db
      .updateTable('client')
      .set({ redirect_uris: JSON.stringify([`http://127.0.0.1:${app.port}*`]) })
      .where('client_id', '=', 'kc-style')
      .execute();
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
    page = await chrome.newPage();
    page.setDefaultTimeout(15_000);
    page.on('request', (req) => requested.push(req.url()));
  });
  after(async () => {
    await chrome?.close();
    await server?.close();
    await Promise.all([app, attacker].filter(Boolean).map((s) => new Promise((resolve) => s.server.close(resolve))));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const oidc = () => `${server.url}/realms/test/protocol/openid-connect`;
  const authorize = (redirectUri: string) =>
    authUrl(
      {
        client_id: 'kc-style',
        redirect_uri: redirectUri,
        state: 'st',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      },
      oidc(),
    );

  test('with an SSO session, http://127.0.0.1:<app>@127.0.0.1:<attacker>/steal ends on the error page and never reaches the attacker', async () => {
    // Sign in once through the real login page: the browser now has an SSO session.
    await page.goto(authorize(`http://127.0.0.1:${app.port}/cb`));
    await page.getByLabel('Username or email').fill('alice');
    await page.getByLabel('Password').fill('alice-pw');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`http://127.0.0.1:${app.port}/cb?**`);
    assert.ok(new URL(page.url()).searchParams.get('code'), 'the legitimate redirect carries a code');

    const attack = `http://127.0.0.1:${app.port}@127.0.0.1:${attacker.port}/steal`;
    const res = await page.goto(authorize(attack));
    assert.equal(res?.status(), 400);
    assert.ok(
      page.url().startsWith(`${server.url}/realms/test/protocol/openid-connect/auth?`),
      `stayed on Sundown: ${page.url()}`,
    );
    await page.getByRole('heading', { name: 'We could not complete your request' }).waitFor();
    assert.equal(await page.getByRole('alert').textContent(), 'Invalid parameter: redirect_uri');

    // A dot-segment escape from the wildcard stays on Sundown too.
    const escape = await page.goto(authorize(`http://127.0.0.1:${app.port}/app/%2e%2e/admin`));
    assert.equal(escape?.status(), 400);
    assert.equal(await page.getByRole('alert').textContent(), 'Invalid parameter: redirect_uri');

    assert.deepEqual(attacker.paths, [], 'the attacker host received nothing');
    assert.deepEqual(
      requested.filter((u) => new URL(u).port === String(attacker.port)),
      [],
      'the browser never asked the attacker host',
    );
    assert.deepEqual(
      app.paths.filter((p) => p.includes('admin')),
      [],
      'the app was never sent to /admin',
    );
  });
});
