// AuthnRequest (Core §3.4.1), read from an authenticated element (inbound-message.ts).
import type { AuthenticatedMessage } from './inbound-message.ts';
import { type MessageHeader, messageElement, readHeader } from './read-common.ts';
import { NS } from './saml-constants.ts';
import { attr, booleanAttr, optionalChild, textOf } from './xml-read.ts';

export interface AuthnRequest extends MessageHeader {
  /** Where the SP wants the Response; checked against the client's redirectUris by the caller. */
  assertionConsumerServiceUrl: string | null;
  protocolBinding: string | null;
  /** NameIDPolicy@Format (Core §3.4.1.1), honoured unless the client forces its own. */
  nameIdPolicyFormat: string | null;
  forceAuthn: boolean;
  isPassive: boolean;
  /** Subject/NameID: the login hint (saml.md §3). */
  subjectNameId: string | null;
}

export function readAuthnRequest(msg: AuthenticatedMessage): AuthnRequest {
  const el = messageElement(msg, 'AuthnRequest');
  const policy = optionalChild(el, NS.protocol, 'NameIDPolicy');
  const subject = optionalChild(el, NS.assertion, 'Subject');
  const nameId = subject ? optionalChild(subject, NS.assertion, 'NameID') : null;
  return {
    ...readHeader(el),
    assertionConsumerServiceUrl: attr(el, 'AssertionConsumerServiceURL'),
    protocolBinding: attr(el, 'ProtocolBinding'),
    nameIdPolicyFormat: policy ? attr(policy, 'Format') : null,
    forceAuthn: booleanAttr(el, 'ForceAuthn'),
    isPassive: booleanAttr(el, 'IsPassive'),
    subjectNameId: nameId ? textOf(nameId) : null,
  };
}
