// The SAML front-channel answer in Chromium (issue 21, "Done means"): an SP that answers a POSTed
// LogoutRequest with a POSTed LogoutResponse from an auto-submitting form, as pysaml2 does — here
// after 500 ms, and refusing (StatusCode Responder). The signed-out page must wait for that answer
// to arrive on Sundown's origin before it continues to the post-logout redirect: before, the SP's
// page loading in the iframe counted as done, the page navigated away, the browser dropped the
// SP's page with its pending POST, and the refusal went unrecorded. Loopback only.
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
import { STATUS } from '../../../src/saml/saml-constants.ts';
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
if (skip) console.log(`# SAML front-channel POST answer suite ${skip}`);

const spKey = keyPair('post-answer-sp');
const POST_SP = 'urn:test:post-answer';
/** How long the SP's page waits before its form POSTs the answer back (pysaml2's submits on load). */
const ANSWER_DELAY_MS = 500;

describe('SAML front-channel answer by an auto-submitted POST form in Chromium', { skip }, () => {
  let dir: string;
  let server: RunningServer;
  let chrome: Chromium;
  let rp1: Receiver;
  let sp: SamlSpServer;
  let app: Server;
  let appUrl: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sundown-saml-post-answer-'));
    rp1 = await Receiver.start();
    sp = await SamlSpServer.start();
    app = createServer((req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<p id="app">${req.url?.split('?')[0]}</p>`),
    );
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

    const json = logoutRealmJson({
      rp1: rp1.url,
      rp2: rp1.url,
      // Only a POST SLO URL: Sundown sends the LogoutRequest by POST too.
      extraClients: [samlClient(POST_SP, { frontchannel: true, post: sp.sloUrl, certificate: spKey })],
    }) as { clients: Array<{ clientId: string; attributes?: Record<string, string>; redirectUris?: string[] }> };
    const c = json.clients.find((x) => x.clientId === 'rp1')!;
    c.attributes = { ...c.attributes, 'post.logout.redirect.uris': `${appUrl}/bye` };
    c.redirectUris = [`${appUrl}/cb`];
    json.clients.find((x) => x.clientId === POST_SP)!.redirectUris = [sp.acsUrl];
    const dataDir = join(dir, 'data');
    const store = await openStore({ kind: 'sqlite', dataDir });
    await importRealm(store.db, parseRealmJson(json));
    await store.close();
    server = await startServer(
      parseStartConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {}),
      pino({ level: 'silent' }),
    );
    const issuer = `${server.url}/realms/test`;
    sp.configure({
      entityId: POST_SP,
      idpEndpoint: `${issuer}/protocol/saml`,
      idpIssuer: issuer,
      idpCert: await descriptorCertificate((u) => fetch(u), issuer),
      privateKey: spKey.privatePem,
    });
    sp.answerByPost({
      delayMs: ANSWER_DELAY_MS,
      status: STATUS.responder,
      signWith: { kid: 'sp', privateKey: spKey.privateKey, certificate: spKey.certificate },
    });
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
    await Promise.all([rp1?.close(), sp?.close()]);
    if (app) await new Promise((r) => app.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('saml-frontchannel-post-answer: the signed-out page waits for a POSTed LogoutResponse, so the SP’s refusal is recorded before the post-logout redirect', async () => {
    const issuer = `${server.url}/realms/test`;
    const context = await chrome.newContext();
    const page = await context.newPage();
    // Sign in at the SP (the login form), then the OIDC client by SSO.
    await page.goto(await sp.loginUrl());
    await page.getByLabel('Username or email').fill('alice');
    await page.getByLabel('Password').fill('alice-pw');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sp').filter({ hasText: 'signed in as alice' }).waitFor();
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

    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|CSP violation/i.test(m.text())) violations.push(m.text());
    });
    const answers: number[] = [];
    page.on('response', (res) => {
      if (res.request().method() === 'POST' && res.url() === `${issuer}/protocol/saml`) answers.push(res.status());
    });
    const logout = `${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tok.id_token, post_logout_redirect_uri: `${appUrl}/bye`, state: 's1' })}`;
    const started = Date.now();
    await page.goto(logout);
    await page.waitForURL(`${appUrl}/bye?state=s1`, { timeout: 15_000 });
    const took = Date.now() - started;

    // The SP got and accepted its POSTed LogoutRequest, and its answer came back through the iframe.
    assert.equal(sp.logoutRequests.length, 1, sp.errors.join('; '));
    assert.deepEqual(answers, [200], 'the POSTed LogoutResponse reached Sundown before the page moved on');
    // Recorded by the time the browser is at the post-logout redirect: the request answered with
    // the SP's status, and the refusal as a LOGOUT_ERROR.
    const realm = (await server.provider.ctx.realms.realmByName('test'))!;
    const sent = await server.store.db
      .selectFrom('saml_logout_request')
      .select(['status', 'answered_at'])
      .where('sso_session_id', '=', sid)
      .execute();
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.status, STATUS.responder);
    assert.ok(sent[0]!.answered_at);
    const refusals = await server.provider.ctx.events.list(realm.id, { type: 'LOGOUT_ERROR', clientId: POST_SP });
    assert.equal(refusals.length, 1, JSON.stringify(refusals));
    assert.equal(refusals[0]!.error, 'invalid_logout_response');
    assert.equal((JSON.parse(refusals[0]!.details ?? '{}') as { status?: string }).status, STATUS.responder);
    assert.equal(refusals[0]!.session_id, sid);
    assert.deepEqual(violations, []);
    assert.ok(took >= ANSWER_DELAY_MS, `the page waited for the answer (${took} ms)`);
    // And the OIDC client got its back-channel logout token.
    await rp1.waitFor(1);
    await context.close();
  });
});
