// One SSO session spanning an OIDC client driven by openid-client (with a back-channel receiver)
// and two node-saml SPs — one told by SOAP, one front-channel — all signed in through the real
// endpoints of a running server (issue 16 "Done means"). OIDC logout reaches both SAML SPs (the
// SOAP one also while its endpoint is down for a while), and a SAML SP's logout reaches the OIDC
// client's back-channel receiver and the other SP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SAML } from '@node-saml/node-saml';
import * as oidc from 'openid-client';
import { buildLogoutRequest } from '../../../src/saml/build-logout.ts';
import { certificateToText } from '../../../src/saml/certificate-text.ts';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import type { RunningServer } from '../../../src/server.ts';
import { Browser, parseLoginForm } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { decodeJwt } from '../../helpers/oauth.ts';
import { TEST_REALM_JSON } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';
import { idpCertificate, parseAcsForm, sendAuthnRequest, spFor } from '../../helpers/saml-browser.ts';
import { keyPair, sp } from '../../helpers/saml-fixtures.ts';
import { samlClient } from '../../helpers/saml-logout-realm.ts';
import { SamlSpServer } from '../../helpers/saml-sp-server.ts';
import { startRealServer } from '../../helpers/server.ts';
import { SoapSp } from '../../helpers/soap-sp.ts';

const SOAP_SP = 'urn:test:interop-soap';
const FRONT_SP = 'urn:test:interop-front';
const SOAP_ACS = 'http://127.0.0.1:4201/saml/acs';
const frontKey = keyPair('interop-front');

for (const database of TEST_DATABASES) {
  describe(`OIDC + SAML single logout through a running server on ${database.name}`, { skip: database.skip }, () => {
    let server: RunningServer;
    let drop: () => Promise<void>;
    let realmUrl: string;
    let receiver: Receiver;
    let soap: SoapSp;
    let front: SamlSpServer;
    let soapSaml: SAML;
    let config: oidc.Configuration;

    before(async () => {
      const created = await database.create();
      drop = created.drop;
      receiver = await Receiver.start();
      soap = await SoapSp.start({
        entityId: SOAP_SP,
        idpCert: '',
        idpIssuer: '',
        privateKey: sp.privatePem,
        certificateBase64: certificateToText(sp.certificate),
      });
      front = await SamlSpServer.start();
      server = await startRealServer(created.config, ['--logout-wait-ms', '1000']);
      realmUrl = `${server.url}/realms/test`;
      const json = structuredClone(TEST_REALM_JSON) as { clients: Record<string, unknown>[] };
      json.clients.push(
        {
          clientId: 'bcl-web',
          secret: 'bcl-web-secret',
          redirectUris: ['https://bcl-web.example/callback'],
          attributes: {
            'backchannel.logout.url': receiver.url,
            'post.logout.redirect.uris': 'https://bcl-web.example/bye',
          },
        },
        { ...samlClient(SOAP_SP, { frontchannel: false, soap: soap.url, certificate: sp }), redirectUris: [SOAP_ACS] },
        {
          ...samlClient(FRONT_SP, { frontchannel: true, redirect: front.sloUrl, certificate: frontKey }),
          redirectUris: [front.acsUrl],
        },
      );
      await importRealm(server.store.db, parseRealmJson(json));
      const cert = await idpCertificate(realmUrl);
      soap = await restartSoap(soap, cert, realmUrl);
      front.configure({
        entityId: FRONT_SP,
        idpEndpoint: `${realmUrl}/protocol/saml`,
        idpIssuer: realmUrl,
        idpCert: cert,
        privateKey: frontKey.privatePem,
      });
      soapSaml = spFor(realmUrl, cert, { issuer: SOAP_SP, callbackUrl: SOAP_ACS });
      config = await oidc.discovery(
        new URL(realmUrl),
        'bcl-web',
        'bcl-web-secret',
        oidc.ClientSecretBasic('bcl-web-secret'),
        {
          execute: [oidc.allowInsecureRequests],
        },
      );
    });
    after(async () => {
      await server?.close();
      await drop?.();
      await Promise.all([receiver?.close(), soap?.close(), front?.close()]);
    });

    /** The SOAP harness with the IdP issuer and certificate known now (same port, so the realm's URL holds). */
    async function restartSoap(old: SoapSp, cert: string, issuer: string): Promise<SoapSp> {
      const port = Number(new URL(old.url).port);
      await old.close();
      return SoapSp.start(
        {
          entityId: SOAP_SP,
          idpCert: cert,
          idpIssuer: issuer,
          privateKey: sp.privatePem,
          certificateBase64: certificateToText(sp.certificate),
        },
        port,
      );
    }

    /** openid-client's code flow, then both SAML SPs by SSO in the same browser: one SSO session. */
    async function signInEverywhere(): Promise<{
      browser: Browser;
      idToken: string;
      sid: string;
      soapIndex: string;
      frontIndex: string;
    }> {
      const browser = new Browser((i, init) => fetch(i, init));
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const authUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: 'https://bcl-web.example/callback',
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      const page = await browser.get(authUrl.href);
      const login = parseLoginForm(await page.text(), authUrl.href);
      const done = await browser.post(login.action, {
        auth_request: login.authRequest,
        username: 'alice',
        password: 'alice-pw',
      });
      const tokens = await oidc.authorizationCodeGrant(config, new URL(done.headers.get('location')!), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        idTokenExpected: true,
      });
      const sid = tokens.claims()!.sid as string;

      // The SOAP SP: its AuthnRequest is answered silently (the SSO cookie), node-saml validates.
      const soapForm = parseAcsForm(await (await sendAuthnRequest(browser, soapSaml, 'redirect')).text())!;
      const soapProfile = (await soapSaml.validatePostResponseAsync({ SAMLResponse: soapForm.SAMLResponse })).profile!;
      // The front-channel SP: the same, its ACS on its own server.
      const frontForm = parseAcsForm(await (await browser.get(await front.loginUrl())).text())!;
      assert.equal((await browser.post(frontForm.action, { SAMLResponse: frontForm.SAMLResponse })).status, 200);
      const realm = (await server.provider.ctx.realms.realmByName('test'))!;
      for (const [entityId, index] of [
        [SOAP_SP, soapProfile.sessionIndex!],
        [FRONT_SP, front.profile!.sessionIndex!],
      ] as const) {
        const client = (await server.provider.ctx.realms.clientByClientId(realm.id, entityId))!;
        const [p] = await server.provider.ctx.clientSessions.findBySamlSessionIndex(realm.id, client.id, [index]);
        assert.equal(p?.sso_session_id, sid, `${entityId} joined the OIDC client's SSO session`);
      }
      return {
        browser,
        idToken: tokens.id_token!,
        sid,
        soapIndex: soapProfile.sessionIndex!,
        frontIndex: front.profile!.sessionIndex!,
      };
    }

    const tokensFor = (sid: string) => receiver.received.filter((r) => decodeJwt(r.token).payload.sid === sid);
    async function tokenArrives(sid: string): Promise<void> {
      for (let i = 0; i < 100 && tokensFor(sid).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(
        tokensFor(sid).length,
        1,
        'the OIDC back-channel receiver has exactly one logout token for the session',
      );
    }

    test('openid-client logout reaches both SAML SPs: the front-channel one through its iframe, the SOAP one also after its endpoint was down for a while', async () => {
      const s = await signInEverywhere();
      const soapPort = Number(new URL(soap.url).port);
      await soap.stop();
      const end = oidc.buildEndSessionUrl(config, {
        id_token_hint: s.idToken,
        post_logout_redirect_uri: 'https://bcl-web.example/bye',
        state: 'x',
      });
      const page = await s.browser.get(end.href);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<a id="continue" href="https:\/\/bcl-web\.example\/bye\?state=x">/);
      // The browser loads the front-channel SP's iframe: its LogoutRequest, its answer back to us.
      const src = /<iframe hidden title="Signing out of urn:test:interop-front" src="([^"]+)"/
        .exec(html)![1]!
        .replace(/&amp;/g, '&');
      const atSp = await s.browser.get(src);
      assert.equal(atSp.status, 302, await atSp.clone().text());
      const answer = await s.browser.get(atSp.headers.get('location')!);
      assert.equal(answer.status, 200);
      assert.equal(front.logoutRequests.at(-1)!.sessionIndex, s.frontIndex);
      assert.equal(tokensFor(s.sid).length, 1, 'the OIDC back-channel receiver has its logout token');

      // The SOAP SP is down: retried until it is back on its port.
      await new Promise((r) => setTimeout(r, 1500));
      const before = soap.accepted().length;
      await soap.listen(soapPort);
      await soap.waitFor(before + 1, 30_000);
      assert.equal(soap.accepted().at(-1)!.sessionIndex, s.soapIndex);
      const realm = (await server.provider.ctx.realms.realmByName('test'))!;
      const retried = await server.provider.ctx.events.list(realm.id, {
        type: 'BACKCHANNEL_LOGOUT_RETRYING',
        clientId: SOAP_SP,
      });
      assert.ok(retried.some((e) => e.session_id === s.sid && /connection_refused/.test(e.error ?? '')));
    });

    test("the front-channel SP's logout (node-saml getLogoutUrlAsync) reaches the OIDC receiver and the SOAP SP; node-saml accepts our LogoutResponse", async () => {
      const s = await signInEverywhere();
      const before = soap.accepted().length;
      const res = await s.browser.get(await front.logoutUrl('back-to-app'));
      assert.equal(res.status, 302);
      const back = await s.browser.get(res.headers.get('location')!);
      assert.equal(back.status, 200, await back.clone().text());
      assert.equal(front.loggedOutResponses > 0, true);
      await tokenArrives(s.sid);
      await soap.waitFor(before + 1);
      assert.equal(soap.accepted().at(-1)!.sessionIndex, s.soapIndex);
      // The SSO session is gone for every client.
      const realm = (await server.provider.ctx.realms.realmByName('test'))!;
      assert.equal(await server.provider.ctx.sessions.findLive(realm, s.sid), undefined);
    });

    test("the SOAP SP's SOAP LogoutRequest reaches the OIDC receiver; the front-channel SP, with no browser and no SOAP URL, is recorded as not told", async () => {
      const s = await signInEverywhere();
      const req = buildLogoutRequest({
        issuer: SOAP_SP,
        destination: `${realmUrl}/protocol/saml`,
        nameId: { value: 'alice', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' },
        sessionIndexes: [s.soapIndex],
        now: Date.now(),
        lifetime: 60,
        signWith: {
          key: { kid: 'sp', privateKey: sp.privateKey, certificate: sp.certificate },
          algorithm: 'RSA_SHA256',
        },
      });
      const res = await fetch(`${realmUrl}/protocol/saml`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${req.xml}</s:Body></s:Envelope>`,
      });
      assert.match(await res.text(), /status:Success/);
      await tokenArrives(s.sid);
      const rows = await server.store.db
        .selectFrom('logout_delivery')
        .innerJoin('client', 'client.id', 'logout_delivery.client_id')
        .select(['logout_delivery.status', 'logout_delivery.last_error'])
        .where('client.client_id', '=', FRONT_SP)
        .where('logout_delivery.sso_session_id', '=', s.sid)
        .execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.status, 'skipped');
      assert.match(rows[0]!.last_error!, /no browser/);
    });
  });
}
