// The HTTP-Redirect binding's detached signature (Bindings §3.4.4.1, saml.md §5): the signer
// signs the octets `SAMLRequest=…&RelayState=…&SigAlg=…` (or SAMLResponse) with each value
// exactly as URL-encoded in the query. The verifier therefore works on the raw query as sent,
// never on decoded and re-encoded values (saml.md §8.6). Only RSA-SHA256/512 (saml.md §8.3).
import { type KeyObject, sign, verify, type X509Certificate } from 'node:crypto';
import type { SamlSignatureAlgorithm } from './saml-client-attributes.ts';
import { ALG } from './saml-constants.ts';
import { badSignature } from './saml-errors.ts';

const HASH_BY_SIGALG: Record<string, 'sha256' | 'sha512' | 'sha1'> = {
  [ALG.rsaSha256]: 'sha256',
  [ALG.rsaSha512]: 'sha512',
  [ALG.rsaSha1]: 'sha1',
};
const SIGALG_BY_SETTING: Record<SamlSignatureAlgorithm, string> = {
  RSA_SHA256: ALG.rsaSha256,
  RSA_SHA512: ALG.rsaSha512,
  RSA_SHA1: ALG.rsaSha1,
};

export interface RedirectSignature {
  /** The SigAlg URI, decoded. */
  sigAlg: string;
  /** The decoded signature bytes. */
  value: Buffer;
  /** The octets the signature covers, built from the raw query. */
  signedOctets: string;
}

/** `allowSha1`: only for a client whose saml.signature.algorithm is RSA_SHA1. */
export function verifyRedirectSignature(
  signature: RedirectSignature,
  certificate: X509Certificate,
  allowSha1 = false,
): void {
  const hash = HASH_BY_SIGALG[signature.sigAlg];
  if (!hash || (hash === 'sha1' && !allowSha1))
    throw badSignature('signature_algorithm', `SigAlg ${signature.sigAlg} is not allowed`);
  let ok: boolean;
  try {
    ok = verify(hash, Buffer.from(signature.signedOctets, 'utf8'), certificate.publicKey, signature.value);
  } catch (err) {
    throw badSignature('signature_invalid', 'the query signature is invalid', (err as Error).message);
  }
  if (!ok) throw badSignature('signature_invalid', 'the query signature is invalid');
}

/** Signs the octets for an outbound Redirect message; returns SigAlg URI and base64 signature. */
export function signRedirectOctets(
  octets: string,
  privateKey: KeyObject,
  algorithm: SamlSignatureAlgorithm,
): { sigAlg: string; signature: string } {
  const sigAlg = SIGALG_BY_SETTING[algorithm];
  return {
    sigAlg,
    signature: sign(HASH_BY_SIGALG[sigAlg]!, Buffer.from(octets, 'utf8'), privateKey).toString('base64'),
  };
}

export function sigAlgFor(algorithm: SamlSignatureAlgorithm): string {
  return SIGALG_BY_SETTING[algorithm];
}
