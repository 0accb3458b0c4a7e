// The receipt a receiver answers a valid logout token with (BCL §2.8: 200 OK, and the response may
// carry a body): a small JSON object saying the logout is recorded and, when the app knows, how many
// of its own sessions ended. A provider that reads it (Sundown) shows it per app; one that does not
// ignores the body, as BCL §2.8 lets it.
import type { LogoutEvent } from './session-state.ts';

/** The body of a 200 answer to a valid logout token. */
export interface LogoutReceipt {
  logged_out: true;
  /** How many of the app's sessions this logout ended; absent when the app cannot know (stateless sessions end on their next request). */
  sessions_ended?: number;
}

/**
 * The receipt of one logout: the count `onLogout` returned, else the number of indexed app
 * sessions found (express-session), else no count.
 */
export function logoutReceipt(event: LogoutEvent, counted: unknown): LogoutReceipt {
  if (typeof counted === 'number' && Number.isSafeInteger(counted) && counted >= 0)
    return { logged_out: true, sessions_ended: counted };
  if (event.appSessionIds.length > 0) return { logged_out: true, sessions_ended: event.appSessionIds.length };
  return { logged_out: true };
}
