// Whether what a token stands for is still alive: its user (enabled, in this realm), its grant
// (not revoked) and, for refresh tokens, its session. Every bearer check and the refresh grant
// ask here, so a disabled user or a revoked grant is refused everywhere at once.
// Whether a grant was revoked is RefreshTokenStore.grantRevoked (a grant is a refresh-token family).
import type { Realm, User } from '../realm/model.ts';
import { isSessionLive } from '../sessions/session-liveness.ts';
import type { RefreshTokenTable, SsoSessionTable } from '../store/schema.ts';
import type { UsesRealms } from '../realm/capabilities.ts';
import type { UsesClientSessions, UsesSsoSessionStore } from '../sessions/capabilities.ts';
import type { UsesNotBefore } from './capabilities.ts';

/** The user behind a token, if it still exists in this realm and is enabled. */
export async function activeUser(ctx: UsesRealms, realm: Realm, userId: string): Promise<User | undefined> {
  const user = await ctx.realms.userById(userId);
  return user && user.realmId === realm.id && user.enabled ? user : undefined;
}

export type RefreshTokenState =
  | { live: true; user: User; session: SsoSessionTable }
  | { live: false; reason: 'revoked' | 'expired' | 'session_ended' | 'user_disabled' };

/**
 * Whether a refresh token still stands: not revoked or expired, its session live (offline
 * tokens: their offline client session not ended; OIDC Core §11) and its user enabled. Whether
 * it was used is left to the caller: the refresh grant claims it atomically to detect reuse.
 */
export async function refreshTokenState(
  ctx: UsesRealms & UsesSsoSessionStore & UsesClientSessions & UsesNotBefore,
  realm: Realm,
  row: RefreshTokenTable,
  now: number,
): Promise<RefreshTokenState> {
  if (row.revoked_at !== null) return { live: false, reason: 'revoked' };
  if (row.expires_at <= now) return { live: false, reason: 'expired' };
  // Keycloak's not-before policy: a refresh token issued before it is stale.
  if (await ctx.notBefore.issuedBefore(realm.id, row.client_id, Math.floor(row.created_at / 1000)))
    return { live: false, reason: 'revoked' };
  const session = await ctx.sessionStore.byIdAnyRealm(row.sso_session_id);
  if (!session) return { live: false, reason: 'session_ended' };
  if (row.offline === 0 && !isSessionLive(session, realm, now)) return { live: false, reason: 'session_ended' };
  if (row.offline === 1) {
    if (!(await ctx.clientSessions.isOpen(row.client_session_id))) return { live: false, reason: 'session_ended' };
  }
  const user = await activeUser(ctx, realm, row.user_id);
  if (!user) return { live: false, reason: 'user_disabled' };
  return { live: true, user, session };
}
