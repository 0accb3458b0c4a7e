// Live SSO sessions as Keycloak's UserSessionRepresentation: who, from where, since when, and
// the clients (RPs) in each session — the ones a logout of that session will notify.
import type { ProviderContext } from '../context.ts';
import type { Realm } from '../realm/model.ts';

export interface UserSessionRepresentation {
  id: string;
  username: string;
  userId: string;
  ipAddress: string | undefined;
  start: number;
  lastAccess: number;
  /** client UUID → clientId, as Keycloak sends it. */
  clients: Record<string, string>;
}

export interface LiveSessionQuery {
  userId?: string;
  /** Only sessions this client (internal id) is signed in to. */
  clientId?: string;
  first: number;
  max: number;
}

/** Newest first; the liveness rule is the one `isSessionLive` applies, as SQL. */
export async function liveSessions(ctx: ProviderContext, realm: Realm, q: LiveSessionQuery): Promise<UserSessionRepresentation[]> {
  const now = Date.now();
  const sessions = await ctx.db
    .selectFrom('sso_session')
    .innerJoin('app_user', 'app_user.id', 'sso_session.user_id')
    .select(['sso_session.id', 'sso_session.user_id', 'app_user.username', 'sso_session.ip_address', 'sso_session.started_at', 'sso_session.last_seen_at'])
    .where('sso_session.realm_id', '=', realm.id)
    .$if(q.userId !== undefined, (b) => b.where('sso_session.user_id', '=', q.userId!))
    .$if(q.clientId !== undefined, (b) =>
      b.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('client_session as cs')
            .select('cs.id')
            .whereRef('cs.sso_session_id', '=', 'sso_session.id')
            .where('cs.client_id', '=', q.clientId!)
            .where('cs.offline', '=', 0)
            .where('cs.ended_at', 'is', null),
        ),
      ),
    )
    .where('sso_session.ended_at', 'is', null)
    .where('sso_session.last_seen_at', '>', now - realm.ssoSessionIdleTimeout * 1000)
    .where('sso_session.started_at', '>', now - realm.ssoSessionMaxLifespan * 1000)
    .orderBy('sso_session.started_at', 'desc')
    .orderBy('sso_session.id')
    .offset(q.first)
    .limit(q.max)
    .execute();
  if (sessions.length === 0) return [];
  const clients = await ctx.db
    .selectFrom('client_session')
    .innerJoin('client', 'client.id', 'client_session.client_id')
    .select(['client_session.sso_session_id', 'client.id', 'client.client_id'])
    .where('client_session.sso_session_id', 'in', sessions.map((s) => s.id))
    .where('client_session.offline', '=', 0)
    .where('client_session.ended_at', 'is', null)
    .orderBy('client.client_id')
    .execute();
  const bySession = new Map<string, Record<string, string>>();
  for (const c of clients) {
    const map = bySession.get(c.sso_session_id) ?? {};
    map[c.id] = c.client_id;
    bySession.set(c.sso_session_id, map);
  }
  return sessions.map((s) => ({
    id: s.id,
    username: s.username,
    userId: s.user_id,
    ipAddress: s.ip_address ?? undefined,
    start: s.started_at,
    lastAccess: s.last_seen_at,
    clients: bySession.get(s.id) ?? {},
  }));
}
