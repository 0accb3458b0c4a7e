// Live SSO sessions as Keycloak's UserSessionRepresentation: who, from where, since when, and
// the clients (RPs) in each session — the ones a logout of that session will notify.
import type { Realm } from '../realm/model.ts';
import type { UsesAdminStore } from './capabilities.ts';

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
export async function liveSessions(
  ctx: UsesAdminStore,
  realm: Realm,
  q: LiveSessionQuery,
): Promise<UserSessionRepresentation[]> {
  const sessions = await ctx.admin.liveSessions(realm, q, Date.now());
  if (sessions.length === 0) return [];
  const clients = await ctx.admin.clientsOfSessions(sessions.map((s) => s.id));
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
