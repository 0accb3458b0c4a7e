// Inbound POST/SOAP signatures (saml.md §8.1–8.3): unsigned, altered, foreign-key and
// foreign-KeyInfo messages, three signature-wrapping variants and disallowed algorithms, each
// refused with its typed error. Wrapping payloads are first shown to pass xml-crypto's own
// checkSignature, so it is our structural checks that refuse them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { buildLogoutRequest } from '../../src/saml/build-logout.ts';
import { authenticateMessage, decodePostMessage, decodeSoapMessage } from '../../src/saml/inbound-message.ts';
import { readLogoutRequest } from '../../src/saml/read-logout-request.ts';
import { STATUS } from '../../src/saml/saml-constants.ts';
import { SamlError } from '../../src/saml/saml-errors.ts';
import type { RealmSigningKey } from '../../src/saml/sign-enveloped.ts';
import { wrapSoap } from '../../src/saml/soap-envelope.ts';
import { attacker, ENDPOINT, type KeyPair, sp, SP_ENTITY_ID, spRules } from '../helpers/saml-fixtures.ts';

const asKey = (k: KeyPair, certificate = k.certificate): RealmSigningKey => ({
  kid: 'k',
  privateKey: k.privateKey,
  certificate,
});

function spLogoutRequest(signer: RealmSigningKey | null, nameId = 'alice'): { id: string; xml: string } {
  return buildLogoutRequest({
    issuer: SP_ENTITY_ID,
    destination: ENDPOINT,
    nameId: { value: nameId, format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' },
    sessionIndexes: ['s_victim'],
    now: Date.now(),
    lifetime: 60,
    signWith: signer ? { key: signer, algorithm: 'RSA_SHA256' } : null,
  });
}

const post = (xml: string) => decodePostMessage({ SAMLRequest: Buffer.from(xml).toString('base64') });

function refused(fn: () => unknown, code: SamlError['code']): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SamlError, `expected SamlError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (code.startsWith('signature_')) {
      assert.equal(err.eventError, 'invalid_signature');
      assert.equal(err.status, STATUS.requester);
      assert.equal(err.subStatus, STATUS.requestDenied);
    }
    return true;
  });
}

/** xml-crypto alone, with the SP's certificate: what a naive "some valid signature" check says. */
function xmlCryptoAlone(xml: string): boolean {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const sig = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]!;
  const v = new SignedXml({ publicCert: sp.certificate.toString(), getCertFromKeyInfo: () => null });
  v.loadSignature(sig as unknown as Node);
  return v.checkSignature(xml);
}

test('a POST LogoutRequest signed with the registered key is accepted and read from the signed bytes', () => {
  const auth = authenticateMessage(post(spLogoutRequest(asKey(sp)).xml), spRules);
  assert.equal(auth.signed, true);
  const req = readLogoutRequest(auth);
  assert.equal(req.nameId, 'alice');
  assert.deepEqual(req.sessionIndexes, ['s_victim']);
});

test('saml-unsigned-logout-request-refused when the client requires signatures', () => {
  refused(() => authenticateMessage(post(spLogoutRequest(null).xml), spRules), 'signature_missing');
  // Allowed only where the client opted out of signatures.
  assert.equal(
    authenticateMessage(post(spLogoutRequest(null).xml), { ...spRules, requireSignature: false }).signed,
    false,
  );
});

test('saml-altered-logout-request-refused', () => {
  const xml = spLogoutRequest(asKey(sp)).xml.replace('>alice<', '>bob<');
  refused(() => authenticateMessage(post(xml), spRules), 'signature_invalid');
});

test('saml-foreign-key-logout-request-refused (signed by another key, KeyInfo claiming the SP certificate)', () => {
  const xml = spLogoutRequest(asKey(attacker, sp.certificate)).xml;
  refused(() => authenticateMessage(post(xml), spRules), 'signature_invalid');
});

test("saml-foreign-keyinfo-logout-request-refused (KeyInfo carries the signer's own certificate; never trusted)", () => {
  const xml = spLogoutRequest(asKey(attacker)).xml;
  assert.match(xml, new RegExp(attacker.certificate.raw.toString('base64').slice(0, 40).replace(/[+/]/g, '\\$&')));
  refused(() => authenticateMessage(post(xml), spRules), 'signature_invalid');
  // Even when the client has no certificate at all, KeyInfo is not used instead.
  refused(() => authenticateMessage(post(xml), { ...spRules, certificate: null }), 'signature_invalid');
});

// XSW: a signed LogoutRequest for alice is turned into one for bob.
function wrapVariant(kind: 'wrapped-child' | 'duplicate-id-extensions' | 'duplicate-id-object'): string {
  const original = spLogoutRequest(asKey(sp));
  const doc = new DOMParser().parseFromString(original.xml, 'text/xml');
  const root = doc.documentElement!;
  const signature = root.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]!;
  const ser = new XMLSerializer();
  const head = `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Version="2.0" IssueInstant="${root.getAttribute('IssueInstant')}" Destination="${ENDPOINT}"`;
  const evilBody = `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">bob</saml:NameID><samlp:SessionIndex>s_bob</samlp:SessionIndex>`;
  const issuer = `<saml:Issuer>${SP_ENTITY_ID}</saml:Issuer>`;
  if (kind === 'wrapped-child') {
    // The signature stays a child of the root but references the original, wrapped in Extensions.
    root.removeChild(signature);
    return `${head} ID="_evil">${issuer}${ser.serializeToString(signature)}<samlp:Extensions>${ser.serializeToString(root)}</samlp:Extensions>${evilBody}</samlp:LogoutRequest>`;
  }
  if (kind === 'duplicate-id-extensions') {
    // The evil root takes the original's ID; the signed original (with its signature) moves into Extensions.
    return `${head} ID="${original.id}">${issuer}<samlp:Extensions>${ser.serializeToString(root)}</samlp:Extensions>${evilBody}</samlp:LogoutRequest>`;
  }
  // The signed original moves into a ds:Object of the (root-level) signature; the root takes its ID.
  root.removeChild(signature);
  const sigXml = ser
    .serializeToString(signature)
    .replace(/<\/ds:Signature>$/, `<ds:Object>${ser.serializeToString(root)}</ds:Object></ds:Signature>`);
  return `${head} ID="${original.id}">${issuer}${sigXml}${evilBody}</samlp:LogoutRequest>`;
}

test('saml-xsw-signature-references-wrapped-child-refused', () => {
  const xml = wrapVariant('wrapped-child');
  assert.equal(xmlCryptoAlone(xml), true, 'the payload carries a cryptographically valid signature');
  refused(() => authenticateMessage(post(xml), spRules), 'signature_structure');
});

test('saml-xsw-duplicate-id-original-in-extensions-refused', () => {
  refused(() => authenticateMessage(post(wrapVariant('duplicate-id-extensions')), spRules), 'signature_structure');
});

test('saml-xsw-duplicate-id-original-in-signature-object-refused', () => {
  refused(() => authenticateMessage(post(wrapVariant('duplicate-id-object')), spRules), 'signature_structure');
});

test('saml-second-signature-refused', () => {
  const signed = spLogoutRequest(asKey(sp)).xml;
  const other = spLogoutRequest(asKey(sp)).xml;
  const sig = other.slice(other.indexOf('<ds:Signature'), other.indexOf('</ds:Signature>') + '</ds:Signature>'.length);
  const xml = signed.replace('<samlp:SessionIndex>', `<samlp:Extensions>${sig}</samlp:Extensions><samlp:SessionIndex>`);
  refused(() => authenticateMessage(post(xml), spRules), 'signature_structure');
});

function signWith(
  xml: string,
  id: string,
  signatureAlgorithm: string,
  digestAlgorithm: string,
  c14n = 'http://www.w3.org/2001/10/xml-exc-c14n#',
): string {
  const s = new SignedXml({ privateKey: sp.privateKey, signatureAlgorithm, canonicalizationAlgorithm: c14n });
  s.addReference({
    xpath: `//*[@ID='${id}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', c14n],
    digestAlgorithm,
  });
  s.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return s.getSignedXml();
}

test('saml-disallowed-signature-algorithms-refused (rsa-sha1, sha1 digest, inclusive c14n, HMAC)', () => {
  const { id, xml } = spLogoutRequest(null);
  const sha256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
  refused(
    () => authenticateMessage(post(signWith(xml, id, 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', sha256)), spRules),
    'signature_algorithm',
  );
  refused(
    () =>
      authenticateMessage(
        post(
          signWith(
            xml,
            id,
            'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
            'http://www.w3.org/2000/09/xmldsig#sha1',
          ),
        ),
        spRules,
      ),
    'signature_algorithm',
  );
  refused(
    () =>
      authenticateMessage(
        post(
          signWith(
            xml,
            id,
            'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
            sha256,
            'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
          ),
        ),
        spRules,
      ),
    'signature_algorithm',
  );
  const hmac = signWith(xml, id, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', sha256).replace(
    'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
  );
  refused(() => authenticateMessage(post(hmac), spRules), 'signature_algorithm');
});

test('saml-sha1-only-for-clients-that-name-it: rsa-sha1 with a sha1 digest verifies only under saml.signature.algorithm RSA_SHA1', () => {
  const { id, xml } = spLogoutRequest(null);
  const sha1 = signWith(
    xml,
    id,
    'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    'http://www.w3.org/2000/09/xmldsig#sha1',
  );
  refused(() => authenticateMessage(post(sha1), spRules), 'signature_algorithm');
  refused(
    () => authenticateMessage(post(sha1), { ...spRules, signatureAlgorithm: 'RSA_SHA512' }),
    'signature_algorithm',
  );
  assert.equal(authenticateMessage(post(sha1), { ...spRules, signatureAlgorithm: 'RSA_SHA1' }).signed, true);
  // Such a client's RSA-SHA256 signatures still verify.
  const sha256 = signWith(
    xml,
    id,
    'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'http://www.w3.org/2001/04/xmlenc#sha256',
  );
  assert.equal(authenticateMessage(post(sha256), { ...spRules, signatureAlgorithm: 'RSA_SHA1' }).signed, true);
});

test('SOAP LogoutRequest: signed one verifies inside the envelope; an altered one is refused', () => {
  const msg = decodeSoapMessage(wrapSoap(spLogoutRequest(asKey(sp)).xml));
  assert.equal(msg.kind, 'LogoutRequest');
  assert.equal(readLogoutRequest(authenticateMessage(msg, spRules)).nameId, 'alice');
  const altered = wrapSoap(spLogoutRequest(asKey(sp)).xml.replace('s_victim', 's_other'));
  refused(() => authenticateMessage(decodeSoapMessage(altered), spRules), 'signature_invalid');
});
