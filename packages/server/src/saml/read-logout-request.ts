// LogoutRequest (Core §3.7.1), read from an authenticated element (inbound-message.ts).
import type { AuthenticatedMessage } from './inbound-message.ts';
import { type MessageHeader, messageElement, readHeader } from './read-common.ts';
import { NS, STATUS } from './saml-constants.ts';
import { SamlError } from './saml-errors.ts';
import { attr, childElements, instantAttr, optionalChild, textOf } from './xml-read.ts';

export interface LogoutRequest extends MessageHeader {
  nameId: string;
  nameIdFormat: string | null;
  /** Core §3.7.1: zero or more; each names one session at this IdP. */
  sessionIndexes: string[];
  notOnOrAfter: number | null;
  reason: string | null;
}

export function readLogoutRequest(msg: AuthenticatedMessage): LogoutRequest {
  const el = messageElement(msg, 'LogoutRequest');
  const nameId = optionalChild(el, NS.assertion, 'NameID');
  if (!nameId) {
    // BaseID and EncryptedID are valid identifiers, but Sundown issues only NameIDs.
    const other = optionalChild(el, NS.assertion, 'EncryptedID') ?? optionalChild(el, NS.assertion, 'BaseID');
    throw new SamlError(
      'invalid_message',
      'invalid_logout_request',
      other ? `${other.localName} is not supported` : 'NameID is required',
      {
        subStatus: other ? STATUS.requestUnsupported : undefined,
      },
    );
  }
  return {
    ...readHeader(el),
    nameId: textOf(nameId),
    nameIdFormat: attr(nameId, 'Format'),
    sessionIndexes: childElements(el, NS.protocol, 'SessionIndex').map(textOf),
    notOnOrAfter: instantAttr(el, 'NotOnOrAfter'),
    reason: attr(el, 'Reason'),
  };
}
