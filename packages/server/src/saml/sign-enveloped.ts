// Enveloped XML signatures on outbound messages and assertions (saml.md §5): xml-crypto does the
// canonicalisation and signing. RSA-SHA256 (or -512 where the client asks), a digest of the same
// strength, transforms enveloped-signature + exclusive c14n, one Reference `#<ID>`, and the
// `ds:Signature` placed right after the element's `saml:Issuer`, where the schemas put it
// (Core §3.2.1 StatusResponseType / RequestAbstractType, §2.3.3 Assertion).
import type { KeyObject, X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { certificateToText } from './certificate-text.ts';
import type { SamlSignatureAlgorithm } from './saml-client-attributes.ts';
import { ALG } from './saml-constants.ts';
import { xmlText } from './xml-text.ts';

/** The realm key that signs: the RS256 key of the JWKS and its certificate (saml.md §1). */
export interface RealmSigningKey {
  kid: string;
  privateKey: KeyObject;
  certificate: X509Certificate;
}

const ALGORITHMS: Record<SamlSignatureAlgorithm, { signature: string; digest: string }> = {
  RSA_SHA256: { signature: ALG.rsaSha256, digest: ALG.sha256 },
  RSA_SHA512: { signature: ALG.rsaSha512, digest: ALG.sha512 },
  RSA_SHA1: { signature: ALG.rsaSha1, digest: ALG.sha1 },
};

/**
 * Signs the element whose `ID` attribute is `id` (an ID this module's callers generated, so
 * it is safe inside the XPath) and returns the whole document with the signature in place.
 */
export function signEnveloped(
  xml: string,
  id: string,
  key: RealmSigningKey,
  algorithm: SamlSignatureAlgorithm = 'RSA_SHA256',
): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(id)) throw new TypeError('signEnveloped needs an NCName ID');
  const alg = ALGORITHMS[algorithm];
  const target = `//*[@ID='${id}']`;
  const signer = new SignedXml({
    privateKey: key.privateKey,
    signatureAlgorithm: alg.signature,
    canonicalizationAlgorithm: ALG.excC14n,
    // KeyName = kid (as Keycloak's descriptor and messages carry it), then the certificate.
    getKeyInfoContent: ({ prefix } = {}) => {
      const p = prefix ? `${prefix}:` : '';
      return `<${p}KeyName>${xmlText(key.kid)}</${p}KeyName><${p}X509Data><${p}X509Certificate>${certificateToText(key.certificate)}</${p}X509Certificate></${p}X509Data>`;
    },
  });
  signer.addReference({
    xpath: target,
    transforms: [ALG.envelopedSignature, ALG.excC14n],
    digestAlgorithm: alg.digest,
  });
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}
