// The `/protocol/saml` endpoint's intake (issue 16): whatever cannot be decoded is a 400 page
// with a LOGIN_ERROR event carrying Keycloak's error name, never a 500; logout messages go to
// the logout handler.
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { ISSUER, REALM, startTestProvider, type TestProvider } from '../helpers/provider.ts';

const SAML = `${ISSUER}/protocol/saml`;

describe('SAML endpoint intake', () => {
  let t: TestProvider;
  before(async () => {
    t = await startTestProvider(TEST_DATABASES[0]!);
  });
  after(async () => {
    await t?.close();
  });
  const lastEvent = async () => {
    const realm = (await t.provider.ctx.realms.realmByName(REALM))!;
    return (await t.provider.ctx.events.list(realm.id, { max: 1 }))[0]!;
  };

  test('saml-endpoint-no-message-is-a-400-page', async () => {
    const res = await t.fetch(SAML);
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type')!, /text\/html/);
    const event = await lastEvent();
    assert.equal(event.type, 'LOGIN_ERROR');
    assert.equal(event.error, 'invalid_request');
  });

  test('saml-endpoint-garbage-post-and-wrong-content-type-are-400', async () => {
    const bad = await t.fetch(SAML, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'SAMLRequest=%%%',
    });
    assert.equal(bad.status, 400);
    const json = await t.fetch(SAML, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(json.status, 400);
    const twice = await t.fetch(SAML, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'SAMLRequest=a&SAMLRequest=b',
    });
    assert.equal(twice.status, 400);
  });

  test('saml-endpoint-soap-authn-request-is-a-soap-fault: ECP sign-in is not offered', async () => {
    const xml = `<soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/"><soap11:Body><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_e" Version="2.0" IssueInstant="${new Date().toISOString()}"><saml:Issuer>urn:x</saml:Issuer></samlp:AuthnRequest></soap11:Body></soap11:Envelope>`;
    const res = await t.fetch(SAML, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /<soap11:Fault>/);
    const event = await lastEvent();
    assert.equal(event.type, 'LOGIN_ERROR');
    assert.equal(event.error, 'invalid_authn_request');
  });

  test('saml-endpoint-logout-messages-reach-the-logout-handler', async () => {
    const xml = `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" Version="2.0" IssueInstant="${new Date().toISOString()}"><saml:Issuer>urn:nobody</saml:Issuer><saml:NameID>alice</saml:NameID></samlp:LogoutRequest>`;
    const q = new URLSearchParams({ SAMLRequest: deflateRawSync(Buffer.from(xml)).toString('base64') });
    const res = await t.fetch(`${SAML}?${q}`);
    assert.equal(res.status, 400);
    assert.equal((await lastEvent()).type, 'LOGOUT_ERROR');
  });
});
