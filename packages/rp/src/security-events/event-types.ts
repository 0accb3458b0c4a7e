// The event type URIs this SDK understands: CAEP 1.0 §3, RISC 1.0 §2, SSF 1.0 §8.1.4 / §8.1.5.

/** CAEP 1.0 §3.1: a session of the subject ended. */
export const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
/** CAEP 1.0 §3.5: a credential was created, changed, revoked or deleted. */
export const CREDENTIAL_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/credential-change';
/** RISC 1.0 §2.2: the account was disabled. */
export const ACCOUNT_DISABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';
/** RISC 1.0 §2.3: the account was enabled again. */
export const ACCOUNT_ENABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-enabled';
/** RISC 1.0 §2.1: the account was deleted for good. */
export const ACCOUNT_PURGED = 'https://schemas.openid.net/secevent/risc/event-type/account-purged';
/** SSF 1.0 §8.1.4.1: the transmitter checks that the stream works. */
export const SSF_VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
/** SSF 1.0 §8.1.5: the stream's status changed. */
export const SSF_STREAM_UPDATED = 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated';

/** The delivery method URIs (SSF 1.0 §6.1): push, RFC 8935; poll, RFC 8936. */
export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';
export const POLL_DELIVERY = 'urn:ietf:rfc:8936';
