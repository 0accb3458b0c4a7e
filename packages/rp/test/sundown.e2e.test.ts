// End to end against our own provider: an Express app using @sundown/rp signs in at a running
// Sundown server; a logout at Sundown ends the app's session through the back channel.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { parseStartConfig } from '../../server/src/config.ts';
import { importRealm } from '../../server/src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../server/src/realm-import/realm-json.ts';
import { startServer } from '../../server/src/server.ts';
import { MemoryLogoutStore } from '../src/index.ts';
import { Jar } from './helpers/jar.ts';
import { reservePort, startRpApp } from './helpers/rp-app.ts';

test('Sundown ends the session → the Express app using @sundown/rp is signed out on its next request, and its receipt (1 session ended) is on the delivery', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-e2e-'));
  // The app's URLs go into the realm before the app starts: its socket is held from now on.
  const { listener, base: appBase } = await reservePort();
  const config = parseStartConfig(['--port', '0', '--data-dir', dir, '--log-level', 'silent'], {});
  const server = await startServer(config, pino({ level: 'silent' }));
  await importRealm(
    server.store.db,
    parseRealmJson({
      realm: 'e2e',
      attributes: { backchannelLogoutAllowHttp: 'true' },
      clients: [
        {
          clientId: 'app',
          secret: 'app-secret',
          redirectUris: [`${appBase}/callback`],
          attributes: {
            'backchannel.logout.url': `${appBase}/backchannel-logout`,
            'post.logout.redirect.uris': `${appBase}/`,
          },
        },
      ],
      users: [{ username: 'alice', credentials: [{ value: 'alice-pw' }] }],
    }),
  );
  const store = new MemoryLogoutStore();
  const app = await startRpApp({
    issuer: `${server.url}/realms/e2e`,
    clientId: 'app',
    clientSecret: 'app-secret',
    store,
    listener,
  });
  const browser = new Jar();
  try {
    const { res: loginPage, url } = await browser.follow(`${app.url}/login`);
    const html = await loginPage.text();
    const authRequest = /name="auth_request" value="([^"]+)"/.exec(html)![1]!;
    const action = new URL(/action="([^"]+)"/.exec(html)![1]!, url).toString();
    const posted = await browser.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ auth_request: authRequest, username: 'alice', password: 'alice-pw' }).toString(),
    });
    const { res: home } = await browser.follow(new URL(posted.headers.get('location')!, action).toString());
    const text = await home.text();
    assert.match(text, /^signed in as .+ sid=/, text);

    // The app's own "sign out" is not used: the logout starts at the provider (another app, an admin…).
    const realm = (await server.provider.ctx.realms.realmByName('e2e'))!;
    const alice = (await server.provider.ctx.realms.userByUsername(realm.id, 'alice'))!;
    const ended = await server.provider.ctx.logout.logoutUser(realm, alice.id);
    await server.provider.ctx.deliveries.waitForFirstAttempts(ended.deliveryIds, 5000);
    const row = await server.store.db
      .selectFrom('logout_delivery')
      .select(['status', 'last_error', 'receipt', 'logout_id'])
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'delivered', row.last_error ?? '');
    // The app's receipt (BCL §2.8 body): the express-session it destroyed, recorded by Sundown.
    assert.deepEqual(JSON.parse(row.receipt!), { sessionsEnded: 1 });
    assert.equal(row.logout_id, ended.logoutId);
    assert.equal(await (await browser.fetch(`${app.url}/`)).text(), 'signed out');
  } finally {
    await app.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
