// SAML clients that opt in to RSA-SHA1 (`saml.signature.algorithm` RSA_SHA1): Sundown then accepts
// their SHA-1 signatures and signs its messages to them with SHA-1, never by default. SHA-1 is
// broken for signatures (collisions are practical), so realm import and the admin API say so for
// each such client; stock pysaml2 SPs, which sign with SHA-1, are the reason it exists.
import { SAML_ATTR } from '../saml/saml-client-attributes.ts';

export function sha1Warning(clientId: string): string {
  return `SAML client ${clientId} uses RSA_SHA1 (saml.signature.algorithm): its SHA-1 signatures are accepted and Sundown signs to it with SHA-1, which is weak; prefer RSA_SHA256 as soon as the SP can`;
}

export function sha1Warnings(
  clients: ReadonlyArray<{ clientId: string; protocol: string; attributes: Readonly<Record<string, string>> }>,
): string[] {
  return clients
    .filter((c) => c.protocol === 'saml' && c.attributes[SAML_ATTR.signatureAlgorithm] === 'RSA_SHA1')
    .map((c) => sha1Warning(c.clientId));
}
