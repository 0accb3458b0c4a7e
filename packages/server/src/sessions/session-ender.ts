// Ending SSO sessions is the logout service's work (logout/logout-service.ts, floors above this
// one: it writes the outbox and tells every client). The units below it that must end a session —
// a sign-in as another user, the per-user session cap — declare only this, and the composition
// root hands them the logout service.
import type { Realm } from '../realm/model.ts';

/** Why a session ended; recorded with the LOGOUT event and the deliveries. */
export type EndReason =
  | 'logout'
  | 'user_switch'
  | 'expired'
  | 'admin_user'
  | 'admin_session'
  | 'admin_all'
  /** The user was disabled (admin API or realm import). */
  | 'user_disabled'
  /** The user's password was reset or changed by an import. */
  | 'password_reset'
  /** The user signed in once more than the realm's sessions-per-user cap allows: the oldest went. */
  | 'session_limit';

/** Who asked, for the LOGOUT event. */
export interface EndedBy {
  ipAddress?: string | null;
  clientId?: string | null;
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
