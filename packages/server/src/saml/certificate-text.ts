// Certificates as SAML carries them: base64 DER without PEM armour in `ds:X509Certificate`
// (XML-DSig §4.4.4) and in Keycloak's `saml.signing.certificate` attribute. PEM is accepted on
// input too, since administrators paste it.
import { X509Certificate } from 'node:crypto';

/** Parses base64 DER or PEM; null when it is not exactly one X.509 certificate with an RSA key. */
export function certificateFromText(text: string): X509Certificate | null {
  const body = text
    .replace(/-----BEGIN CERTIFICATE-----/, '')
    .replace(/-----END CERTIFICATE-----/, '')
    .replace(/\s+/g, '');
  if (body === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return null;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(body, 'base64'));
  } catch {
    return null;
  }
  // The algorithm allow-list is RSA only (saml.md §8.3), so any other key could never verify.
  if (cert.publicKey.asymmetricKeyType !== 'rsa') return null;
  // Trailing bytes after the DER would be ignored by X509Certificate: refuse them.
  if (!cert.raw.equals(Buffer.from(body, 'base64'))) return null;
  return cert;
}

/** The base64 DER form for `ds:X509Certificate` and the realm JSON. */
export function certificateToText(cert: X509Certificate): string {
  return cert.raw.toString('base64');
}
