// LogoutResponse (Core §3.7.2, a StatusResponseType §3.2.2), read from an authenticated element.
import type { AuthenticatedMessage } from './inbound-message.ts';
import { type MessageHeader, messageElement, readHeader } from './read-common.ts';
import { NS, STATUS } from './saml-constants.ts';
import { attr, optionalChild, requiredAttr, requiredChild, textOf } from './xml-read.ts';

export interface LogoutResponse extends MessageHeader {
  inResponseTo: string | null;
  /** Top-level StatusCode@Value. */
  status: string;
  /** The nested (second-level) StatusCode@Value, if any. */
  subStatus: string | null;
  statusMessage: string | null;
  success: boolean;
}

export function readLogoutResponse(msg: AuthenticatedMessage): LogoutResponse {
  const el = messageElement(msg, 'LogoutResponse');
  const statusEl = requiredChild(el, NS.protocol, 'Status');
  const code = requiredChild(statusEl, NS.protocol, 'StatusCode');
  const sub = optionalChild(code, NS.protocol, 'StatusCode');
  const message = optionalChild(statusEl, NS.protocol, 'StatusMessage');
  const status = requiredAttr(code, 'Value');
  return {
    ...readHeader(el),
    inResponseTo: attr(el, 'InResponseTo'),
    status,
    subStatus: sub ? requiredAttr(sub, 'Value') : null,
    statusMessage: message ? textOf(message) : null,
    success: status === STATUS.success,
  };
}
