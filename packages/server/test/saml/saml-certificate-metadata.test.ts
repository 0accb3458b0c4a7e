// The realm certificate (realm-certificate.ts) and the IdP descriptor (idp-metadata.ts, saml.md §1).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { exportJWK, generateKeyPair } from 'jose';
import { certificateFromText } from '../../src/saml/certificate-text.ts';
import { buildIdpMetadata } from '../../src/saml/idp-metadata.ts';
import { certificateMatches, createRealmCertificate, keyObjectOf } from '../../src/saml/realm-certificate.ts';
import { ENDPOINT, REALM_URL } from '../helpers/saml-fixtures.ts';

test('the realm certificate is self-signed for the RS256 key of the JWKS, CN = realm, ten years, deterministic', async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const key = keyObjectOf(privateKey as unknown as CryptoKey);
  const notBefore = new Date('2026-03-01T12:00:00.750Z');
  const cert = createRealmCertificate({ realmName: 'demo', privateKey: key, notBefore });
  assert.equal(cert.subject, 'CN=demo');
  assert.equal(cert.issuer, 'CN=demo');
  assert.ok(cert.verify(cert.publicKey) && cert.checkIssued(cert));
  assert.equal(new Date(cert.validFrom).toISOString(), '2026-03-01T12:00:00.000Z');
  assert.equal(new Date(cert.validTo).toISOString(), '2036-03-01T12:00:00.000Z');
  const jwk = await exportJWK(publicKey);
  assert.equal(cert.publicKey.export({ format: 'jwk' }).n, jwk.n);
  assert.ok(createRealmCertificate({ realmName: 'demo', privateKey: key, notBefore }).raw.equals(cert.raw));
  assert.ok(certificateMatches(cert, key, 'demo'));
  assert.equal(certificateMatches(cert, key, 'other'), false);
  assert.ok(certificateFromText(cert.raw.toString('base64'))?.raw.equals(cert.raw));
});

test('validity past 2049 is encoded as GeneralizedTime (RFC 5280 §4.1.2.5) and parses', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = createRealmCertificate({ realmName: 'later', privateKey, notBefore: new Date('2045-06-01T00:00:00Z') });
  assert.equal(new Date(cert.validTo).toISOString(), '2055-06-01T00:00:00.000Z');
  assert.ok(cert.raw.includes(Buffer.from('20550601000000Z')));
  assert.throws(
    () =>
      createRealmCertificate({
        realmName: 'x',
        privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
        notBefore: new Date(),
      }),
    /RSA/,
  );
});

test('the descriptor lists entityID, WantAuthnRequestsSigned, NameID formats, services and the certificate matching the JWKS modulus', async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const cert = createRealmCertificate({
    realmName: 'demo',
    privateKey: keyObjectOf(privateKey as unknown as CryptoKey),
    notBefore: new Date(),
  });
  const xml = buildIdpMetadata({
    entityId: REALM_URL,
    endpoint: ENDPOINT,
    keys: [{ kid: 'kid-1', certificate: cert }],
    cacheSeconds: 3600,
  });
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const md = 'urn:oasis:names:tc:SAML:2.0:metadata';
  const root = doc.documentElement!;
  assert.equal(root.getAttribute('entityID'), REALM_URL);
  assert.equal(root.getAttribute('cacheDuration'), 'PT3600S');
  const idp = doc.getElementsByTagNameNS(md, 'IDPSSODescriptor')[0]!;
  assert.equal(idp.getAttribute('WantAuthnRequestsSigned'), 'true');
  assert.equal(idp.getAttribute('protocolSupportEnumeration'), 'urn:oasis:names:tc:SAML:2.0:protocol');
  const services = (name: string) =>
    Array.from(doc.getElementsByTagNameNS(md, name)).map(
      (e) => `${e.getAttribute('Binding')!.split(':').pop()} ${e.getAttribute('Location')}`,
    );
  assert.deepEqual(services('SingleSignOnService'), [`HTTP-POST ${ENDPOINT}`, `HTTP-Redirect ${ENDPOINT}`]);
  assert.deepEqual(services('SingleLogoutService'), [
    `HTTP-POST ${ENDPOINT}`,
    `HTTP-Redirect ${ENDPOINT}`,
    `SOAP ${ENDPOINT}`,
  ]);
  assert.equal(doc.getElementsByTagNameNS(md, 'NameIDFormat').length, 4);
  const kd = doc.getElementsByTagNameNS(md, 'KeyDescriptor')[0]!;
  assert.equal(kd.getAttribute('use'), 'signing');
  const ds = 'http://www.w3.org/2000/09/xmldsig#';
  assert.equal(kd.getElementsByTagNameNS(ds, 'KeyName')[0]!.textContent, 'kid-1');
  const published = certificateFromText(kd.getElementsByTagNameNS(ds, 'X509Certificate')[0]!.textContent!);
  assert.equal(published?.publicKey.export({ format: 'jwk' }).n, (await exportJWK(publicKey)).n);
});
