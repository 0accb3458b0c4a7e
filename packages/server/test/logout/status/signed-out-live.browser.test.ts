// Issue 24's "Done means" in Chromium: a logout with four apps — two OIDC back-channel receivers,
// a SAML front-channel SP (node-saml, Redirect) and a SAML SOAP SP — while one receiver is down.
// The signed-out page shows three signed out and one retrying, in words and with a live outcome
// line; the same page without JavaScript shows the same states; after the receiver comes back,
// the account page shows that app signed out. Screenshots: signed-out-live.png,
// signed-out-no-script.png, account.png (SUNDOWN_SCREENSHOTS=update writes them to docs/screenshots).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser as Chromium, chromium, type Page } from 'playwright-core';
import { pino } from 'pino';
import { parseStartConfig } from '../../../src/config.ts';
import { certificateToText } from '../../../src/saml/certificate-text.ts';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { type RunningServer, startServer } from '../../../src/server.ts';
import { logoutRealmJson } from '../../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { Receiver } from '../../helpers/receiver.ts';
import { keyPair, sp } from '../../helpers/saml-fixtures.ts';
import { descriptorCertificate, joinSession, samlClient } from '../../helpers/saml-logout-realm.ts';
import { SamlSpServer } from '../../helpers/saml-sp-server.ts';
import { SoapSp } from '../../helpers/soap-sp.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`# signed-out page suite ${skip}`);

const frontKey = keyPair('live-front-sp');
const FRONT_SP = 'urn:test:live-front';
const SOAP_SP = 'urn:test:live-soap';

describe('the signed-out page, live, in Chromium', { skip }, () => {
  let dir: string;
  let shots: string;
  let server: RunningServer;
  let chrome: Chromium;
  let r1: Receiver;
  let r2: Receiver;
  let frontSp: SamlSpServer;
  let soapSp: SoapSp;
  let app: Server;
  let appUrl: string;
  let issuer: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-signed-out-'));
    shots =
      process.env.SUNDOWN_SCREENSHOTS === 'update'
        ? new URL('../../../../../docs/screenshots/', import.meta.url).pathname
        : join(dir, 'shots');
    mkdirSync(shots, { recursive: true });
    [r1, r2] = await Promise.all([Receiver.start(), Receiver.start()]);
    r1.answer = () => ({ status: 200, body: '{"logged_out":true,"sessions_ended":1}' });
    r2.answer = () => ({ status: 200, body: '{"logged_out":true,"sessions_ended":1}' });
    frontSp = await SamlSpServer.start();
    const dataDir = join(dir, 'data');
    const config = parseStartConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {});
    server = await startServer(
      {
        ...config,
        logout: {
          ...config.logout,
          retry: { ...config.logout.retry, baseDelayMs: 200, maxDelayMs: 1000, youngMaxDelayMs: 1000 },
        },
      },
      pino({ level: 'silent' }),
    );
    issuer = `${server.url}/realms/test`;
    soapSp = await SoapSp.start({
      entityId: SOAP_SP,
      idpCert: '',
      idpIssuer: issuer,
      privateKey: sp.privatePem,
      certificateBase64: certificateToText(sp.certificate),
    });
    app = createServer((req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<p id="app">${req.url?.split('?')[0]}</p>`),
    );
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

    const json = logoutRealmJson({
      rp1: r1.url,
      rp2: r2.url,
      extraClients: [
        {
          ...samlClient(FRONT_SP, { frontchannel: true, redirect: frontSp.sloUrl, certificate: frontKey }),
          name: 'App Three (SAML)',
          redirectUris: [frontSp.acsUrl],
        },
        {
          ...samlClient(SOAP_SP, { frontchannel: false, soap: soapSp.url, certificate: sp }),
          name: 'App Four (SAML SOAP)',
        },
      ],
    }) as { clients: Array<{ clientId: string; name?: string; redirectUris?: string[] }> };
    for (const [id, name] of [
      ['rp1', 'App One'],
      ['rp2', 'App Two'],
    ] as const) {
      const c = json.clients.find((x) => x.clientId === id)!;
      c.name = name;
      c.redirectUris = [`${appUrl}/cb`];
    }
    await importRealm(server.store.db, parseRealmJson(json));
    const cert = await descriptorCertificate((u) => fetch(u), issuer);
    frontSp.configure({
      entityId: FRONT_SP,
      idpEndpoint: `${issuer}/protocol/saml`,
      idpIssuer: issuer,
      idpCert: cert,
      privateKey: frontKey.privatePem,
    });
    soapSp.trust(cert);
    chrome = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });
  after(async () => {
    await chrome?.close();
    await server?.close();
    await Promise.all([r1?.close(), r2?.close(), frontSp?.close(), soapSp?.close()]);
    if (app) await new Promise((r) => app.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Signs in to an OIDC client in the page (SSO when a session exists) and returns its ID token. */
  async function oidcSignIn(page: Page, clientId: string): Promise<string> {
    await page.goto(
      `${issuer}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: clientId, redirect_uri: `${appUrl}/cb`, response_type: 'code', scope: 'openid' })}`,
    );
    if (await page.getByLabel('Username or email').isVisible()) {
      await page.getByLabel('Username or email').fill('alice');
      await page.getByLabel('Password').fill('alice-pw');
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.waitForURL((u) => u.pathname === '/cb');
    const code = new URL(page.url()).searchParams.get('code')!;
    const res = await fetch(
      `${issuer}/protocol/openid-connect/token`,
      form(
        { grant_type: 'authorization_code', code, redirect_uri: `${appUrl}/cb` },
        { authorization: basic(clientId, `${clientId}-secret`) },
      ),
    );
    return ((await res.json()) as { id_token: string }).id_token;
  }

  const states = async (page: Page) =>
    Object.fromEntries(
      await page
        .locator('#logout-apps li')
        .evaluateAll((items) =>
          items.map((li) => [li.querySelector('.name')!.textContent, (li as HTMLElement).dataset.state]),
        ),
    ) as Record<string, string>;

  test('one receiver down: three signed out, one retrying — live, and the same without JavaScript; back up, the account page shows it signed out', async () => {
    const context = await chrome.newContext();
    const page = await context.newPage();
    // One SSO session: the SAML front-channel SP first (the form), then both OIDC apps by SSO,
    // and the SOAP SP as a participant of the same session.
    await page.goto(await frontSp.loginUrl());
    await page.getByLabel('Username or email').fill('alice');
    await page.getByLabel('Password').fill('alice-pw');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sp').filter({ hasText: 'signed in as alice' }).waitFor();
    const idToken = await oidcSignIn(page, 'rp1');
    await oidcSignIn(page, 'rp2');
    const sid = decodeJwt(idToken).payload.sid as string;
    await joinSession(server, sid, SOAP_SP);

    await r2.stop();
    await page.goto(`${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: idToken })}`);
    const outcome = page.locator('#logout-outcome[role="status"][aria-live="polite"]');
    await outcome
      .filter({ hasText: 'Signed out of 3 of 4 applications; 1 is still being retried.' })
      .waitFor()
      .catch(async (err: unknown) => {
        throw new Error(`${String(err)}\n${await page.locator('main').innerText()}`);
      });
    assert.deepEqual(await states(page), {
      'App One': 'signed_out',
      'App Two': 'retrying',
      'App Three (SAML)': 'signed_out',
      'App Four (SAML SOAP)': 'signed_out',
    });
    // In words, not colour alone: each state says what it is, the retrying one says why.
    const two = page.locator('#logout-apps li', { hasText: 'App Two' });
    assert.match(
      (await two.textContent())!,
      /Not reached yet, trying again.*the application is not answering \(connection refused\)/,
    );
    assert.match(
      (await page.locator('#logout-apps li', { hasText: 'App One' }).textContent())!,
      /Signed out \(1 session ended\)/,
    );
    assert.equal(frontSp.logoutRequests.length, 1, frontSp.errors.join('; '));
    assert.equal(soapSp.accepted().length, 1);
    await page.screenshot({ path: join(shots, 'signed-out-live.png'), fullPage: true });

    // Without JavaScript: the server-rendered page of the same logout shows the same states.
    const logoutId = new URL((await page.locator('#reload').getAttribute('href')) ?? '', issuer).searchParams.get(
      'logout',
    )!;
    const noJs = await chrome.newContext({ javaScriptEnabled: false });
    await noJs.addCookies(await context.cookies());
    const plain = await noJs.newPage();
    await plain.goto(`${issuer}/protocol/openid-connect/logout/signed-out?logout=${logoutId}`);
    assert.deepEqual(await states(plain), await states(page));
    assert.equal(
      await plain.locator('#logout-outcome').textContent(),
      'Signed out of 3 of 4 applications; 1 is still being retried.',
    );
    assert.equal(await plain.locator('meta[http-equiv="refresh"]').count(), 1, 'it reloads itself while retrying');
    await plain.screenshot({ path: join(shots, 'signed-out-no-script.png'), fullPage: true });
    await noJs.close();

    // The receiver comes back: the live page turns App Two signed out by itself.
    await r2.listen();
    await outcome.filter({ hasText: 'Signed out of 4 of 4 applications.' }).waitFor({ timeout: 20_000 });
    assert.equal((await states(page))['App Two'], 'signed_out');

    // Signed in again, the account page shows that logout with every app signed out.
    await oidcSignIn(page, 'rp1');
    await page.goto(`${issuer}/account/`);
    const section = page.locator(`section[data-logout="${logoutId}"]`);
    await section.getByRole('heading', { name: 'You signed out (from rp1)' }).waitFor();
    assert.equal(await section.locator('li[data-state="signed_out"]').count(), 4);
    assert.match(
      (await section.locator('li', { hasText: 'App Two' }).textContent())!,
      /Signed out \(1 session ended\)/,
    );
    await page.screenshot({ path: join(shots, 'account.png'), fullPage: true });
    await context.close();
  });
});
