// CAEP 1.0 §3.1 session-revoked, as Keycloak 26.7's transmitter words it: `event_timestamp`,
// `initiating_entity` (CAEP §2: `user` for the user's own sign-out, `admin` for an
// administrator's, `system` for expiry and the session cap) and `reason_admin`, a
// language-tagged object (CAEP §2: `{"en": "…"}`).
import type { EndReason, LogoutStarter } from '../../../sessions/session-ender.ts';

export type InitiatingEntity = 'user' | 'admin' | 'system' | 'policy';

export function initiatingEntity(startedBy: LogoutStarter): InitiatingEntity {
  switch (startedBy) {
    case 'user':
    case 'client':
    case 'upstream': // the upstream identity provider's logout token: the user signed out there
      return 'user';
    case 'system':
      return 'system';
    default:
      return 'admin';
  }
}

const REASONS: Record<EndReason, string> = {
  rp_initiated: 'The user signed out',
  saml_sp_initiated: 'The user signed out',
  account: 'The user signed out',
  user_switch: 'Another user signed in in the same browser',
  expired_idle: 'The session was idle for too long',
  expired_max: 'The session reached its maximum lifetime',
  admin_user: 'An administrator signed the user out',
  admin_session: 'An administrator ended the session',
  admin_all: 'An administrator signed out every session of the realm',
  user_disabled: 'The user was disabled',
  user_deleted: 'The user was deleted',
  password_reset: "An administrator reset the user's password",
  password_change: "The user's password was changed",
  session_limit: 'The user exceeded the number of sessions allowed',
  upstream_logout: 'The user signed out at the upstream identity provider',
};

export function sessionRevokedEvent(
  reason: EndReason,
  startedBy: LogoutStarter,
  nowMs: number,
): Record<string, unknown> {
  return {
    event_timestamp: Math.floor(nowMs / 1000),
    initiating_entity: initiatingEntity(startedBy),
    reason_admin: { en: REASONS[reason] ?? reason },
  };
}
