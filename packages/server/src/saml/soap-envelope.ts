// SAML SOAP binding (Bindings §3.2) over SOAP 1.1: the protocol message is the only child of
// `soap11:Body`. Used for back-channel LogoutRequest / LogoutResponse (Keycloak's
// `saml_single_logout_service_url_soap`, saml.md §4). Headers carrying mustUnderstand are refused
// (SOAP 1.1 §4.2.3): Sundown understands none.
import type { Document, Element } from '@xmldom/xmldom';
import { MAX_MESSAGE_BYTES, parseSamlXml } from './safe-xml.ts';
import { NS } from './saml-constants.ts';
import { SamlError } from './saml-errors.ts';
import { childElements } from './xml-read.ts';
import { xmlText } from './xml-text.ts';

export interface SoapMessage {
  doc: Document;
  /** The SAML message element inside Body. */
  message: Element;
}

export function unwrapSoap(xml: string, maxBytes = MAX_MESSAGE_BYTES): SoapMessage {
  const doc = parseSamlXml(xml, maxBytes);
  const envelope = doc.documentElement!;
  if (envelope.namespaceURI !== NS.soap11 || envelope.localName !== 'Envelope')
    throw soapError('not a SOAP 1.1 Envelope');
  for (const header of childElements(envelope, NS.soap11, 'Header')) {
    for (let n = header.firstChild; n; n = n.nextSibling) {
      const el = n as Element;
      if (n.nodeType === 1 && ['1', 'true'].includes(el.getAttributeNS(NS.soap11, 'mustUnderstand') ?? ''))
        throw soapError('a mustUnderstand header is not understood');
    }
  }
  const bodies = childElements(envelope, NS.soap11, 'Body');
  if (bodies.length !== 1) throw soapError('exactly one Body is required');
  const children: Element[] = [];
  for (let n = bodies[0]!.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) children.push(n as Element);
    else if (n.nodeType !== 3 || (n.nodeValue ?? '').trim() !== '') throw soapError('Body must hold one element');
  }
  if (children.length !== 1) throw soapError('Body must hold exactly one SAML message');
  return { doc, message: children[0]! };
}

/** Wraps a SAML message (without XML declaration) in a SOAP 1.1 envelope. */
export function wrapSoap(messageXml: string): string {
  const inner = messageXml.replace(/^<\?xml[^>]*\?>\s*/, '');
  return `<?xml version="1.0" encoding="UTF-8"?><soap11:Envelope xmlns:soap11="${NS.soap11}"><soap11:Body>${inner}</soap11:Body></soap11:Envelope>`;
}

/** A SOAP 1.1 fault (§4.4) for an envelope that could not be processed (Bindings §3.2.3.1). */
export function soapFault(faultString: string): string {
  const text = xmlText(faultString);
  return `<?xml version="1.0" encoding="UTF-8"?><soap11:Envelope xmlns:soap11="${NS.soap11}"><soap11:Body><soap11:Fault><faultcode>soap11:Client</faultcode><faultstring>${text}</faultstring></soap11:Fault></soap11:Body></soap11:Envelope>`;
}

function soapError(description: string): SamlError {
  return new SamlError('soap_envelope', 'invalid_request', description);
}
