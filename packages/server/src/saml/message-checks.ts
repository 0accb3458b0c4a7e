// Checks on an authenticated message that need the endpoint's context, one function per rule,
// for the endpoint pipeline to call in order (saml.md §3, §8.7–8.8).
import type { InboundKind } from './inbound-message.ts';
import { SamlError, type SamlEventError } from './saml-errors.ts';

const EVENT_ERROR: Record<InboundKind, SamlEventError> = {
  AuthnRequest: 'invalid_authn_request',
  LogoutRequest: 'invalid_logout_request',
  LogoutResponse: 'invalid_logout_response',
};

/**
 * Bindings §3.4.5.2 / §3.5.5.2: a signed message must name where it was sent in Destination,
 * and the recipient must check it; an unsigned one may omit it, but a wrong one is refused too.
 */
export function checkDestination(
  kind: InboundKind,
  destination: string | null,
  endpointUrl: string,
  signed: boolean,
): void {
  if (destination === null) {
    if (signed) throw new SamlError('invalid_message', EVENT_ERROR[kind], 'Destination is required on signed messages');
    return;
  }
  if (destination !== endpointUrl) {
    throw new SamlError('invalid_message', EVENT_ERROR[kind], 'Destination is not this endpoint', {
      detail: destination,
    });
  }
}

/** How far a sender's clock may be ahead, and how old a request may be, in milliseconds. */
export const CLOCK_SKEW_MS = 60_000;
export const MAX_REQUEST_AGE_MS = 10 * 60_000;

/**
 * Core §1.3.3 / Profiles §4.1.4.1: refuses requests issued too long ago or in the future, and
 * LogoutRequests past their NotOnOrAfter (Core §3.7.1). Returns the time until which the
 * request ID must be remembered to refuse a replay (saml.md §8.8).
 */
export function checkFreshness(
  kind: InboundKind,
  issueInstant: number,
  notOnOrAfter: number | null,
  now: number,
): number {
  if (issueInstant > now + CLOCK_SKEW_MS)
    throw new SamlError('invalid_message', EVENT_ERROR[kind], 'IssueInstant is in the future');
  if (issueInstant < now - MAX_REQUEST_AGE_MS)
    throw new SamlError('invalid_message', EVENT_ERROR[kind], 'the message is too old');
  if (notOnOrAfter !== null && now - CLOCK_SKEW_MS >= notOnOrAfter)
    throw new SamlError('invalid_message', EVENT_ERROR[kind], 'the request has expired (NotOnOrAfter)');
  const keepUntil = issueInstant + MAX_REQUEST_AGE_MS + CLOCK_SKEW_MS;
  return notOnOrAfter === null ? keepUntil : Math.min(keepUntil, notOnOrAfter + CLOCK_SKEW_MS);
}
