// Inbound XML hygiene and binding limits (saml.md §8.5–8.6): DOCTYPE (XXE, billion laughs),
// comments and processing instructions, deflate bombs and oversized POST/SOAP messages, Redirect
// query rules (duplicates, SigAlg allow-list, no XML signature, signature over the raw query).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { buildLogoutRequest } from '../../src/saml/build-logout.ts';
import {
  authenticateMessage,
  decodePostMessage,
  decodeRedirectMessage,
  decodeSoapMessage,
} from '../../src/saml/inbound-message.ts';
import { checkDestination, checkFreshness } from '../../src/saml/message-checks.ts';
import { encodeRedirectUrl } from '../../src/saml/redirect-binding.ts';
import { MAX_MESSAGE_BYTES } from '../../src/saml/safe-xml.ts';
import { SamlError } from '../../src/saml/saml-errors.ts';
import { signEnveloped } from '../../src/saml/sign-enveloped.ts';
import { unwrapSoap, wrapSoap } from '../../src/saml/soap-envelope.ts';
import { attacker, ENDPOINT, rawQuery, sp, SP_ENTITY_ID, spRules } from '../helpers/saml-fixtures.ts';

function refused(fn: () => unknown, code: SamlError['code']): void {
  assert.throws(fn, (err: unknown) => err instanceof SamlError && err.code === code);
}

const logoutXml = (nameId = 'alice'): string =>
  buildLogoutRequest({
    issuer: SP_ENTITY_ID,
    destination: ENDPOINT,
    nameId: { value: nameId, format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' },
    sessionIndexes: ['s_1'],
    now: Date.now(),
    lifetime: 60,
    signWith: null,
  }).xml;
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const post = (xml: string) => decodePostMessage({ SAMLRequest: b64(xml) });
const redirect = (xml: string, sign: typeof sp | null = sp) =>
  rawQuery(
    encodeRedirectUrl({
      location: ENDPOINT,
      param: 'SAMLRequest',
      xml,
      relayState: 'r',
      signWith: sign ? { privateKey: sign.privateKey, algorithm: 'RSA_SHA256' } : null,
    }),
  );

test('saml-doctype-xxe-refused (POST, Redirect, SOAP)', () => {
  const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${logoutXml('&x;')}`;
  refused(() => post(xxe), 'doctype');
  refused(() => decodeRedirectMessage(redirect(xxe)), 'doctype');
  refused(() => decodeSoapMessage(`<!DOCTYPE e>${wrapSoap(logoutXml())}`), 'doctype');
});

test('saml-billion-laughs-refused', () => {
  const lol = `<!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${logoutXml('&c;')}`;
  refused(() => post(lol), 'doctype');
});

test('saml-comment-in-nameid-refused (CVE-2017-11427 class), even when the signature is valid', () => {
  // Signed by the SP's own key with the comment inside: c14n drops it, a DOM reader would split the text.
  const unsigned = logoutXml('admin@example.com.evil').replace(
    'admin@example.com.evil',
    'admin@example.com<!---->.evil',
  );
  const id = /ID="([^"]+)"/.exec(unsigned)![1]!;
  const xml = signEnveloped(unsigned, id, { kid: 'sp', privateKey: sp.privateKey, certificate: sp.certificate });
  assert.ok(xml.includes('<!---->') && xml.includes('<ds:SignatureValue>'));
  refused(() => post(xml), 'comment');
  refused(() => decodeRedirectMessage(redirect(xml)), 'comment');
});

test('saml-processing-instruction-refused', () => {
  refused(() => post(logoutXml().replace('>alice<', '><?x evil?>alice<')), 'processing_instruction');
  refused(() => post(`<?xml-stylesheet href="x"?>${logoutXml()}`), 'processing_instruction');
  // The XML declaration itself is fine.
  assert.equal(post(`<?xml version="1.0" encoding="UTF-8"?>${logoutXml()}`).kind, 'LogoutRequest');
});

test('saml-deflate-bomb-refused (Redirect inflated size capped)', () => {
  const huge = logoutXml().replace('>alice<', `>${'a'.repeat(20 * 1024 * 1024)}<`);
  const deflated = deflateRawSync(Buffer.from(huge));
  assert.ok(deflated.length < 64 * 1024, 'the bomb is small on the wire');
  refused(() => decodeRedirectMessage(`SAMLRequest=${encodeURIComponent(deflated.toString('base64'))}`), 'too_large');
});

test('saml-oversized-post-and-soap-refused', () => {
  const big = logoutXml().replace('>alice<', `>${'a'.repeat(MAX_MESSAGE_BYTES)}<`);
  refused(() => post(big), 'too_large');
  refused(() => decodeSoapMessage(wrapSoap(big)), 'too_large');
});

test('saml-redirect-sigalg-allow-list (rsa-sha1 and HMAC refused)', () => {
  const q = redirect(logoutXml());
  for (const alg of ['http://www.w3.org/2000/09/xmldsig#rsa-sha1', 'http://www.w3.org/2000/09/xmldsig#hmac-sha1']) {
    const swapped = q.replace(/SigAlg=[^&]+/, `SigAlg=${encodeURIComponent(alg)}`);
    refused(() => authenticateMessage(decodeRedirectMessage(swapped), spRules), 'signature_algorithm');
  }
});

test('saml-redirect-signature-over-raw-query (altered value, reordered or re-encoded query, foreign key, missing)', () => {
  const q = redirect(logoutXml());
  assert.equal(authenticateMessage(decodeRedirectMessage(q), spRules).signed, true);
  // Parameters in another order are fine: the signed octets have a fixed order (Bindings §3.4.4.1).
  const params = q.split('&');
  assert.equal(authenticateMessage(decodeRedirectMessage([...params].reverse().join('&')), spRules).signed, true);
  refused(
    () => authenticateMessage(decodeRedirectMessage(q.replace('RelayState=r', 'RelayState=s')), spRules),
    'signature_invalid',
  );
  // Same decoded value, different encoding: not what was signed.
  const sigAlg = /SigAlg=([^&]+)/.exec(q)![1]!;
  refused(
    () => authenticateMessage(decodeRedirectMessage(q.replace(sigAlg, sigAlg.toLowerCase())), spRules),
    'signature_invalid',
  );
  refused(
    () => authenticateMessage(decodeRedirectMessage(redirect(logoutXml(), attacker)), spRules),
    'signature_invalid',
  );
  refused(() => authenticateMessage(decodeRedirectMessage(redirect(logoutXml(), null)), spRules), 'signature_missing');
});

test('saml-redirect-duplicate-parameters-and-xml-signature-refused', () => {
  const q = redirect(logoutXml());
  refused(() => decodeRedirectMessage(`${q}&RelayState=again`), 'duplicate_parameter');
  const withXmlSig = logoutXml().replace(
    '</saml:Issuer>',
    '</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>',
  );
  refused(() => decodeRedirectMessage(redirect(withXmlSig)), 'signature_structure');
});

test('saml-issuer-must-be-the-client', () => {
  const q = redirect(logoutXml().replace(`>${SP_ENTITY_ID}<`, '>urn:someone-else<'));
  assert.throws(
    () => authenticateMessage(decodeRedirectMessage(q), spRules),
    (e: unknown) => e instanceof SamlError && e.eventError === 'invalid_issuer',
  );
});

test('saml-destination-and-freshness-checks', () => {
  assert.throws(
    () => checkDestination('LogoutRequest', 'http://127.0.0.1:9/elsewhere', ENDPOINT, false),
    /Destination/,
  );
  assert.throws(
    () => checkDestination('AuthnRequest', null, ENDPOINT, true),
    (e: unknown) => e instanceof SamlError && e.eventError === 'invalid_authn_request',
  );
  checkDestination('AuthnRequest', null, ENDPOINT, false);
  const now = Date.now();
  assert.throws(() => checkFreshness('LogoutRequest', now, now - 120_000, now), /NotOnOrAfter/);
  assert.throws(() => checkFreshness('AuthnRequest', now - 3600_000, null, now), /too old/);
  assert.throws(() => checkFreshness('AuthnRequest', now + 3600_000, null, now), /future/);
  assert.ok(checkFreshness('LogoutRequest', now, now + 60_000, now) >= now + 60_000);
});

test('SOAP envelope: wrap/unwrap, mustUnderstand headers and extra Body content refused', () => {
  const env = unwrapSoap(wrapSoap(logoutXml()));
  assert.equal(env.message.localName, 'LogoutRequest');
  const withHeader = wrapSoap(logoutXml()).replace(
    '<soap11:Body>',
    '<soap11:Header><x:h xmlns:x="urn:x" soap11:mustUnderstand="1"/></soap11:Header><soap11:Body>',
  );
  refused(() => unwrapSoap(withHeader), 'soap_envelope');
  refused(() => unwrapSoap(wrapSoap(logoutXml() + logoutXml())), 'soap_envelope');
  refused(() => unwrapSoap(logoutXml()), 'soap_envelope');
});

test('saml-illegal-xml-characters-refused: character references to C0 controls, NUL or U+FFFE, in text or attributes (XML 1.0 §2.2 Char)', () => {
  // The builder escapes its inputs, so the references are put into the XML it built.
  const withNameId = (ref: string) => logoutXml('PLACEHOLDER').replace('PLACEHOLDER', ref);
  for (const xml of [
    withNameId('&#1;alice'),
    withNameId('alice&#0;'),
    withNameId('&#xFFFE;'),
    logoutXml().replace('Version="2.0"', 'Version="&#1;"'),
    logoutXml().replace('Version="2.0"', 'Version="2.0&#x1F;"'),
  ]) {
    assert.match(xml, /&#x?[0-9A-F]+;/, 'the reference is in the message');
    refused(() => post(xml), 'bad_encoding');
  }
  // Tab, LF and CR are XML characters: the message is read.
  assert.doesNotThrow(() => post(withNameId('alice&#9;')));
});
