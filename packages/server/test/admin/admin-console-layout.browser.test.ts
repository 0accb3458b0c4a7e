// The console fits the screen: at 1280 × 800 and 1920 × 1080, the main tables of Live sessions,
// Deliveries, Clients, Users and Events (and every other page) have no clipped column and nothing
// scrolls sideways, with data that pushes them (long client ids and URLs, long causes without
// spaces, long e-mail addresses, a session in many clients). Event details are labelled fields, the raw JSON behind a
// toggle. Every page at both sizes is saved as a screenshot (docs/screenshots/ with
// SUNDOWN_SCREENSHOTS=update).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser as Chromium, chromium, type Page } from 'playwright-core';
import { pino } from 'pino';
import { parseStartConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { Browser, signIn } from '../helpers/browser.ts';
import { logoutRealmJson } from '../helpers/logout-realm.ts';
import { authUrl, basic, form, pkce } from '../helpers/oauth.ts';
import { Receiver } from '../helpers/receiver.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# admin console layout suite ${skip}`);

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

const LONG_CLIENT = 'billing-and-invoicing-portal-production-eu-west';
const LONG_EMAIL = 'alexandra.konstantinopoulou-vanderberg@customer-success.department.example.com';
/** A receiver's answer without a single space: the cause column must still wrap it. */
const LONG_BODY = `{"error":"temporarily_unavailable","error_description":"${'maintenance_window_of_the_billing_cluster_'.repeat(4)}"}`;

/** Each page of the console, what shows that its data has arrived, and what to do first. */
const PAGES: Array<{ name: string; hash: string; ready: string; first?: (p: Page) => Promise<void> }> = [
  { name: 'realms', hash: '', ready: 'a[href="#/test/sessions"]' },
  { name: 'sessions', hash: 'test/sessions', ready: 'tr[data-session] .chip >> nth=3' },
  { name: 'deliveries', hash: 'test/deliveries', ready: 'tr[data-status="retrying"] .cause' },
  { name: 'clients', hash: 'test/clients', ready: `tr[data-client="${LONG_CLIENT}"]` },
  { name: 'users', hash: 'test/users', ready: 'tr[data-user="alexandra"]' },
  { name: 'roles', hash: 'test/roles', ready: 'tr[data-role="offline_access"]' },
  { name: 'groups', hash: 'test/groups', ready: 'main h1' },
  { name: 'events', hash: 'test/events', ready: 'td .facts' },
  {
    name: 'doctor',
    hash: 'test/doctor',
    ready: 'tr[data-client="rp2"]',
    first: (p) => p.getByRole('button', { name: 'Check all back-channel URLs' }).click(),
  },
  { name: 'settings', hash: 'test/settings', ready: 'form.settings' },
];

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** What sticks out sideways on the page: the page itself, a table's wrapper, a column, a cell's content. */
function overflows(p: Page): Promise<string[]> {
  return p.evaluate(() => {
    const problems: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth)
      problems.push(`the page scrolls sideways (${doc.scrollWidth} > ${doc.clientWidth})`);
    for (const wrap of document.querySelectorAll<HTMLElement>('.table-wrap')) {
      if (wrap.scrollWidth > wrap.clientWidth + 1)
        problems.push(`a table scrolls sideways (${wrap.scrollWidth} > ${wrap.clientWidth})`);
      const right = wrap.getBoundingClientRect().right;
      const headers = [...wrap.querySelectorAll('th')].map((th) => th.textContent ?? '');
      for (const row of wrap.querySelectorAll('tr'))
        [...row.children].forEach((cell, i) => {
          const what = `column ${i + 1} "${headers[i] ?? ''}"`;
          if (cell.getBoundingClientRect().right > right + 1) problems.push(`${what} is clipped`);
          if (cell.scrollWidth > cell.clientWidth + 1)
            problems.push(`${what}: "${(cell.textContent ?? '').slice(0, 40)}" overflows its cell`);
        });
    }
    return [...new Set(problems)];
  });
}

describe('admin console layout in Chromium', { skip }, () => {
  let dir: string;
  let shots: string;
  let server: RunningServer;
  let chrome: Chromium;
  let receivers: Receiver[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-layout-'));
    shots =
      process.env.SUNDOWN_SCREENSHOTS === 'update'
        ? new URL('../../../../docs/screenshots/', import.meta.url).pathname
        : join(dir, 'shots');
    mkdirSync(shots, { recursive: true });
    receivers = await Promise.all([Receiver.start(), Receiver.start(), Receiver.start()]);
    const [rp1, rp2, busy] = receivers as [Receiver, Receiver, Receiver];
    busy.answer = () => ({ status: 503, body: LONG_BODY });
    const realm = logoutRealmJson({
      rp1: rp1.url,
      rp2: rp2.url,
      extraClients: [
        {
          clientId: LONG_CLIENT,
          secret: `${LONG_CLIENT}-secret`,
          redirectUris: ['https://billing.example/cb'],
          attributes: {
            'backchannel.logout.url': `${busy.url}/api/v2/authentication/openid-connect/tenants/acme-corporation`,
          },
        },
        {
          clientId: 'customer-support-desk',
          secret: 'customer-support-desk-secret',
          frontchannelLogout: true,
          redirectUris: ['https://support-desk.example/cb'],
          attributes: {
            'backchannel.logout.url': `http://127.0.0.1:${await closedPort()}/backchannel-logout`,
            'frontchannel.logout.url': 'https://support-desk.example/auth/frontchannel-logout?tenant=acme-corporation',
          },
        },
      ],
    }) as { users: Record<string, unknown>[] };
    realm.users.push({
      username: 'alexandra',
      email: LONG_EMAIL,
      firstName: 'Alexandra',
      lastName: 'Konstantinopoulou-Vanderberg',
      enabled: true,
      credentials: [{ type: 'password', value: 'alexandra-pw' }],
    });
    const realmFile = join(dir, 'realm.json');
    writeFileSync(realmFile, JSON.stringify(realm));
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
    await seed();
    chrome = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });
  after(async () => {
    await chrome?.close();
    await server?.close();
    await Promise.all((receivers ?? []).map((r) => r.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const oidc = () => `${server.url}/realms/test/protocol/openid-connect`;

  /** One browser's SSO session, joined by each of the clients. */
  async function ssoSession(username: string, password: string, clientIds: string[]): Promise<void> {
    const browser = new Browser((input, init) => fetch(input, init));
    for (const clientId of clientIds) {
      const redirectUri =
        clientId === LONG_CLIENT
          ? 'https://billing.example/cb'
          : clientId === 'customer-support-desk'
            ? 'https://support-desk.example/cb'
            : `https://${clientId}.example/cb`;
      const { verifier, challenge } = pkce();
      const back = await signIn(
        browser,
        authUrl(
          { client_id: clientId, redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256' },
          oidc(),
        ),
        username,
        password,
      );
      // The client joins the session when it redeems its code.
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
      assert.equal(res.status, 200, await res.clone().text());
    }
  }

  /** Live sessions in many clients, ended ones with deliveries that fail with long causes, and error events. */
  async function seed(): Promise<void> {
    const all = ['rp1', 'rp2', 'rp3', LONG_CLIENT, 'customer-support-desk'];
    await ssoSession('alice', 'alice-pw', all);
    await ssoSession('bob', 'bob-pw', all);
    await ssoSession('alexandra', 'alexandra-pw', ['rp1', LONG_CLIENT]);
    const refused = await fetch(
      `${oidc()}/token`,
      form({ grant_type: 'password', client_id: 'rp1', client_secret: 'rp1-secret', username: 'carol', password: 'x' }),
    );
    assert.equal(refused.status, 400, 'a LOGIN_ERROR event');
    const admin = (await (
      await fetch(
        `${server.url}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      )
    ).json()) as { access_token: string };
    const headers = { authorization: `Bearer ${admin.access_token}` };
    const users = (await (
      await fetch(`${server.url}/admin/realms/test/users?username=alice`, { headers })
    ).json()) as Array<{
      id: string;
    }>;
    const ended = await fetch(`${server.url}/admin/realms/test/users/${users[0]!.id}/logout`, {
      method: 'POST',
      headers,
    });
    assert.equal(ended.status, 204);
  }

  async function consolePage(size: (typeof SIZES)[number]): Promise<Page> {
    const p = await chrome.newPage({ viewport: size });
    p.setDefaultTimeout(15_000);
    await p.goto(`${server.url}/admin/`);
    await p.getByLabel('Username or email').fill('admin');
    await p.getByLabel('Password').fill('admin-pw');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Realms' }).waitFor();
    return p;
  }

  for (const size of SIZES) {
    test(`at ${size.width} × ${size.height} no main table clips a column or scrolls sideways`, async () => {
      const p = await consolePage(size);
      try {
        const found: string[] = [];
        for (const { name, hash, ready, first } of PAGES) {
          await p.goto(`${server.url}/admin/#/${hash}`);
          await first?.(p);
          await p.locator(ready).first().waitFor();
          found.push(...(await overflows(p)).map((problem) => `${name}: ${problem}`));
          await p.screenshot({ path: join(shots, `console-${name}-${size.width}.png`) });
        }
        assert.deepEqual(found, []);
      } finally {
        await p.close();
      }
    });
  }

  test('event details are labelled fields; the raw JSON is behind a toggle', async () => {
    const p = await consolePage(SIZES[0]);
    try {
      await p.goto(`${server.url}/admin/#/test/events?type=LOGIN_ERROR`);
      const row = p.locator('tbody tr').first();
      await row.locator('.facts').waitFor();
      assert.deepEqual(await row.locator('.facts dt').allTextContents(), ['username']);
      assert.deepEqual(await row.locator('.facts dd').allTextContents(), ['carol']);
      const raw = row.locator('details.raw');
      assert.equal(await raw.locator('pre').isVisible(), false, 'closed until asked');
      await raw.locator('summary').click();
      const json = JSON.parse((await raw.locator('pre').textContent())!) as { type: string };
      assert.equal(json.type, 'LOGIN_ERROR');
    } finally {
      await p.close();
    }
  });
});
