// The attributes and Issuer every SAML request and response carries (Core §3.2.1
// RequestAbstractType, §3.2.2 StatusResponseType), read from an authenticated element.
import type { Element } from '@xmldom/xmldom';
import type { AuthenticatedMessage } from './inbound-message.ts';
import { NS, STATUS } from './saml-constants.ts';
import { SamlError } from './saml-errors.ts';
import { attr, instantAttr, requiredAttr, requiredChild, textOf } from './xml-read.ts';

export interface MessageHeader {
  id: string;
  issueInstant: number;
  destination: string | null;
  issuer: string;
}

export function readHeader(el: Element): MessageHeader {
  // Core §3.2.1: Version "2.0"; a major version other than 2 is VersionMismatch.
  const version = requiredAttr(el, 'Version');
  if (version !== '2.0') {
    throw new SamlError('invalid_message', 'invalid_request', `Version ${version} is not supported`, {
      status: STATUS.versionMismatch,
      subStatus: version.startsWith('2.') ? STATUS.requestUnsupported : undefined,
    });
  }
  const id = requiredAttr(el, 'ID');
  // xs:ID is an NCName: this also keeps quotes out of anything an ID is put into.
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/.test(id))
    throw new SamlError('invalid_message', 'invalid_request', 'ID is not an xs:ID');
  return {
    id,
    issueInstant: instantAttr(el, 'IssueInstant') ?? missing(el, 'IssueInstant'),
    destination: attr(el, 'Destination'),
    issuer: textOf(requiredChild(el, NS.assertion, 'Issuer')),
  };
}

function missing(el: Element, name: string): never {
  throw new SamlError('invalid_message', 'invalid_request', `${el.localName}@${name} is required`);
}

/** The authenticated element, checked to be the expected message type. */
export function messageElement(msg: AuthenticatedMessage, kind: AuthenticatedMessage['kind']): Element {
  if (msg.kind !== kind || msg.element.localName !== kind || msg.element.namespaceURI !== NS.protocol) {
    throw new SamlError('unexpected_message', 'invalid_request', `expected ${kind}`);
  }
  return msg.element;
}
