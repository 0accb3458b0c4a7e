// SP-initiated SAML logout at /protocol/saml (issue 16; saml.md §4, §8): a SAML SP's LogoutRequest
// by SOAP, Redirect (node-saml's own getLogoutUrlAsync) or POST ends the whole SSO session — the OIDC
// client's back-channel receiver gets its logout token and the other SAML SP its LogoutRequest —
// and the requester gets a signed LogoutResponse its library accepts. Then the refusals, one test
// per rule: each answered with the right SAML status or HTTP error, with a LOGOUT_ERROR, and
// nothing ended.
import assert from 'node:assert/strict';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { SAML } from '@node-saml/node-saml';
import { SAML_ANSWER_ARRIVED } from '../../../src/logout/endpoint/signed-out-page.ts';
import { buildLogoutRequest, buildLogoutResponse } from '../../../src/saml/build-logout.ts';
import { encodeRedirectUrl } from '../../../src/saml/redirect-binding.ts';
import { certificateToText } from '../../../src/saml/certificate-text.ts';
import type { RealmSigningKey } from '../../../src/saml/sign-enveloped.ts';
import { Browser } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import { signInTo } from '../../helpers/logout-flow.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { ISSUER, OIDC, type TestProvider } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';
import { attacker, keyPair, nodeSamlSp, rawQuery, sp } from '../../helpers/saml-fixtures.ts';
import {
  descriptorCertificate,
  joinSession,
  SAML_ENDPOINT,
  samlClient,
  UNSPECIFIED,
} from '../../helpers/saml-logout-realm.ts';
import { SoapSp } from '../../helpers/soap-sp.ts';

const SOAP_SP = 'urn:test:soap-sp';
const OTHER_SOAP = 'urn:test:other-soap';
const FRONT = 'urn:test:front-sp';
const FRONT2 = 'urn:test:front-two';
const UNSIGNED = 'urn:test:unsigned-sp';
const UNSIGNED_SLO = 'http://127.0.0.1:4103/saml/slo';
const FRONT_SLO = 'http://127.0.0.1:4101/saml/slo';
const FRONT2_SLO = 'http://127.0.0.1:4102/saml/slo';
const front = keyPair('front-sp');
const FAST = {
  retry: { baseDelayMs: 50, maxDelayMs: 300, maxAgeMs: 60_000 },
  http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000 },
  waitMs: 2000,
};
const spKey: RealmSigningKey = { kid: 'sp', privateKey: sp.privateKey, certificate: sp.certificate };
const attackerKey: RealmSigningKey = {
  kid: 'evil',
  privateKey: attacker.privateKey,
  certificate: attacker.certificate,
};

/** A LogoutRequest as an SP signs it (enveloped), for POST and SOAP. */
function spLogoutRequest(o: {
  issuer?: string;
  sessionIndex: string;
  nameId?: string;
  destination?: string;
  signWith?: RealmSigningKey | null;
}) {
  return buildLogoutRequest({
    issuer: o.issuer ?? SOAP_SP,
    destination: o.destination ?? SAML_ENDPOINT,
    nameId: { value: o.nameId ?? 'alice', format: UNSPECIFIED },
    sessionIndexes: [o.sessionIndex],
    now: Date.now(),
    lifetime: 60,
    signWith: o.signWith === null ? null : { key: o.signWith ?? spKey, algorithm: 'RSA_SHA256' },
  });
}

const soapEnvelope = (xml: string) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${xml.replace(/^<\?xml[^>]*\?>/, '')}</s:Body></s:Envelope>`;

for (const database of TEST_DATABASES) {
  describe(`SP-initiated SAML logout on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r1: Receiver;
    let r2: Receiver;
    let other: SoapSp;
    let frontSp: SAML;
    const realmOf = async () => (await t.provider.ctx.realms.realmByName('test'))!;
    const alive = async (sid: string) => (await t.provider.ctx.sessions.findLive(await realmOf(), sid)) !== undefined;
    const soap = (xml: string) =>
      t.fetch(SAML_ENDPOINT, {
        method: 'POST',
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: '"http://www.oasis-open.org/committees/security"',
        },
        body: soapEnvelope(xml),
      });
    const post = (xml: string) =>
      t.fetch(SAML_ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ SAMLRequest: Buffer.from(xml).toString('base64') }).toString(),
      });
    const lastLogoutError = async () =>
      (await t.provider.ctx.events.list((await realmOf()).id, { type: 'LOGOUT_ERROR' }))[0];

    async function session(): Promise<{ idToken: string; sid: string }> {
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
          { authorization: basic('rp1', 'rp1-secret') },
        ),
      );
      const idToken = ((await res.json()) as Record<string, string>).id_token!;
      return { idToken, sid: decodeJwt(idToken).payload.sid as string };
    }

    before(async () => {
      [r1, r2] = await Promise.all([Receiver.start(), Receiver.start()]);
      other = await SoapSp.start({
        entityId: OTHER_SOAP,
        idpCert: '',
        idpIssuer: ISSUER,
        privateKey: sp.privatePem,
        certificateBase64: certificateToText(sp.certificate),
      });
      t = await startLogoutProvider(
        database,
        {
          rp1: r1.url,
          rp2: r2.url,
          extraClients: [
            samlClient(SOAP_SP, { frontchannel: false, soap: 'http://127.0.0.1:9/unused-soap', certificate: sp }),
            samlClient(OTHER_SOAP, { frontchannel: false, soap: other.url, certificate: sp }),
            samlClient(FRONT, {
              frontchannel: true,
              redirect: FRONT_SLO,
              post: 'http://127.0.0.1:4101/saml/slo-post',
              forcePost: true,
              certificate: front,
            }),
            samlClient(FRONT2, { frontchannel: true, redirect: FRONT2_SLO, certificate: front }),
            samlClient(UNSIGNED, {
              frontchannel: true,
              redirect: UNSIGNED_SLO,
              certificate: front,
              requireSignature: false,
            }),
          ],
        },
        { logout: FAST },
      );
      const cert = await descriptorCertificate((u) => t.fetch(u));
      other.trust(cert);
      frontSp = nodeSamlSp({
        issuer: FRONT,
        idpCert: cert,
        idpIssuer: ISSUER,
        entryPoint: SAML_ENDPOINT,
        logoutUrl: SAML_ENDPOINT,
        privateKey: front.privatePem,
        callbackUrl: 'http://127.0.0.1:4101/saml/acs',
      });
    });
    after(async () => {
      await t?.close();
      await Promise.all([r1?.close(), r2?.close(), other?.close()]);
    });

    test('SOAP LogoutRequest ends the whole session: signed SOAP LogoutResponse Success to the requester, logout token to the OIDC client, LogoutRequest to the other SAML SP', async () => {
      const s = await session();
      const mine = await joinSession(t, s.sid, SOAP_SP);
      const theirs = await joinSession(t, s.sid, OTHER_SOAP);
      const tokens = r1.received.length;
      const otherBefore = other.accepted().length;
      const req = spLogoutRequest({ sessionIndex: mine.sessionIndex });
      const res = await soap(req.xml);
      assert.equal(res.status, 200);
      const body = await res.text();
      assert.match(body, new RegExp(`<samlp:LogoutResponse [^>]*InResponseTo="${req.id}"`));
      assert.match(body, /StatusCode Value="urn:oasis:names:tc:SAML:2\.0:status:Success"/);
      assert.match(body, /<ds:Signature/);
      assert.equal(await alive(s.sid), false);
      await r1.waitFor(tokens + 1);
      assert.equal(decodeJwt(r1.received.at(-1)!.token).payload.sid, s.sid);
      await other.waitFor(otherBefore + 1);
      assert.equal(other.accepted().at(-1)!.sessionIndex, theirs.sessionIndex);
      const logout = (await t.provider.ctx.events.list((await realmOf()).id, { type: 'LOGOUT' })).find(
        (e) => e.session_id === s.sid,
      )!;
      assert.equal(logout.client_id, SOAP_SP);
    });

    test("node-saml's Redirect LogoutRequest without the SSO cookie: its SessionIndex decides; node-saml accepts our signed Redirect LogoutResponse (not POST, despite force-POST)", async () => {
      const s = await session();
      const mine = await joinSession(t, s.sid, FRONT);
      const url = await frontSp.getLogoutUrlAsync(
        { issuer: ISSUER, nameID: mine.nameId, nameIDFormat: UNSPECIFIED, sessionIndex: mine.sessionIndex },
        'rs-1',
        {},
      );
      const tokens = r1.received.length;
      const res = await t.fetch(url);
      assert.equal(res.status, 302);
      const back = res.headers.get('location')!;
      assert.ok(back.startsWith(`${FRONT_SLO}?SAMLResponse=`), back);
      const q = rawQuery(back);
      assert.equal(new URLSearchParams(q).get('RelayState'), 'rs-1');
      const validated = await frontSp.validateRedirectAsync(Object.fromEntries(new URLSearchParams(q)), q);
      assert.equal(validated.loggedOut, true);
      assert.equal(await alive(s.sid), false);
      await r1.waitFor(tokens + 1);
    });

    test("Redirect LogoutRequest with the SSO cookie: the signed-out page sends the other front-channel SP its LogoutRequest, then continues to the requester's LogoutResponse; the cookie is cleared", async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const sid = decodeJwt(tokens.id_token!).payload.sid as string;
      const mine = await joinSession(t, sid, FRONT);
      await joinSession(t, sid, FRONT2);
      const url = await frontSp.getLogoutUrlAsync(
        { issuer: ISSUER, nameID: mine.nameId, nameIDFormat: UNSPECIFIED, sessionIndex: mine.sessionIndex },
        '',
        {},
      );
      const res = await browser.get(url);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(
        html,
        new RegExp(
          `<iframe hidden title="Signing out of ${FRONT2}" src="${FRONT2_SLO.replace(/[.?]/g, '\\$&')}\\?SAMLRequest=`,
        ),
      );
      assert.doesNotMatch(html, new RegExp(`Signing out of ${FRONT}"`), 'the requester gets no LogoutRequest');
      const cont = /<a id="continue" href="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
      assert.ok(cont.startsWith(`${FRONT_SLO}?SAMLResponse=`));
      assert.equal(
        (await frontSp.validateRedirectAsync(Object.fromEntries(new URLSearchParams(rawQuery(cont))), rawQuery(cont)))
          .loggedOut,
        true,
      );
      assert.match(res.headers.get('content-security-policy')!, /frame-src 'self' http:\/\/127\.0\.0\.1:4102/);
      assert.equal(browser.cookie('SUNDOWN_SESSION'), undefined);
      assert.equal(await alive(sid), false);
    });

    test("front-channel answer pages: a LogoutResponse in the signed-out page's iframe, accepted or not even authenticated, gets a page only our origin may frame, which tells that page the answer is in", async () => {
      const browser = new Browser(t.fetch);
      const sid = decodeJwt((await signInTo(t, browser, 'rp1')).id_token!).payload.sid as string;
      const mine = await joinSession(t, sid, FRONT);
      await joinSession(t, sid, FRONT2);
      const url = await frontSp.getLogoutUrlAsync(
        { issuer: ISSUER, nameID: mine.nameId, nameIDFormat: UNSPECIFIED, sessionIndex: mine.sessionIndex },
        '',
        {},
      );
      const html = await (await browser.get(url)).text();
      const iframe = new URL(
        /<iframe hidden title="Signing out of urn:test:front-two" src="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&'),
      );
      const sentXml = inflateRawSync(Buffer.from(iframe.searchParams.get('SAMLRequest')!, 'base64')).toString();
      const requestId = /ID="([^"]+)"/.exec(sentXml)![1]!;
      const answer = (issuer: string) =>
        t.fetch(SAML_ENDPOINT, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            SAMLResponse: Buffer.from(
              buildLogoutResponse({
                issuer,
                destination: SAML_ENDPOINT,
                inResponseTo: requestId,
                now: Date.now(),
                signWith: {
                  key: { kid: 'front', privateKey: front.privateKey, certificate: front.certificate },
                  algorithm: 'RSA_SHA256',
                },
              }).xml,
            ).toString('base64'),
          }).toString(),
        });
      const tellsTheSignedOutPage = async (res: Response) => {
        const csp = res.headers.get('content-security-policy')!;
        assert.match(csp, /frame-ancestors 'self'/);
        const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
        assert.ok(
          (await res.text()).includes(
            `<script nonce="${nonce}">if(parent!==window)parent.postMessage(${JSON.stringify(SAML_ANSWER_ARRIVED)},location.origin)</script>`,
          ),
        );
        assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
      };
      const accepted = await answer(FRONT2);
      assert.equal(accepted.status, 200);
      await tellsTheSignedOutPage(accepted);
      const unknown = await answer('urn:test:nobody');
      assert.equal(unknown.status, 400);
      await tellsTheSignedOutPage(unknown);
      assert.equal((await lastLogoutError())!.error, 'client_not_found');
    });

    test('logout CSRF: an unsigned Redirect LogoutRequest (client without saml.client.signature) naming no SessionIndex ends nothing, even with the cookie; with its own SessionIndex it ends the session', async () => {
      const browser = new Browser(t.fetch);
      const sid = decodeJwt((await signInTo(t, browser, 'rp1')).id_token!).payload.sid as string;
      const mine = await joinSession(t, sid, UNSIGNED);
      const unsigned = (sessionIndexes: string[]) =>
        encodeRedirectUrl({
          location: SAML_ENDPOINT,
          param: 'SAMLRequest',
          xml: buildLogoutRequest({
            issuer: UNSIGNED,
            destination: SAML_ENDPOINT,
            nameId: { value: 'alice', format: UNSPECIFIED },
            sessionIndexes,
            now: Date.now(),
            lifetime: 60,
            signWith: null,
          }).xml,
        });
      const res = await browser.get(unsigned([]));
      assert.equal(res.status, 302);
      assert.ok(res.headers.get('location')!.startsWith(`${UNSIGNED_SLO}?SAMLResponse=`));
      assert.equal(await alive(sid), true, 'nothing ended');
      assert.equal((await browser.get(unsigned([mine.sessionIndex]))).status, 302);
      assert.equal(await alive(sid), false);
    });

    test("another SP's SessionIndex does not count: nothing ends, the requester still gets Success", async () => {
      const s = await session();
      await joinSession(t, s.sid, SOAP_SP);
      const theirs = await joinSession(t, s.sid, OTHER_SOAP);
      const res = await soap(spLogoutRequest({ sessionIndex: theirs.sessionIndex }).xml);
      assert.match(await res.text(), /status:Success/);
      assert.equal(await alive(s.sid), true);
    });

    test('unsigned LogoutRequest where the client requires signatures: 400, invalid_signature, nothing ended', async () => {
      const s = await session();
      const mine = await joinSession(t, s.sid, SOAP_SP);
      const res = await post(spLogoutRequest({ sessionIndex: mine.sessionIndex, signWith: null }).xml);
      assert.equal(res.status, 400);
      assert.equal((await lastLogoutError())!.error, 'invalid_signature');
      assert.equal(await alive(s.sid), true);
    });

    test('altered after signing (another SessionIndex): 400, invalid_signature, nothing ended', async () => {
      const s = await session();
      const mine = await joinSession(t, s.sid, SOAP_SP);
      const victim = await joinSession(t, (await session()).sid, SOAP_SP);
      const xml = spLogoutRequest({ sessionIndex: mine.sessionIndex }).xml.replace(
        mine.sessionIndex,
        victim.sessionIndex,
      );
      const res = await soap(xml);
      assert.equal(res.status, 400);
      assert.match(await res.text(), /Fault/);
      assert.equal((await lastLogoutError())!.error, 'invalid_signature');
      assert.equal(await alive(s.sid), true);
    });

    test('signed with a foreign key whose certificate rides in KeyInfo: 400, invalid_signature, nothing ended', async () => {
      const s = await session();
      const mine = await joinSession(t, s.sid, SOAP_SP);
      const xml = spLogoutRequest({ sessionIndex: mine.sessionIndex, signWith: attackerKey }).xml;
      assert.match(xml, new RegExp(certificateToText(attacker.certificate).slice(0, 40).replace(/[+/]/g, '\\$&')));
      const res = await post(xml);
      assert.equal(res.status, 400);
      assert.equal((await lastLogoutError())!.error, 'invalid_signature');
      assert.equal(await alive(s.sid), true);
    });

    // Signature wrapping (saml.md §8.1): a genuinely signed LogoutRequest (naming nobody) is moved
    // into a forged one that names the victim's SessionIndex.
    async function wrapped(build: (signed: string, signedId: string, forgedIndex: string) => string): Promise<void> {
      const s = await session();
      const victim = await joinSession(t, s.sid, SOAP_SP);
      const signed = spLogoutRequest({ sessionIndex: 's_nobody', nameId: 'nobody' });
      const res = await soap(build(signed.xml.replace(/^<\?xml[^>]*\?>/, ''), signed.id, victim.sessionIndex));
      assert.equal(res.status, 400, await res.clone().text());
      assert.ok(['invalid_signature', 'invalid_logout_request'].includes((await lastLogoutError())!.error!));
      assert.equal(await alive(s.sid), true);
    }
    const forgedRoot = (id: string, index: string, inner: string, signature = '') =>
      `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${SAML_ENDPOINT}"><saml:Issuer>${SOAP_SP}</saml:Issuer>${signature}<samlp:Extensions>${inner}</samlp:Extensions><saml:NameID Format="${UNSPECIFIED}">alice</saml:NameID><samlp:SessionIndex>${index}</samlp:SessionIndex></samlp:LogoutRequest>`;

    test('wrapping 1: the signed request inside Extensions of an unsigned forged root → refused, nothing ended', async () => {
      await wrapped((signed, _id, index) => forgedRoot('_forged1', index, signed));
    });

    test('wrapping 2: the signature moved to the forged root, still referencing the signed element inside Extensions → refused, nothing ended', async () => {
      await wrapped((signed, _id, index) => {
        const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
        return forgedRoot('_forged2', index, signed.replace(sig, ''), sig);
      });
    });

    test("wrapping 3: the forged root takes the signed element's ID (duplicate IDs) and its signature → refused, nothing ended", async () => {
      await wrapped((signed, id, index) => {
        const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
        return forgedRoot(id, index, signed.replace(sig, ''), sig);
      });
    });

    test('replayed LogoutRequest ID: LogoutResponse Requester/RequestDenied, nothing ended', async () => {
      const s1 = await session();
      const p = await joinSession(t, s1.sid, SOAP_SP);
      const req = spLogoutRequest({ sessionIndex: p.sessionIndex });
      assert.match(await (await soap(req.xml)).text(), /status:Success/);
      assert.equal(await alive(s1.sid), false);
      // A new session whose participant carries that SessionIndex again: the replay must not end it.
      const s2 = await session();
      const realm = await realmOf();
      const client = (await t.provider.ctx.realms.clientByClientId(realm.id, SOAP_SP))!;
      await t.provider.ctx.clientSessions.recordSamlParticipant(
        {
          ssoSessionId: s2.sid,
          realmId: realm.id,
          clientId: client.id,
          userId: (await t.provider.ctx.sessions.findLive(realm, s2.sid))!.userId,
          nameId: 'alice',
          nameIdFormat: UNSPECIFIED,
          sessionIndex: p.sessionIndex,
        },
        Date.now(),
      );
      const res = await soap(req.xml);
      assert.equal(res.status, 200);
      const body = await res.text();
      assert.match(
        body,
        /StatusCode Value="urn:oasis:names:tc:SAML:2\.0:status:Requester"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2\.0:status:RequestDenied"/,
      );
      assert.match(body, new RegExp(`InResponseTo="${req.id}"`));
      assert.equal((await lastLogoutError())!.error, 'invalid_logout_request');
      assert.equal(await alive(s2.sid), true);
    });

    test('wrong Destination on a signed request: LogoutResponse Requester, nothing ended', async () => {
      const s = await session();
      const p = await joinSession(t, s.sid, SOAP_SP);
      const body = await (
        await soap(spLogoutRequest({ sessionIndex: p.sessionIndex, destination: 'https://elsewhere.example/saml' }).xml)
      ).text();
      assert.match(body, /status:Requester/);
      assert.equal(await alive(s.sid), true);
    });

    test('oversized message (POST, beyond the 128 KiB cap): 400, nothing ended', async () => {
      const s = await session();
      const p = await joinSession(t, s.sid, SOAP_SP);
      const big = spLogoutRequest({ sessionIndex: p.sessionIndex }).xml.replace(
        '</samlp:LogoutRequest>',
        `<samlp:Extensions>${'x'.repeat(200 * 1024)}</samlp:Extensions></samlp:LogoutRequest>`,
      );
      assert.equal((await post(big)).status, 400);
      // And a compression bomb by Redirect.
      const bomb = deflateRawSync(
        Buffer.from(
          `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${' '.repeat(4 * 1024 * 1024)}</samlp:LogoutRequest>`,
        ),
      ).toString('base64');
      assert.equal((await t.fetch(`${SAML_ENDPOINT}?SAMLRequest=${encodeURIComponent(bomb)}`)).status, 400);
      assert.equal(await alive(s.sid), true);
    });

    test('characters XML does not allow (&#1; in Version, &#0; in Issuer or SessionIndex): 400, never a 500, nothing ended', async () => {
      const s = await session();
      const p = await joinSession(t, s.sid, UNSIGNED);
      const unsigned = spLogoutRequest({ issuer: UNSIGNED, sessionIndex: p.sessionIndex, signWith: null }).xml;
      for (const xml of [
        unsigned.replace('Version="2.0"', 'Version="&#1;"'),
        unsigned.replace(`>${UNSIGNED}<`, '>&#0;<'),
        unsigned.replace(`>${p.sessionIndex}<`, '>&#0;<'),
        unsigned.replace(`>${p.sessionIndex}<`, '>\u0001<'),
      ]) {
        assert.notEqual(xml, unsigned, 'the test changed the message');
        const res = await post(xml);
        assert.equal(res.status, 400, await res.text());
      }
      assert.equal(await alive(s.sid), true);
    });

    test('DOCTYPE-carrying LogoutRequest: 400, nothing ended', async () => {
      const s = await session();
      const p = await joinSession(t, s.sid, SOAP_SP);
      const xml = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "alice">]>${spLogoutRequest({ sessionIndex: p.sessionIndex }).xml.replace(/^<\?xml[^>]*\?>/, '')}`;
      assert.equal((await post(xml)).status, 400);
      assert.equal(await alive(s.sid), true);
    });
  });
}
