// The front-channel SAML chain in Chromium (issue 16; saml.md §4, keycloak#22086): one SSO session,
// signed into in Chromium through the real endpoints, with an OIDC client and three front-channel
// node-saml SPs — one by Redirect, one by POST, one whose server has gone (its SLO URL refuses
// connections). An OIDC RP-initiated logout's signed-out page sends each SP its
// signed LogoutRequest in its own iframe; both working SPs validate theirs with node-saml and answer
// with a signed Redirect LogoutResponse, which Sundown checks; the broken one does not stop the
// others; then the browser lands on the post-logout redirect. Loopback only.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser as Chromium, chromium } from 'playwright-core';
import { pino } from 'pino';
import { parseStartConfig } from '../../../src/config.ts';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { type RunningServer, startServer } from '../../../src/server.ts';
import { openStore } from '../../../src/store/database.ts';
import { logoutRealmJson } from '../../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { Receiver } from '../../helpers/receiver.ts';
import { keyPair } from '../../helpers/saml-fixtures.ts';
import { descriptorCertificate, samlClient } from '../../helpers/saml-logout-realm.ts';
import { SamlSpServer } from '../../helpers/saml-sp-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# SAML front-channel chain suite ${skip}`);

const spKey = keyPair('chain-sp');
const REDIRECT_SP = 'urn:test:chain-redirect';
const POST_SP = 'urn:test:chain-post';
const BROKEN_SP = 'urn:test:chain-broken';

describe('SAML front-channel chain in Chromium', { skip }, () => {
  let dir: string;
  let server: RunningServer;
  let chrome: Chromium;
  let rp1: Receiver;
  let redirectSp: SamlSpServer;
  let postSp: SamlSpServer;
  let brokenSp: SamlSpServer;
  let app: Server;
  let appUrl: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-saml-chain-'));
    rp1 = await Receiver.start();
    [redirectSp, postSp, brokenSp] = await Promise.all([
      SamlSpServer.start(),
      SamlSpServer.start(),
      SamlSpServer.start(),
    ]);
    // The OIDC app: its callback and post-logout pages.
    app = createServer((req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<p id="app">${req.url?.split('?')[0]}</p>`),
    );
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

    const json = logoutRealmJson({
      rp1: rp1.url,
      rp2: rp1.url,
      extraClients: [
        samlClient(REDIRECT_SP, { frontchannel: true, redirect: redirectSp.sloUrl, certificate: spKey }),
        samlClient(POST_SP, { frontchannel: true, post: postSp.sloUrl, certificate: spKey }),
        samlClient(BROKEN_SP, { frontchannel: true, redirect: brokenSp.sloUrl, certificate: spKey }),
      ],
    }) as { clients: Array<{ clientId: string; attributes?: Record<string, string> }> };
    const c = json.clients.find((x) => x.clientId === 'rp1')!;
    c.attributes = { ...c.attributes, 'post.logout.redirect.uris': `${appUrl}/bye` };
    (c as { redirectUris?: string[] }).redirectUris = [`${appUrl}/cb`];
    for (const [spServer, entityId] of [
      [redirectSp, REDIRECT_SP],
      [postSp, POST_SP],
      [brokenSp, BROKEN_SP],
    ] as const) {
      (json.clients.find((x) => x.clientId === entityId) as { redirectUris?: string[] }).redirectUris = [
        spServer.acsUrl,
      ];
    }
    const dataDir = join(dir, 'data');
    const store = await openStore({ kind: 'sqlite', dataDir });
    await importRealm(store.db, parseRealmJson(json));
    await store.close();
    server = await startServer(
      parseStartConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {}),
      pino({ level: 'silent' }),
    );
    const issuer = `${server.url}/realms/test`;
    const cert = await descriptorCertificate((u) => fetch(u), issuer);
    for (const [sp, entityId] of [
      [redirectSp, REDIRECT_SP],
      [postSp, POST_SP],
      [brokenSp, BROKEN_SP],
    ] as const) {
      sp.configure({
        entityId,
        idpEndpoint: `${issuer}/protocol/saml`,
        idpIssuer: issuer,
        idpCert: cert,
        privateKey: spKey.privatePem,
      });
    }
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
    await Promise.all([rp1?.close(), redirectSp?.close(), postSp?.close(), brokenSp?.close().catch(() => undefined)]);
    if (app) await new Promise((r) => app.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('OIDC logout in the browser: Redirect and POST SPs get and answer their LogoutRequests, the broken SP does not stop them, then the post-logout redirect', async () => {
    const issuer = `${server.url}/realms/test`;
    const context = await chrome.newContext();
    const page = await context.newPage();
    // Sign in: the Redirect SP first (the login form), then the others by SSO, then the OIDC client.
    await page.goto(await redirectSp.loginUrl());
    await page.getByLabel('Username or email').fill('alice');
    await page.getByLabel('Password').fill('alice-pw');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sp').filter({ hasText: 'signed in as alice' }).waitFor();
    for (const spServer of [postSp, brokenSp]) {
      await page.goto(await spServer.loginUrl());
      await page.locator('#sp').filter({ hasText: 'signed in as alice' }).waitFor();
    }
    await page.goto(
      `${issuer}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: 'rp1', redirect_uri: `${appUrl}/cb`, response_type: 'code', scope: 'openid' })}`,
    );
    await page.waitForURL((u) => u.pathname === '/cb');
    const code = new URL(page.url()).searchParams.get('code')!;
    const tok = (await (
      await fetch(
        `${issuer}/protocol/openid-connect/token`,
        form(
          { grant_type: 'authorization_code', code, redirect_uri: `${appUrl}/cb` },
          { authorization: basic('rp1', 'rp1-secret') },
        ),
      )
    ).json()) as { id_token: string };
    const sid = decodeJwt(tok.id_token).payload.sid as string;
    const r = { sessionIndex: redirectSp.profile!.sessionIndex! };
    const p = { sessionIndex: postSp.profile!.sessionIndex! };
    const realm = (await server.provider.ctx.realms.realmByName('test'))!;
    for (const [entityId, index] of [
      [REDIRECT_SP, r.sessionIndex],
      [POST_SP, p.sessionIndex],
      [BROKEN_SP, brokenSp.profile!.sessionIndex!],
    ] as const) {
      const client = (await server.provider.ctx.realms.clientByClientId(realm.id, entityId))!;
      assert.equal(
        (await server.provider.ctx.clientSessions.findBySamlSessionIndex(realm.id, client.id, [index]))[0]
          ?.sso_session_id,
        sid,
        `${entityId} is in the SSO session`,
      );
    }
    // The third SP's server goes away: its SLO URL now refuses connections.
    await brokenSp.close();
    const violations: string[] = [];
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.log(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
      ),
    );
    page.on('console', (m) => {
      if (/Content Security Policy|CSP violation/i.test(m.text())) violations.push(m.text());
    });
    const ourAnswers: number[] = [];
    page.on('response', (res) => {
      if (res.url().startsWith(`${issuer}/protocol/saml?SAMLResponse=`)) ourAnswers.push(res.status());
    });
    const logout = `${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tok.id_token, post_logout_redirect_uri: `${appUrl}/bye`, state: 's1' })}`;
    const started = Date.now();
    await page.goto(logout);
    await page.waitForURL(`${appUrl}/bye?state=s1`, { timeout: 15_000 });
    const took = Date.now() - started;

    assert.equal(redirectSp.logoutRequests.length, 1, redirectSp.errors.join('; '));
    assert.equal(redirectSp.logoutRequests[0]!.sessionIndex, r.sessionIndex);
    assert.equal(postSp.logoutRequests.length, 1, postSp.errors.join('; '));
    assert.equal(postSp.logoutRequests[0]!.sessionIndex, p.sessionIndex);
    // Both LogoutResponses came back through the iframes and were accepted.
    assert.deepEqual(ourAnswers.sort(), [200, 200]);
    const answered = await server.store.db
      .selectFrom('saml_logout_request')
      .select(['client_id', 'status'])
      .where('sso_session_id', '=', sid)
      .execute();
    assert.equal(answered.length, 3, 'one LogoutRequest per front-channel SP');
    assert.equal(answered.filter((a) => a.status === 'urn:oasis:names:tc:SAML:2.0:status:Success').length, 2);
    assert.equal(answered.filter((a) => a.status === null).length, 1, 'the broken SP never answered');
    assert.deepEqual(violations, []);
    assert.ok(took < 10_000, `the chain took ${took} ms`);
    // And the OIDC client got its back-channel logout token.
    await rp1.waitFor(1);
    await context.close();
  });
});
