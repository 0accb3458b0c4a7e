// Caps the live SSO sessions of one user (realm attribute `sundown.sessions.max.per.user`):
// after a sign-in, the oldest sessions beyond the cap are ended through the normal logout
// path, with the reason `session_limit`, so every client of theirs gets a logout token.
import type { SessionEnder } from './session-ender.ts';
import { sessionsPerUser } from '../realm/attributes.ts';
import type { Realm } from '../realm/model.ts';
import type { SsoSessionStore } from './sso-session-store.ts';

/** At most this many evictions per sign-in; each sign-in adds one session, so the cap holds. */
const EVICT_BATCH = 1000;

/** Ends the user's oldest live sessions so that, with `newSessionId`, at most the cap remain. */
export async function endSessionsBeyondLimit(
  sessions: SsoSessionStore,
  logout: SessionEnder,
  realm: Realm,
  userId: string,
  newSessionId: string,
  now: number,
): Promise<string[]> {
  const max = sessionsPerUser(realm);
  if (max === null) return [];
  // Live as isSessionLive counts it: expired sessions the sweeper has not ended yet do not count.
  const beyond = await sessions.liveIdsOfUserBeyond(realm, userId, newSessionId, max - 1, EVICT_BATCH, now);
  if (beyond.length === 0) return [];
  const result = await logout.endSessions(realm, beyond, 'session_limit');
  return result.ended;
}
