// AuthnRequests that must be refused (issue 16, saml.md §8), each through the endpoint as a
// browser would send it, with the refusal the rules name — a 400 page (and LOGIN_ERROR with
// Keycloak's error name) while the ACS is not trusted, a SAML status Response to the registered
// ACS after that — and no SSO session, sign-in form or assertion as a result. On every store.
import assert from 'node:assert/strict';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { Browser } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { ISSUER, REALM, startTestProvider, TEST_REALM_JSON, type TestProvider } from '../helpers/provider.ts';
import { samlClientJson } from '../helpers/saml-clients.ts';
import { idpCertificate, parseAcsForm, sendAuthnRequest, spFor } from '../helpers/saml-browser.ts';
import { attacker } from '../helpers/saml-fixtures.ts';

const ENDPOINT = `${ISSUER}/protocol/saml`;
const UNSIGNED_SP = 'urn:test:sp-unsigned';

/** Replaces the SAMLRequest of a Redirect URL with other XML, keeping SigAlg and Signature. */
function withRequestXml(url: string, edit: (xml: string) => string): string {
  const u = new URL(url);
  const xml = inflateRawSync(Buffer.from(u.searchParams.get('SAMLRequest')!, 'base64')).toString();
  const raw = u.search
    .slice(1)
    .split('&')
    .map((pair) =>
      pair.startsWith('SAMLRequest=')
        ? `SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(edit(xml))).toString('base64'))}`
        : pair,
    );
  return `${u.origin}${u.pathname}?${raw.join('&')}`;
}

function plainAuthnRequest(id: string, extra = ''): string {
  return `${extra}<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${ENDPOINT}" AssertionConsumerServiceURL="http://127.0.0.1:4001/saml/acs"><saml:Issuer>${UNSIGNED_SP}</saml:Issuer></samlp:AuthnRequest>`;
}

for (const database of TEST_DATABASES) {
  describe(`refused AuthnRequests on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let idpCert: string;
    before(async () => {
      t = await startTestProvider(database);
      const json = structuredClone(TEST_REALM_JSON) as { clients: unknown[] };
      json.clients.push(
        samlClientJson(),
        samlClientJson({
          clientId: UNSIGNED_SP,
          attributes: { 'saml.client.signature': 'false', 'saml.assertion.signature': 'true' },
        }),
      );
      await importRealm(t.store.db, parseRealmJson(json));
      idpCert = await idpCertificate(ISSUER, (u) => t.fetch(u));
    });
    after(async () => {
      await t?.close();
    });

    const browser = () => new Browser((i, init) => t.fetch(i as string, init));
    const openSessions = async () => {
      const realm = (await t.provider.ctx.realms.realmByName(REALM))!;
      return (await t.provider.ctx.sessionStore.openIdsOfRealm(realm.id)).length;
    };
    const lastError = async () => {
      const realm = (await t.provider.ctx.realms.realmByName(REALM))!;
      return (await t.provider.ctx.events.list(realm.id, { type: 'LOGIN_ERROR', max: 1 }))[0]!;
    };
    /** A 400 page: no login form, no ACS form, no pending sign-in cookie, no session, the event. */
    const refusedWithPage = async (res: Response, b: Browser, error: string, sessionsBefore: number) => {
      assert.equal(res.status, 400);
      const html = await res.text();
      assert.doesNotMatch(html, /name="auth_request"|name="SAMLResponse"/);
      assert.equal(b.cookie('SUNDOWN_LOGIN'), undefined, 'no pending sign-in was stored');
      assert.equal(await openSessions(), sessionsBefore, 'no session');
      assert.equal((await lastError()).error, error);
      return html;
    };
    /** A SAML status Response by POST to the ACS, signed, without an assertion. */
    const refusedWithStatus = async (res: Response, status: RegExp) => {
      assert.equal(res.status, 200);
      const form = parseAcsForm(await res.text())!;
      assert.equal(form.action, 'http://127.0.0.1:4001/saml/acs');
      const xml = Buffer.from(form.SAMLResponse, 'base64').toString();
      assert.match(xml, status);
      assert.doesNotMatch(xml, /<saml:Assertion/);
      assert.match(xml, /<ds:Signature/);
      return xml;
    };

    test('saml-authn-unsigned-when-required: Redirect and POST without a signature are a 400 (invalid_signature)', async () => {
      for (const binding of ['redirect', 'post'] as const) {
        const before = await openSessions();
        const b = browser();
        const unsigned = spFor(ISSUER, idpCert, {
          privateKey: undefined,
          authnRequestBinding: binding === 'post' ? 'HTTP-POST' : 'HTTP-Redirect',
        });
        await refusedWithPage(await sendAuthnRequest(b, unsigned, binding), b, 'invalid_signature', before);
      }
    });

    test('saml-authn-altered: a changed Redirect request under its signature, and a changed POSTed signed XML, are a 400', async () => {
      const before = await openSessions();
      const signedUrl = await spFor(ISSUER, idpCert).getAuthorizeUrlAsync('', undefined, {});
      const b = browser();
      await refusedWithPage(
        await b.get(
          withRequestXml(signedUrl, (x) =>
            x
              .replace('ForceAuthn="false"', 'ForceAuthn="true"')
              .replace('<samlp:AuthnRequest ', '<samlp:AuthnRequest ForceAuthn="true" '),
          ),
        ),
        b,
        'invalid_signature',
        before,
      );

      const postSp = spFor(ISSUER, idpCert, { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true });
      const fields = (await postSp.getAuthorizeMessageAsync('', undefined, {})) as Record<string, string>;
      const xml = Buffer.from(fields.SAMLRequest!, 'base64').toString();
      assert.match(xml, /<Signature|<ds:Signature/);
      const altered = xml
        .replace(/ID="([^"]+)"/, (_m, id: string) => `ID="${id}x"`)
        .replace(/URI="#([^"]+)"/, (_m, id: string) => `URI="#${id}x"`);
      const b2 = browser();
      await refusedWithPage(
        await b2.post(ENDPOINT, { SAMLRequest: Buffer.from(altered).toString('base64') }),
        b2,
        'invalid_signature',
        before,
      );
    });

    test('saml-authn-foreign-key: signed with another key, also with that key as KeyInfo, is a 400', async () => {
      const before = await openSessions();
      const foreign = { privateKey: attacker.privatePem, publicCert: attacker.certificate.toString() };
      const b = browser();
      await refusedWithPage(
        await sendAuthnRequest(b, spFor(ISSUER, idpCert, foreign), 'redirect'),
        b,
        'invalid_signature',
        before,
      );
      const b2 = browser();
      const postSp = spFor(ISSUER, idpCert, { ...foreign, authnRequestBinding: 'HTTP-POST' });
      const fields = (await postSp.getAuthorizeMessageAsync('', undefined, {})) as Record<string, string>;
      assert.match(
        inflateRawSync(Buffer.from(fields.SAMLRequest!, 'base64')).toString(),
        /<X509Certificate>/,
        'the attacker certificate rides in KeyInfo',
      );
      await refusedWithPage(await b2.post(ENDPOINT, fields), b2, 'invalid_signature', before);
    });

    test('saml-authn-unregistered-acs: a correctly signed request naming another ACS is a 400 and nothing goes there', async () => {
      const before = await openSessions();
      const b = browser();
      const evil = spFor(ISSUER, idpCert, { callbackUrl: 'http://127.0.0.1:4999/steal' });
      const html = await refusedWithPage(
        await sendAuthnRequest(b, evil, 'redirect'),
        b,
        'invalid_redirect_uri',
        before,
      );
      assert.doesNotMatch(html, /4999/);
    });

    test('saml-authn-oversized: a POSTed request past the size cap and a Redirect DEFLATE bomb are a 400', async () => {
      const before = await openSessions();
      const big = plainAuthnRequest('_big').replace(
        '</samlp:AuthnRequest>',
        `<samlp:Extensions>${'x'.repeat(200 * 1024)}</samlp:Extensions></samlp:AuthnRequest>`,
      );
      const b = browser();
      await refusedWithPage(
        await b.post(ENDPOINT, { SAMLRequest: Buffer.from(big).toString('base64') }),
        b,
        'invalid_request',
        before,
      );
      assert.equal(JSON.parse((await lastError()).details as unknown as string).code, 'too_large');
      const bomb = deflateRawSync(Buffer.from(big.replace('x'.repeat(200 * 1024), ' '.repeat(5 * 1024 * 1024))));
      assert.ok(bomb.length < 16 * 1024, 'small on the wire');
      const b2 = browser();
      await refusedWithPage(
        await b2.get(`${ENDPOINT}?SAMLRequest=${encodeURIComponent(bomb.toString('base64'))}`),
        b2,
        'invalid_request',
        before,
      );
      assert.equal(JSON.parse((await lastError()).details as unknown as string).code, 'too_large');
    });

    test('saml-authn-doctype: a request carrying a DOCTYPE (entity expansion) is a 400, by POST and by Redirect', async () => {
      const before = await openSessions();
      const doctype = plainAuthnRequest('_dt', '<!DOCTYPE samlp:AuthnRequest [<!ENTITY x "y">]>');
      const b = browser();
      await refusedWithPage(
        await b.post(ENDPOINT, { SAMLRequest: Buffer.from(doctype).toString('base64') }),
        b,
        'invalid_request',
        before,
      );
      assert.equal(JSON.parse((await lastError()).details as unknown as string).code, 'doctype');
      const b2 = browser();
      await refusedWithPage(
        await b2.get(
          `${ENDPOINT}?SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(doctype)).toString('base64'))}`,
        ),
        b2,
        'invalid_request',
        before,
      );
    });

    test('saml-authn-replayed-id: the same signed request a second time gets Requester/RequestDenied at the ACS, and no session', async () => {
      const url = await spFor(ISSUER, idpCert).getAuthorizeUrlAsync('', undefined, {});
      const first = await browser().get(url);
      assert.equal(first.status, 200);
      assert.match(await first.text(), /name="auth_request"/);
      const before = await openSessions();
      const b = browser();
      await refusedWithStatus(
        await b.get(url),
        /status:Requester"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/,
      );
      assert.equal(await openSessions(), before);
      assert.equal(b.cookie('SUNDOWN_LOGIN'), undefined);
      assert.equal((await lastError()).error, 'invalid_authn_request');
    });

    test('saml-authn-wrong-destination: a signed request for another endpoint gets a Requester status at the ACS', async () => {
      const other = spFor(ISSUER, idpCert, { entryPoint: `${ISSUER}/protocol/saml-other` });
      const url = (await other.getAuthorizeUrlAsync('', undefined, {})).replace(
        '/protocol/saml-other?',
        '/protocol/saml?',
      );
      const xml = await refusedWithStatus(await browser().get(url), /status:Requester"/);
      assert.match(xml, /Destination is not this endpoint/);
    });

    test('saml-authn-unknown-issuer: an Issuer that is no SAML client (or an OIDC client) is a 400 (client_not_found)', async () => {
      for (const issuer of ['urn:nobody', 'web']) {
        const before = await openSessions();
        const b = browser();
        const xml = plainAuthnRequest('_u').replace(
          `<saml:Issuer>${UNSIGNED_SP}</saml:Issuer>`,
          `<saml:Issuer>${issuer}</saml:Issuer>`,
        );
        await refusedWithPage(
          await b.get(
            `${ENDPOINT}?SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`,
          ),
          b,
          'client_not_found',
          before,
        );
      }
    });

    test('saml-authn-unsigned-client-still-checked: a SAML client that does not require signatures still gets its request validated and answered', async () => {
      const b = browser();
      const res = await b.get(
        `${ENDPOINT}?SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(plainAuthnRequest('_fine'))).toString('base64'))}`,
      );
      assert.equal(res.status, 200);
      assert.match(await res.text(), /name="auth_request"/);
    });
  });
}
