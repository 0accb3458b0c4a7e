// The SOAP back-channel message and its answer (Bindings §3.2, Core §3.7): our signed LogoutRequest
// in a SOAP envelope is accepted by node-saml (the SP library) in the SOAP SP harness, and the
// verdict on the SP's answer follows the rules of saml-soap-answer.ts, one test per rule.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BackchannelHttp } from '../../../../src/logout/delivery/backchannel-http.ts';
import { judgeSoapAnswer, MAX_SOAP_ANSWER } from '../../../../src/logout/channels/saml-soap/answer.ts';
import { buildLogoutRequest } from '../../../../src/saml/build-logout.ts';
import { certificateToText } from '../../../../src/saml/certificate-text.ts';
import { parseSamlClient, type SamlClientSettings } from '../../../../src/saml/saml-client-settings.ts';
import { SOAP_ACTION } from '../../../../src/saml/saml-constants.ts';
import { wrapSoap } from '../../../../src/saml/soap-envelope.ts';
import { attacker, REALM_URL, realm, realmKey, sp, SP_ENTITY_ID } from '../../../helpers/saml-fixtures.ts';
import { SoapSp } from '../../../helpers/soap-sp.ts';

function settingsFor(requireSignature: boolean, cert = sp.certificate): SamlClientSettings {
  const parsed = parseSamlClient(
    {
      protocol: 'saml',
      clientId: SP_ENTITY_ID,
      attributes: {
        'saml.client.signature': String(requireSignature),
        'saml.signing.certificate': certificateToText(cert),
      },
    },
    '$.clients[0]',
  );
  assert.ok(parsed.ok);
  return parsed.settings;
}

let soap: SoapSp;
const http = new BackchannelHttp({ connectTimeoutMs: 1000, responseTimeoutMs: 2000 });

before(async () => {
  soap = await SoapSp.start({
    entityId: SP_ENTITY_ID,
    idpCert: realm.certificate.toString(),
    idpIssuer: REALM_URL,
    privateKey: sp.privatePem,
    certificateBase64: certificateToText(sp.certificate),
  });
});
after(async () => {
  await soap.close();
  http.close();
});

async function send(signWith: typeof realmKey | null = realmKey) {
  const built = buildLogoutRequest({
    issuer: REALM_URL,
    destination: soap.url,
    nameId: { value: 'alice', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' },
    sessionIndexes: ['s_idx-1'],
    now: Date.now(),
    lifetime: 120,
    signWith: signWith ? { key: signWith, algorithm: 'RSA_SHA256' } : null,
  });
  const res = await http.send(soap.url, {
    contentType: 'text/xml; charset=utf-8',
    body: wrapSoap(built.xml),
    headers: { SOAPAction: `"${SOAP_ACTION}"` },
    maxBody: MAX_SOAP_ANSWER,
  });
  return { id: built.id, res, got: soap.received.at(-1)! };
}

test('node-saml accepts our signed SOAP LogoutRequest (NameID, SessionIndex, SOAPAction) and its signed Success answer is delivered', async () => {
  soap.answer = () => ({ kind: 'logout-response' });
  const { id, res, got } = await send();
  assert.equal(got.error, null);
  assert.equal(got.id, id);
  assert.equal(got.nameId, 'alice');
  assert.equal(got.sessionIndex, 's_idx-1');
  assert.equal(got.soapAction, `"${SOAP_ACTION}"`);
  assert.equal(res.status, 200);
  assert.deepEqual(judgeSoapAnswer(settingsFor(true), id, res), { outcome: 'delivered', error: null });
});

test('the harness proves something: node-saml refuses a LogoutRequest signed with another key, and answers a Client fault → rejected', async () => {
  const { id, res, got } = await send({
    ...realmKey,
    privateKey: attacker.privateKey,
    certificate: attacker.certificate,
  });
  assert.match(got.error!, /signature/i);
  assert.equal(res.status, 500);
  const v = judgeSoapAnswer(settingsFor(true), id, res)!;
  assert.equal(v.outcome, 'rejected');
  assert.match(v.error!, /SOAP fault soap11:Client/);
});

test('an unsigned LogoutResponse is refused when the client requires signatures, accepted when it does not', async () => {
  soap.answer = () => ({ kind: 'logout-response', sign: false });
  const { id, res } = await send();
  const v = judgeSoapAnswer(settingsFor(true), id, res)!;
  assert.equal(v.outcome, 'rejected');
  assert.match(v.error!, /requires signed/);
  assert.equal(judgeSoapAnswer(settingsFor(false), id, res)!.outcome, 'delivered');
});

test('a LogoutResponse signed with a key other than the registered certificate is rejected', async () => {
  soap.answer = () => ({ kind: 'logout-response' });
  const { id, res } = await send();
  assert.equal(judgeSoapAnswer(settingsFor(true, attacker.certificate), id, res)!.outcome, 'rejected');
});

test('a LogoutResponse to another request (InResponseTo) is rejected', async () => {
  soap.answer = () => ({ kind: 'logout-response', inResponseTo: '_someone-else' });
  const { id, res } = await send();
  const v = judgeSoapAnswer(settingsFor(true), id, res)!;
  assert.equal(v.outcome, 'rejected');
  assert.match(v.error!, /InResponseTo _someone-else/);
});

test('status Requester is rejected with the status named; Responder is retried', async () => {
  soap.answer = () => ({ kind: 'logout-response', status: 'urn:oasis:names:tc:SAML:2.0:status:Requester' });
  let { id, res } = await send();
  let v = judgeSoapAnswer(settingsFor(true), id, res)!;
  assert.deepEqual(v, { outcome: 'rejected', error: 'saml: LogoutResponse status Requester' });
  soap.answer = () => ({ kind: 'logout-response', status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' });
  ({ id, res } = await send());
  v = judgeSoapAnswer(settingsFor(true), id, res)!;
  assert.equal(v.outcome, 'retry');
  // The doctor's probe takes any valid answer as proof the endpoint works.
  assert.equal(judgeSoapAnswer(settingsFor(true), id, res, true)!.outcome, 'delivered');
});

test('a Server fault is retried; a 503 is left to the shared HTTP classification', async () => {
  soap.answer = () => ({ kind: 'fault', code: 'Server' });
  let { id, res } = await send();
  assert.equal(judgeSoapAnswer(settingsFor(true), id, res)!.outcome, 'retry');
  soap.answer = () => ({ kind: 'http', status: 503, body: 'maintenance' });
  ({ id, res } = await send());
  assert.equal(res.status, 503);
  assert.equal(judgeSoapAnswer(settingsFor(true), id, res), null);
});

test('a 200 that is not a SOAP LogoutResponse is rejected, not counted as delivered', async () => {
  soap.answer = () => ({ kind: 'http', status: 200, body: 'OK' });
  const { id, res } = await send();
  const v = judgeSoapAnswer(settingsFor(true), id, res)!;
  assert.equal(v.outcome, 'rejected');
  assert.match(v.error!, /invalid LogoutResponse/);
});
