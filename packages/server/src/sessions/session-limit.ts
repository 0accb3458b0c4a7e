// Caps the live SSO sessions of one user (realm attribute `sundown.sessions.max.per.user`):
// after a sign-in, the oldest sessions beyond the cap are ended through the normal logout
// path, with the reason `session_limit`, so every client of theirs gets a logout token.
import type { Kysely } from 'kysely';
import type { LogoutService } from '../logout/logout-service.ts';
import { sessionsPerUser } from '../realm/attributes.ts';
import type { Realm } from '../realm/model.ts';
import type { Database } from '../store/schema.ts';

/** At most this many evictions per sign-in; each sign-in adds one session, so the cap holds. */
const EVICT_BATCH = 1000;

/** Ends the user's oldest live sessions so that, with `newSessionId`, at most the cap remain. */
export async function endSessionsBeyondLimit(db: Kysely<Database>, logout: LogoutService, realm: Realm, userId: string, newSessionId: string, now: number): Promise<string[]> {
  const max = sessionsPerUser(realm);
  if (max === null) return [];
  // Live as isSessionLive counts it: expired sessions the sweeper has not ended yet do not count.
  const beyond = await db
    .selectFrom('sso_session')
    .select('id')
    .where('realm_id', '=', realm.id)
    .where('user_id', '=', userId)
    .where('id', '!=', newSessionId)
    .where('ended_at', 'is', null)
    .where('last_seen_at', '>', now - realm.ssoSessionIdleTimeout * 1000)
    .where('started_at', '>', now - realm.ssoSessionMaxLifespan * 1000)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(EVICT_BATCH)
    .offset(max - 1)
    .execute();
  if (beyond.length === 0) return [];
  const result = await logout.endSessions(realm, beyond.map((r) => r.id), 'session_limit');
  return result.ended;
}
