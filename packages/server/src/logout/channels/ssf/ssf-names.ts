// The names of the Shared Signals transmitter: event types (SSF 1.0 §8.1.4–8.1.5, CAEP 1.0 §3,
// RISC 1.0 §2), delivery method URNs (SSF §6: RFC 8935 push, RFC 8936 poll), the scopes a
// receiver's token carries and the attributes that switch it on — Keycloak 26.7's, so tooling
// written for Keycloak's transmitter works here.

export const SSF_EVENT = {
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
  streamUpdated: 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated',
  sessionRevoked: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  credentialChange: 'https://schemas.openid.net/secevent/caep/event-type/credential-change',
  accountDisabled: 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
  accountEnabled: 'https://schemas.openid.net/secevent/risc/event-type/account-enabled',
  accountPurged: 'https://schemas.openid.net/secevent/risc/event-type/account-purged',
} as const;

/** The events a receiver may ask for (verification and stream-updated are always sent, SSF §8.1.4–5). */
export const EVENTS_SUPPORTED: readonly string[] = [
  SSF_EVENT.sessionRevoked,
  SSF_EVENT.credentialChange,
  SSF_EVENT.accountDisabled,
  SSF_EVENT.accountEnabled,
  SSF_EVENT.accountPurged,
];

export const DELIVERY_METHOD = {
  push: 'urn:ietf:rfc:8935',
  poll: 'urn:ietf:rfc:8936',
} as const;

export const SSF_SCOPE = { read: 'ssf.read', manage: 'ssf.manage' } as const;

/** SSF §4.1.1: explicit typing of SETs. */
export const SET_TYP = 'secevent+jwt';
/** RFC 8935 §2: the media type of a pushed SET. */
export const SET_MEDIA_TYPE = 'application/secevent+jwt';

export const SSF_REALM_ATTRIBUTE = {
  /** Keycloak: "true" turns the realm into a transmitter. */
  transmitterEnabled: 'ssf.transmitterEnabled',
} as const;

export const SSF_CLIENT_ATTRIBUTE = {
  /** Keycloak: "true" makes the client a receiver (it also needs a service account). */
  enabled: 'ssf.enabled',
  /** Keycloak: ALL (default: every user is a subject) or NONE (only subjects added). */
  defaultSubjects: 'ssf.defaultSubjects',
  /** Keycloak: how a SET names the user: iss_sub (default) or email. */
  userSubjectFormat: 'ssf.userSubjectFormat',
  /** Keycloak: `##`-separated push URLs the receiver may register; a trailing `*` matches a prefix. */
  validPushUrls: 'ssf.validPushUrls',
  /** Keycloak: the `aud` of the client's SETs; default its client_id. */
  streamAudience: 'ssf.streamAudience',
} as const;

/** Keycloak: the per-user attribute `ssf.notify.<clientId>` ("true" | "false") over the default. */
export const notifyAttribute = (clientId: string): string => `ssf.notify.${clientId}`;
