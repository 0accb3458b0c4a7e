// Inbound SAML protocol messages in two stages, so the endpoint can look the client up between
// them (saml.md §3, §8):
//   1. decode*: binding decoding, size caps, safe parsing; yields the message kind and its
//      *unverified* Issuer, good only for finding the client (never for a decision);
//   2. authenticateMessage: the client's signature rules (Redirect: query signature; POST/SOAP:
//      enveloped), yielding the element to read data from — the re-parsed signed bytes when
//      signed — and whether it was signed.
import type { SamlSignatureAlgorithm } from './saml-client-attributes.ts';
import type { X509Certificate } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { decodePostForm } from './post-binding.ts';
import { decodeRedirectQuery } from './redirect-binding.ts';
import { type RedirectSignature, verifyRedirectSignature } from './redirect-signature.ts';
import { parseSamlXml } from './safe-xml.ts';
import { NS } from './saml-constants.ts';
import { badSignature, malformed, SamlError } from './saml-errors.ts';
import { unwrapSoap } from './soap-envelope.ts';
import { hasEnvelopedSignature, verifyEnvelopedSignature } from './verify-enveloped.ts';
import { optionalChild, textOf } from './xml-read.ts';

export type InboundBinding = 'redirect' | 'post' | 'soap';
export type InboundKind = 'AuthnRequest' | 'LogoutRequest' | 'LogoutResponse';
const KINDS = new Set<string>(['AuthnRequest', 'LogoutRequest', 'LogoutResponse']);

export interface InboundMessage {
  binding: InboundBinding;
  kind: InboundKind;
  xml: string;
  doc: Document;
  /** The message element (the root, or the SOAP Body's child). Unverified. */
  element: Element;
  /** Unverified: only for looking up the client whose key then verifies the message. */
  unverifiedIssuer: string | null;
  relayState: string | null;
  redirectSignature: RedirectSignature | null;
}

export function decodeRedirectMessage(rawQuery: string): InboundMessage {
  const q = decodeRedirectQuery(rawQuery);
  const doc = parseSamlXml(q.xml);
  // Bindings §3.4.4.1: any XML signature must have been removed before DEFLATE.
  if (hasEnvelopedSignature(doc))
    throw badSignature('signature_structure', 'the Redirect binding carries no XML signature');
  return identify('redirect', q.xml, doc, doc.documentElement!, q.relayState, q.signature, q.param);
}

export function decodePostMessage(fields: {
  SAMLRequest?: string | undefined;
  SAMLResponse?: string | undefined;
  RelayState?: string | undefined;
}): InboundMessage {
  const form = decodePostForm(fields);
  const doc = parseSamlXml(form.xml);
  return identify('post', form.xml, doc, doc.documentElement!, form.relayState, null, form.param);
}

export function decodeSoapMessage(xml: string): InboundMessage {
  const soap = unwrapSoap(xml);
  return identify('soap', xml, soap.doc, soap.message, null, null, null);
}

function identify(
  binding: InboundBinding,
  xml: string,
  doc: Document,
  element: Element,
  relayState: string | null,
  redirectSignature: RedirectSignature | null,
  param: 'SAMLRequest' | 'SAMLResponse' | null,
): InboundMessage {
  if (element.namespaceURI !== NS.protocol || !KINDS.has(element.localName ?? '')) {
    throw new SamlError(
      'unexpected_message',
      'invalid_request',
      'not an AuthnRequest, LogoutRequest or LogoutResponse',
      {
        detail: `{${element.namespaceURI}}${element.localName}`,
      },
    );
  }
  const kind = element.localName as InboundKind;
  if (param !== null && (param === 'SAMLResponse') !== (kind === 'LogoutResponse')) {
    throw malformed('unexpected_message', `${kind} sent as ${param}`);
  }
  const issuer = optionalChild(element, NS.assertion, 'Issuer');
  return {
    binding,
    kind,
    xml,
    doc,
    element,
    unverifiedIssuer: issuer ? textOf(issuer) : null,
    relayState,
    redirectSignature,
  };
}

export interface SignatureRules {
  /** The SP entity ID the message's Issuer must equal. */
  entityId: string;
  /** `saml.client.signature`: unsigned messages are refused. */
  requireSignature: boolean;
  /** `saml.signing.certificate`: the only key that verifies (saml.md §8.2). */
  certificate: X509Certificate | null;
  /** `saml.signature.algorithm`: RSA-SHA1 signatures verify only when it is RSA_SHA1. */
  signatureAlgorithm: SamlSignatureAlgorithm;
}

export interface AuthenticatedMessage {
  binding: InboundBinding;
  kind: InboundKind;
  /** The element to read every value from: the signed bytes, re-parsed, when signed. */
  element: Element;
  signed: boolean;
  relayState: string | null;
}

/** Applies the client's signature rules. A present signature is always checked, required or not. */
export function authenticateMessage(msg: InboundMessage, rules: SignatureRules): AuthenticatedMessage {
  let element = msg.element;
  let signed = false;
  if (msg.binding === 'redirect') {
    if (msg.redirectSignature) {
      verifyRedirectSignature(msg.redirectSignature, certificateOf(rules), rules.signatureAlgorithm === 'RSA_SHA1');
      signed = true;
    }
  } else if (hasEnvelopedSignature(msg.doc)) {
    element = verifyEnvelopedSignature(
      msg.xml,
      msg.doc,
      msg.element,
      certificateOf(rules),
      rules.signatureAlgorithm === 'RSA_SHA1',
    );
    signed = true;
  }
  if (!signed && rules.requireSignature) throw badSignature('signature_missing', 'the client requires signed messages');
  const issuer = optionalChild(element, NS.assertion, 'Issuer');
  if (!issuer || textOf(issuer) !== rules.entityId) {
    throw new SamlError('invalid_message', 'invalid_issuer', 'Issuer is not the client', {
      detail: issuer ? textOf(issuer) : '(none)',
    });
  }
  return { binding: msg.binding, kind: msg.kind, element, signed, relayState: msg.relayState };
}

function certificateOf(rules: SignatureRules): X509Certificate {
  if (!rules.certificate) throw badSignature('signature_invalid', 'the client has no registered signing certificate');
  return rules.certificate;
}
