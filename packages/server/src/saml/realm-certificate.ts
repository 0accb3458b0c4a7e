// The realm's self-signed certificate for its RS256 key (saml.md §1): SAML metadata and
// KeyInfo carry keys as X.509 certificates, and Node can parse but not create them. Like
// Keycloak's CertificateUtils.generateV1SelfSignedCertificate: a v1 certificate (RFC 5280
// §4.1), subject = issuer = CN=<realm name>, sha256WithRSAEncryption, ten years.
//
// Deterministic for a given key, realm name and notBefore: the serial number is taken from the
// key's hash and PKCS #1 v1.5 signatures have no randomness, so the certificate can be made
// again identically or stored once with the key.
import { createHash, createPublicKey, KeyObject, sign, type webcrypto, X509Certificate } from 'node:crypto';
import { bitString, nullValue, objectIdentifier, sequence, set, time, unsignedInteger, utf8String } from './der.ts';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11'; // RFC 4055 §5
const COMMON_NAME = '2.5.4.3'; // X.520
const VALIDITY_YEARS = 10;

export interface RealmCertificateInput {
  realmName: string;
  /** The realm's RS256 private key (the one whose public half is in the JWKS). */
  privateKey: KeyObject;
  /** Start of validity, e.g. when the key was created; truncated to whole seconds. */
  notBefore: Date;
}

export function createRealmCertificate(input: RealmCertificateInput): X509Certificate {
  const { privateKey } = input;
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw new TypeError('the realm certificate needs an RSA private key');
  }
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const serial = createHash('sha256').update(spki).digest().subarray(0, 16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive and exactly 16 bytes (RFC 5280 §4.1.2.2)
  const notBefore = new Date(Math.floor(input.notBefore.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const name = sequence(set(sequence(objectIdentifier(COMMON_NAME), utf8String(input.realmName))));
  const algorithm = sequence(objectIdentifier(SHA256_WITH_RSA), nullValue());
  const tbs = sequence(unsignedInteger(serial), algorithm, name, sequence(time(notBefore), time(notAfter)), name, spki);
  const signature = sign('sha256', tbs, privateKey);
  return new X509Certificate(sequence(tbs, algorithm, bitString(signature)));
}

/** A KeyObject for a WebCrypto key, such as the jose CryptoKeys of crypto/signing-keys.ts. */
export function keyObjectOf(key: webcrypto.CryptoKey | KeyObject): KeyObject {
  return key instanceof KeyObject ? key : KeyObject.from(key);
}

/** Checks that a stored certificate still belongs to the key and the realm: same key, same CN. */
export function certificateMatches(cert: X509Certificate, privateKey: KeyObject, realmName: string): boolean {
  const ours = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const theirs = cert.publicKey.export({ format: 'der', type: 'spki' });
  return ours.equals(theirs) && cert.subject === `CN=${realmName}` && cert.verify(cert.publicKey);
}
