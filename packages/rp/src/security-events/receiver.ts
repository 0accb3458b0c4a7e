// What a receiver does with a validated SET: session-revoked ends sessions in the same stores as
// back-channel logout (CAEP 1.0 §3.1); the other events go to the app's callbacks. Shared by the
// push endpoint (RFC 8935) and the poller (RFC 8936).
import { epochMillis } from '../clock.ts';
import { SecurityEventTokenError, TemporarilyUnavailableError } from '../errors.ts';
import { DEFAULT_MARKER_TTL_SECONDS, endSessions } from '../session-state.ts';
import type { LogoutStore } from '../stores/store.ts';
import {
  ACCOUNT_DISABLED,
  ACCOUNT_ENABLED,
  ACCOUNT_PURGED,
  CREDENTIAL_CHANGE,
  SESSION_REVOKED,
  SSF_STREAM_UPDATED,
  SSF_VERIFICATION,
} from './event-types.ts';
import { type RevokedTarget, revokedTarget } from './subject.ts';
import {
  createSecurityEventTokenValidator,
  replayKey,
  type SecurityEvent,
  type SetValidationOptions,
} from './validate-set.ts';

/** A session-revoked event, applied: what was ended. */
export interface SessionRevokedEvent {
  event: SecurityEvent;
  /** The session (`sid`) and/or user the subject names. */
  target: RevokedTarget;
  /** App session ids found in the index (express-session), for the app to delete. */
  appSessionIds: string[];
}

type Callback<T> = (event: T) => unknown;

export interface SecurityEventReceiverOptions extends Omit<SetValidationOptions, 'replayStore'> {
  /** The store shared with the back-channel logout endpoint, the session checks and the bearer guard. */
  store: LogoutStore;
  /** Marker lifetime, no shorter than your longest session (default 14 days). */
  markerTtlSeconds?: number;
  /** After a session-revoked is recorded: delete server-side sessions here (`appSessionIds`). */
  onSessionRevoked?: Callback<SessionRevokedEvent>;
  /** CAEP credential-change (`credential_type`, `change_type` in `payload`). */
  onCredentialChange?: Callback<SecurityEvent>;
  /** RISC account-disabled. */
  onAccountDisabled?: Callback<SecurityEvent>;
  /** RISC account-enabled. */
  onAccountEnabled?: Callback<SecurityEvent>;
  /** RISC account-purged. */
  onAccountPurged?: Callback<SecurityEvent>;
  /** SSF verification (`state` in `payload`): the stream works. */
  onVerification?: Callback<SecurityEvent>;
  /** SSF stream-updated (`status`, `reason` in `payload`). */
  onStreamUpdated?: Callback<SecurityEvent>;
  /** Any other event type; ignored when absent (RFC 8417 §2.2: unknown events are not errors). */
  onOtherEvent?: Callback<SecurityEvent>;
}

/** Validates one SET and applies it; resolves to the event. */
export type SecurityEventReceiver = (token: string) => Promise<SecurityEvent>;

/**
 * The core of a receiver: validation with its own key set, then the event's effect. Create it
 * once; the push handlers and the poller take it, or options to make one.
 *
 * @throws SecurityEventTokenError (refuse with its `err`) or TemporarilyUnavailableError (retry).
 */
export function createSecurityEventReceiver(options: SecurityEventReceiverOptions): SecurityEventReceiver {
  const validate = createSecurityEventTokenValidator({ ...options, replayStore: options.store });
  const callbacks: Record<string, Callback<SecurityEvent> | undefined> = {
    [CREDENTIAL_CHANGE]: options.onCredentialChange,
    [ACCOUNT_DISABLED]: options.onAccountDisabled,
    [ACCOUNT_ENABLED]: options.onAccountEnabled,
    [ACCOUNT_PURGED]: options.onAccountPurged,
    [SSF_VERIFICATION]: options.onVerification,
    [SSF_STREAM_UPDATED]: options.onStreamUpdated,
  };
  return async (token) => {
    const event = await validate(token);
    try {
      if (event.type === SESSION_REVOKED) await applySessionRevoked(event, options);
      else await (event.type in callbacks ? callbacks[event.type] : options.onOtherEvent)?.(event);
    } catch (err) {
      // Not applied: the transmitter's retry of this same SET (same jti) must be applied, not
      // refused as a replay. A refused SET (bad subject) stays remembered: it would fail again.
      if (!(err instanceof SecurityEventTokenError))
        await options.store.forgetJti?.(replayKey(event.iss), event.jti).catch(() => undefined);
      throw err instanceof SecurityEventTokenError
        ? err
        : new TemporarilyUnavailableError('The event could not be applied', { cause: err });
    }
    return event;
  };
}

/**
 * CAEP 1.0 §3.1: with a session (`sid`) that session ends; with only a user (`iss_sub`) every
 * session of that user so far — the same markers a back-channel logout token leaves (BCL §2.7).
 * An `email`-only user subject has no `sub` to mark: it reaches `onSessionRevoked` alone.
 */
async function applySessionRevoked(event: SecurityEvent, options: SecurityEventReceiverOptions): Promise<void> {
  const target = revokedTarget(event.subject);
  if (target.sid === undefined && target.sub === undefined && target.email === undefined)
    throw new SecurityEventTokenError(
      'ERR_SET_SUBJECT_INVALID',
      'invalid_request',
      'The session-revoked event names no session and no user',
      { claim: 'sub_id', actual: event.subject },
    );
  const at = epochMillis(options.clock);
  const ttl = options.markerTtlSeconds ?? DEFAULT_MARKER_TTL_SECONDS;
  // The session's issuer is the user's (iss_sub): the OpenID issuer its sid came from, also when
  // the transmitter has an issuer of its own; else the transmitter's (Keycloak, Sundown: the same).
  const iss = target.subIss ?? event.iss;
  let appSessionIds: string[] = [];
  if (target.sid !== undefined) appSessionIds = await endSessions(options.store, { iss, sid: target.sid, at }, ttl);
  else if (target.sub !== undefined)
    appSessionIds = await endSessions(options.store, { iss, sub: target.sub, at }, ttl);
  await options.onSessionRevoked?.({ event, target, appSessionIds });
}
