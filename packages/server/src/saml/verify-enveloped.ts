// Verifies the enveloped XML signature of an inbound POST or SOAP message (saml.md §8.1–8.3)
// and returns the message as re-parsed from the signed bytes: callers read data ONLY from that
// (xml-crypto README, "Verifying Xml documents"), so no wrapped or moved element can be read.
//
// Strict shape first, on our own parse: exactly one ds:Signature in the document, a child of the
// message element; exactly one SignedInfo with one Reference whose URI is `#` + the message's ID;
// exactly one element in the document with that ID; only exclusive c14n, enveloped-signature,
// RSA-SHA256/512 and SHA-256/512. Then xml-crypto checks digests and the signature value with
// the client's registered certificate only (KeyInfo is never trusted: GHSA-2xp3-57p7-qf4v).
import type { X509Certificate } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { parseSamlXml } from './safe-xml.ts';
import { ALG, NS } from './saml-constants.ts';
import { badSignature } from './saml-errors.ts';
import { childElements } from './xml-read.ts';

const SIGNATURE_ALGS = new Set<string>([ALG.rsaSha256, ALG.rsaSha512]);
const DIGEST_ALGS = new Set<string>([ALG.sha256, ALG.sha512]);
/** With a client's RSA_SHA1 setting only. */
const SHA1_SIGNATURE_ALGS = new Set<string>([...SIGNATURE_ALGS, ALG.rsaSha1]);
const SHA1_DIGEST_ALGS = new Set<string>([...DIGEST_ALGS, ALG.sha1]);
const TRANSFORMS = new Set<string>([ALG.envelopedSignature, ALG.excC14n]);
const ID_ATTRIBUTES = new Set(['ID', 'Id', 'id']);

/** Whether the message element carries a signature at all (a direct ds:Signature child). */
export function hasEnvelopedSignature(doc: Document): boolean {
  return doc.getElementsByTagNameNS(NS.dsig, 'Signature').length > 0;
}

export function verifyEnvelopedSignature(
  xml: string,
  doc: Document,
  message: Element,
  certificate: X509Certificate,
  allowSha1 = false,
): Element {
  const signatureAlgs = allowSha1 ? SHA1_SIGNATURE_ALGS : SIGNATURE_ALGS;
  const digestAlgs = allowSha1 ? SHA1_DIGEST_ALGS : DIGEST_ALGS;
  const signatures = Array.from(doc.getElementsByTagNameNS(NS.dsig, 'Signature'));
  if (signatures.length === 0) throw badSignature('signature_missing', 'the message is not signed');
  if (signatures.length > 1) throw badSignature('signature_structure', 'exactly one signature is allowed');
  const signature = signatures[0]!;
  if (signature.parentNode !== message)
    throw badSignature('signature_structure', 'the signature must be a child of the message element');
  const id = message.getAttribute('ID');
  if (!id) throw badSignature('signature_structure', 'the signed message has no ID');
  checkSignedInfo(signature, id, signatureAlgs, digestAlgs);
  if (countElementsWithId(doc, id) !== 1)
    throw badSignature('signature_structure', 'the signed ID must be unique in the document');

  const verifier = new SignedXml({ publicCert: certificate.toString(), getCertFromKeyInfo: () => null });
  // Only the allow-listed algorithms exist for this verifier, whatever SignedInfo names.
  verifier.SignatureAlgorithms = pick(verifier.SignatureAlgorithms, signatureAlgs);
  verifier.HashAlgorithms = pick(verifier.HashAlgorithms, digestAlgs);
  verifier.CanonicalizationAlgorithms = pick(verifier.CanonicalizationAlgorithms, TRANSFORMS);
  let valid: boolean;
  try {
    verifier.loadSignature(signature as unknown as Node);
    valid = verifier.checkSignature(xml);
  } catch (err) {
    throw badSignature('signature_invalid', 'the signature is invalid', (err as Error).message);
  }
  if (!valid) throw badSignature('signature_invalid', 'the signature is invalid');
  const signed = verifier.getSignedReferences();
  if (signed.length !== 1) throw badSignature('signature_structure', 'exactly one signed reference is allowed');
  const root = parseSamlXml(signed[0]!).documentElement!;
  if (
    root.namespaceURI !== message.namespaceURI ||
    root.localName !== message.localName ||
    root.getAttribute('ID') !== id
  ) {
    throw badSignature('signature_structure', 'the signed element is not the message');
  }
  return root;
}

function checkSignedInfo(
  signature: Element,
  id: string,
  signatureAlgs: ReadonlySet<string>,
  digestAlgs: ReadonlySet<string>,
): void {
  const signedInfo = onlyChild(signature, 'SignedInfo');
  const c14n = onlyChild(signedInfo, 'CanonicalizationMethod').getAttribute('Algorithm');
  if (c14n !== ALG.excC14n)
    throw badSignature('signature_algorithm', `canonicalization ${c14n ?? '(none)'} is not allowed`);
  const method = onlyChild(signedInfo, 'SignatureMethod').getAttribute('Algorithm');
  if (!method || !signatureAlgs.has(method))
    throw badSignature('signature_algorithm', `signature algorithm ${method ?? '(none)'} is not allowed`);
  const references = childElements(signedInfo, NS.dsig, 'Reference');
  if (references.length !== 1) throw badSignature('signature_structure', 'exactly one Reference is allowed');
  const reference = references[0]!;
  if (reference.getAttribute('URI') !== `#${id}`)
    throw badSignature('signature_structure', 'the Reference must point to the message ID');
  const transforms = childElements(reference, NS.dsig, 'Transforms').flatMap((t) =>
    childElements(t, NS.dsig, 'Transform'),
  );
  if (transforms.length > 2 || transforms.some((t) => !TRANSFORMS.has(t.getAttribute('Algorithm') ?? ''))) {
    throw badSignature('signature_algorithm', 'only enveloped-signature and exclusive c14n transforms are allowed');
  }
  const digest = onlyChild(reference, 'DigestMethod').getAttribute('Algorithm');
  if (!digest || !digestAlgs.has(digest))
    throw badSignature('signature_algorithm', `digest algorithm ${digest ?? '(none)'} is not allowed`);
}

function onlyChild(parent: Element, localName: string): Element {
  const found = childElements(parent, NS.dsig, localName);
  if (found.length !== 1) throw badSignature('signature_structure', `exactly one ds:${localName} is required`);
  return found[0]!;
}

function countElementsWithId(doc: Document, id: string): number {
  let count = 0;
  for (const el of Array.from(doc.getElementsByTagName('*'))) {
    for (const attr of Array.from(el.attributes)) {
      if (ID_ATTRIBUTES.has(attr.localName ?? attr.name) && attr.value === id) count++;
    }
  }
  return count;
}

function pick<T>(table: Record<string, T>, allowed: Set<string>): Record<string, T> {
  return Object.fromEntries(Object.entries(table).filter(([uri]) => allowed.has(uri)));
}
