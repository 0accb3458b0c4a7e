// How the admin console is served: its page and assets under a strict CSP, its configuration
// (endpoints of the master realm, under /auth when configured), nothing outside its own files,
// and its OIDC client following the public URL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONSOLE_CLIENT_ID, ensureBootstrapAdmin, ensureConsoleClient } from '../../src/admin/bootstrap.ts';
import { EVENT_TYPES } from '../../src/events/event-log.ts';
import { LOGOUT_TRIGGERS } from '../../src/sessions/session-ender.ts';
import { DELIVERY_STATUSES } from '../../src/store/schema.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { startTestProvider } from '../helpers/provider.ts';

function config(page: string): Record<string, unknown> {
  const json = /<script type="application\/json" id="sundown-config">(.*?)<\/script>/s.exec(page)?.[1];
  assert.ok(json, 'the page carries its configuration');
  return JSON.parse(json) as Record<string, unknown>;
}

test('the console page and assets: strict CSP, no framing, master-realm endpoints, under /auth too', async () => {
  const t = await startTestProvider(TEST_DATABASES[0]!, { httpRelativePath: '/auth' });
  try {
    await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
    const res = await t.fetch('https://sso.test/auth/admin/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline or external script');
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const page = await res.text();
    assert.doesNotMatch(page, /https?:\/\/(?!sso\.test)/, 'nothing external is loaded');
    assert.deepEqual(config(page), {
      consoleUrl: 'https://sso.test/auth/admin/',
      apiBase: 'https://sso.test/auth/admin/realms',
      issuer: 'https://sso.test/auth/realms/master',
      authorizationEndpoint: 'https://sso.test/auth/realms/master/protocol/openid-connect/auth',
      tokenEndpoint: 'https://sso.test/auth/realms/master/protocol/openid-connect/token',
      endSessionEndpoint: 'https://sso.test/auth/realms/master/protocol/openid-connect/logout',
      clientId: CONSOLE_CLIENT_ID,
      eventTypes: [...EVENT_TYPES],
      deliveryStatuses: [...DELIVERY_STATUSES],
      logoutTriggers: [...LOGOUT_TRIGGERS],
    });
    assert.equal((await t.fetch('https://sso.test/auth/admin')).status, 200);

    for (const path of [
      'console.css',
      'js/main.js',
      'js/views/deliveries.js',
      'js/views/roles.js',
      'js/views/groups.js',
      'js/views/user-roles.js',
    ]) {
      const asset = await t.fetch(`https://sso.test/auth/admin/console/${path}`);
      assert.equal(asset.status, 200, path);
      assert.match(asset.headers.get('content-type')!, path.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      assert.equal(asset.headers.get('x-content-type-options'), 'nosniff');
    }
    for (const path of [
      'tsconfig.json',
      'index.html',
      'js/nope.js',
      '..%2F..%2Fsrc%2Fserver.ts',
      '../../package.json',
    ]) {
      assert.equal((await t.fetch(`https://sso.test/auth/admin/console/${path}`)).status, 404, path);
    }
  } finally {
    await t.close();
  }
});

test('without a master realm, /admin/ is a page that says how to turn the console on, never JSON', async () => {
  const t = await startTestProvider(TEST_DATABASES[0]!);
  try {
    for (const path of ['/admin/', '/admin']) {
      const res = await t.fetch(`https://sso.test${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type')!, /^text\/html/);
      assert.match(res.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
      const page = await res.text();
      assert.match(page, /<h1>The admin console is off<\/h1>/);
      assert.match(page, /SUNDOWN_ADMIN_USERNAME and SUNDOWN_ADMIN_PASSWORD/);
      assert.match(page, /KC_BOOTSTRAP_ADMIN_USERNAME/);
      assert.doesNotMatch(page, /sundown-config/, 'not the console itself');
    }
    // Once an admin exists (a start with SUNDOWN_ADMIN_*), the same URL is the console.
    await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
    assert.match(await (await t.fetch('https://sso.test/admin/')).text(), /sundown-config/);
  } finally {
    await t.close();
  }
});

test('the console client is a public code-flow client whose redirect URI follows the public URL', async () => {
  const t = await startTestProvider(TEST_DATABASES[0]!);
  try {
    await ensureConsoleClient(t.store.db, 'https://sso.test/admin/');
    assert.equal(
      await t.store.db.selectFrom('client').where('client_id', '=', CONSOLE_CLIENT_ID).select('id').executeTakeFirst(),
      undefined,
      'no master realm, no console client',
    );
    await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
    await ensureConsoleClient(t.store.db, 'https://sso.test/admin/');
    await ensureConsoleClient(t.store.db, 'https://login.example/admin/');
    const rows = await t.store.db.selectFrom('client').where('client_id', '=', CONSOLE_CLIENT_ID).selectAll().execute();
    assert.equal(rows.length, 1);
    assert.deepEqual(JSON.parse(rows[0]!.redirect_uris), ['https://login.example/admin/']);
    assert.equal(rows[0]!.public_client, 1);
    assert.equal(rows[0]!.secret, null);
    assert.equal(rows[0]!.direct_access_grants_enabled, 0);
  } finally {
    await t.close();
  }
});
