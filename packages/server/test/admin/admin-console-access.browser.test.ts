// The console's views of the authorization model in a real browser (Debian's Chromium via
// playwright-core) against a real server with the access fixture realm (roles with composites
// across realm and client roles, groups with subgroups): the roles list and one composite's
// expansion, the group tree and one group's inherited roles and members, and a user's direct and
// effective roles with how each is held; mapping and unmapping a role shows in both at once.
// With SUNDOWN_SCREENSHOTS=update the pages are saved to docs/screenshots/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser as Chromium, chromium, type Page } from 'playwright-core';
import { pino } from 'pino';
import { parseStartConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { ACCESS_REALM_JSON } from '../helpers/access-realm.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# admin console access suite ${skip}`);

describe('admin console: roles, groups and effective roles in Chromium', { skip }, () => {
  let dir: string;
  let shots: string;
  let server: RunningServer;
  let chrome: Chromium;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-console-access-'));
    shots =
      process.env.SUNDOWN_SCREENSHOTS === 'update'
        ? new URL('../../../../docs/screenshots/', import.meta.url).pathname
        : join(dir, 'shots');
    mkdirSync(shots, { recursive: true });
    const realmFile = join(dir, 'realm.json');
    writeFileSync(realmFile, JSON.stringify(ACCESS_REALM_JSON));
    const config = parseStartConfig(
      ['--port', '0', '--host', '127.0.0.1', '--data-dir', join(dir, 'data'), '--import-realm', realmFile],
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
    // Script errors, CSP violations and failed API calls fail the suite instead of timing out.
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      // A failed request is reported below with its status and URL.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) pageErrors.push(msg.text());
    });
    page.on('response', (res) => {
      if (res.status() >= 400) pageErrors.push(`${res.status()} ${res.url()}`);
    });
    await page.goto(`${server.url}/admin/`);
    await page.getByLabel('Username or email').fill('admin');
    await page.getByLabel('Password').fill('admin-pw');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Realms' }).waitFor();
  });
  after(async () => {
    await chrome?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(pageErrors, [], 'the console logged errors');
  });

  const shot = (name: string) => page.screenshot({ path: join(shots, name), fullPage: true });
  const texts = (selector: string) => page.locator(selector).allTextContents();

  test('roles: realm and client roles with composites marked; a composite shows every role it gives', async () => {
    await page.goto(`${server.url}/admin/#/shop/roles`);
    await page.getByRole('heading', { name: 'Client roles' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Roles', exact: true }).getAttribute('aria-current'), 'page');
    assert.match((await page.locator('tr[data-role="admin"]').textContent())!, /composite/);
    assert.doesNotMatch((await page.locator('tr[data-role="auditor"]').textContent())!, /composite/);
    assert.match((await page.locator('tr[data-role="app app-admin"]').textContent())!, /Administers the app/);
    await page.locator('tr[data-role="api write"]').waitFor();
    // Keycloak's message key is shown as its console shows it.
    assert.match((await page.locator('tr[data-role="default-roles-shop"]').textContent())!, /Default roles/);
    await shot('console-roles.png');

    await page.locator('tr[data-role="team-lead"]').getByRole('link', { name: 'team-lead' }).click();
    await page.getByRole('heading', { name: 'Contains' }).waitFor();
    await page.locator('tr[data-contains="user"]').waitFor();
    assert.deepEqual(
      Object.fromEntries(
        await page
          .locator('tr[data-contains]')
          .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-contains'), r.children[1]!.textContent])),
      ),
      { admin: 'directly', user: 'through a contained composite', 'app app-admin': 'through a contained composite' },
    );
    assert.match((await page.locator('dl.facts').textContent())!, /realm_access\.roles/);
  });

  test('groups: the tree with each group’s roles; a subgroup shows what its members get and who they are', async () => {
    await page.goto(`${server.url}/admin/#/shop/groups`);
    const leads = page.locator('li[data-group="/staff"] > ul > li[data-group="/staff/leads"]');
    await leads.waitFor();
    assert.deepEqual(await texts('li[data-group="/staff"] > .chip'), ['user', 'api read']);
    assert.deepEqual(await leads.locator('.chip').allTextContents(), ['team-lead']);
    assert.deepEqual(await texts('li[data-group="/partners"] > .chip'), ['api write']);
    await shot('console-groups.png');

    await leads.getByRole('link', { name: 'leads' }).click();
    await page.getByRole('heading', { name: 'Members', exact: true }).waitFor();
    await page.locator('tr[data-user="alice"]').waitFor();
    const how = async (role: string) => (await page.locator(`tr[data-role="${role}"] td`).nth(2).textContent())!;
    assert.equal(await how('team-lead'), 'mapped to this group');
    assert.equal(await how('user'), 'from a parent group or a composite');
    assert.equal(await how('api read'), 'from a parent group or a composite');
    assert.equal(await how('app app-admin'), 'from a parent group or a composite');
    assert.match((await page.locator('dl.facts').textContent())!, /dept = lead-eng/);
  });

  test("a user's roles: groups, direct mappings, effective roles with how each is held; map and unmap a role", async () => {
    await page.goto(`${server.url}/admin/#/shop/users`);
    await page.locator('tr[data-user="alice"]').getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('heading', { name: 'Effective roles' }).waitFor();
    await page.locator('tr[data-effective="user"]').waitFor();
    assert.equal(await page.locator('#user-groups').textContent(), '/staff/leads');
    assert.deepEqual((await texts('tr[data-mapped]')).length, 2);
    await page.locator('tr[data-mapped="app app-user"]').waitFor();
    const how = async (role: string) => (await page.locator(`tr[data-effective="${role}"] td`).nth(2).textContent())!;
    assert.equal(
      await how('user'),
      'mapped directly; from group /staff; in composite team-lead, from group /staff/leads',
    );
    assert.equal(await how('app app-admin'), 'in composite team-lead, from group /staff/leads');
    assert.equal(await how('api read'), 'from group /staff');
    assert.equal(await page.locator('tr[data-effective="user"]').getAttribute('data-direct'), 'true');
    assert.equal(await page.locator('tr[data-effective]').count(), 6);
    await shot('console-user-roles.png');

    await page.getByLabel('Realm role to map').selectOption({ label: 'auditor' });
    await page.getByRole('button', { name: 'Map role' }).click();
    await page.locator('#toast').getByText('auditor is mapped to alice.').waitFor();
    await page.locator('tr[data-mapped="auditor"]').waitFor();
    assert.equal(await how('auditor'), 'mapped directly');

    const row = page.locator('tr[data-mapped="auditor"]');
    await row.getByRole('button', { name: 'Unmap' }).click();
    await row.getByRole('button', { name: 'Confirm: unmap' }).click();
    await page.locator('#toast').getByText('auditor is no longer mapped to alice.').waitFor();
    await page.locator('tr[data-effective="user"]').waitFor();
    assert.equal(await page.locator('tr[data-effective="auditor"]').count(), 0);
    assert.equal(await page.locator('tr[data-mapped="auditor"]').count(), 0);
  });
});
