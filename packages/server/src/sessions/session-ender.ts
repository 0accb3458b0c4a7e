// Ending SSO sessions is the logout service's work (logout/logout-service.ts, floors above this
// one: it writes the logout record and the outbox and tells every client). The units below it that
// must end a session — a sign-in as another user, the per-user session cap — declare only this,
// and the composition root hands them the logout service.
import type { Realm } from '../realm/model.ts';

/**
 * What ended the sessions of one logout: recorded on the logout, each session (`end_reason`) and
 * the LOGOUT event. Every way a session ends is one of these.
 */
export const LOGOUT_TRIGGERS = [
  /** The OIDC end-session endpoint (RP-Initiated Logout 1.0). */
  'rp_initiated',
  /** A SAML SP's LogoutRequest (Profiles §4.4). */
  'saml_sp_initiated',
  /** The user, on their account page: this session, or every other one. */
  'account',
  /** Someone else signed in in this browser: the browser's previous session ended. */
  'user_switch',
  /** Past the realm's SSO session idle timeout. */
  'expired_idle',
  /** Past the realm's SSO session max lifespan. */
  'expired_max',
  /** An administrator: all of one user's sessions. */
  'admin_user',
  /** An administrator: one session. */
  'admin_session',
  /** An administrator: every session of the realm (logout-all). */
  'admin_all',
  /** The user was disabled (admin API or realm import). */
  'user_disabled',
  /** The user was deleted. */
  'user_deleted',
  /** An administrator reset the user's password. */
  'password_reset',
  /** A realm import, or the user through a reset link, changed the user's password. */
  'password_change',
  /** The user signed in once more than the realm's sessions-per-user cap allows: the oldest went. */
  'session_limit',
] as const;
export type LogoutTrigger = (typeof LOGOUT_TRIGGERS)[number];

/** Why a session ended (the trigger of its logout). */
export type EndReason = LogoutTrigger;

/** Who started a logout. */
export const LOGOUT_STARTERS = ['user', 'client', 'admin', 'system', 'cli', 'import'] as const;
export type LogoutStarter = (typeof LOGOUT_STARTERS)[number];

/** Who asked, for the logout record and the LOGOUT event. */
export interface EndedBy {
  ipAddress?: string | null;
  clientId?: string | null;
  /** Default: what the trigger implies (an administrator for admin_*, the system for expiry, …). */
  startedBy?: LogoutStarter;
  /** The administrator's username, the requesting client's client_id, …. */
  actor?: string | null;
}

/** Who starts a logout of this trigger unless the caller says otherwise. */
export function defaultStarter(trigger: LogoutTrigger): LogoutStarter {
  switch (trigger) {
    case 'rp_initiated':
    case 'saml_sp_initiated':
    case 'account':
    case 'user_switch':
      return 'user';
    case 'expired_idle':
    case 'expired_max':
    case 'session_limit':
      return 'system';
    default:
      return 'admin';
  }
}

export interface SessionEnder {
  /** Ends these sessions and tells their clients; already-ended ones are skipped. */
  endSessions(
    realm: Realm,
    sessionIds: readonly string[],
    reason: EndReason,
    by?: EndedBy,
  ): Promise<{ ended: string[] }>;
}

export interface UsesSessionEnder {
  readonly logout: SessionEnder;
}
