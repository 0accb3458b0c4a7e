// What ended a user's session, told to that user (their account page).
import type { LogoutTable } from '../../store/schema.ts';

export function triggerWords(logout: Pick<LogoutTable, 'trigger' | 'actor'>): string {
  const from = logout.actor ? ` (from ${logout.actor})` : '';
  switch (logout.trigger) {
    case 'rp_initiated':
    case 'saml_sp_initiated':
      return `You signed out${from}`;
    case 'account':
      return 'You signed out on this page';
    case 'user_switch':
      return 'Someone else signed in in that browser';
    case 'expired_idle':
      return 'The session expired after a time without activity';
    case 'expired_max':
      return 'The session reached its longest allowed time';
    case 'admin_user':
    case 'admin_session':
    case 'admin_all':
      return 'An administrator signed you out';
    case 'user_disabled':
      return 'Your account was disabled';
    case 'user_deleted':
      return 'Your account was deleted';
    case 'password_reset':
      return 'Your password was reset';
    case 'password_change':
      return 'Your password was changed';
    case 'session_limit':
      return 'You had too many sessions: the oldest was ended';
    case 'upstream_logout':
      return `You signed out at your identity provider${from}`;
    default:
      return 'The session ended';
  }
}
