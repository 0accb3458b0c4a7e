// Whether what a token stands for is still alive: its user (enabled, in this realm), its grant
// (not revoked) and, for refresh tokens, its session. Every bearer check and the refresh grant
// ask here, so a disabled user or a revoked grant is refused everywhere at once.
import type { Kysely } from 'kysely';
import type { ProviderContext } from '../context.ts';
import type { Realm, User } from '../realm/model.ts';
import { isSessionLive } from '../sessions/sso-session.ts';
import { issuedBeforeNotBefore } from './not-before.ts';
import type { Database, RefreshTokenTable, SsoSessionTable } from '../store/schema.ts';

/** The user behind a token, if it still exists in this realm and is enabled. */
export async function activeUser(ctx: ProviderContext, realm: Realm, userId: string): Promise<User | undefined> {
  const user = await ctx.realms.userById(userId);
  return user && user.realmId === realm.id && user.enabled ? user : undefined;
}

/**
 * A grant is the refresh-token family that an authorization code or a password grant started
 * (the access tokens minted in it carry its id). Revocation always covers a whole family, so one
 * revoked row means the grant is revoked: RFC 6749 §4.1.2 (code replay), RFC 7009 §2.1 (a
 * revoked refresh token invalidates the access tokens of the same grant), Security BCP §4.14.2
 * (refresh token reuse).
 */
export async function grantRevoked(db: Kysely<Database>, grantId: string): Promise<boolean> {
  const row = await db
    .selectFrom('refresh_token')
    .select('token_hash')
    .where('family_id', '=', grantId)
    .where('revoked_at', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export type RefreshTokenState =
  | { live: true; user: User; session: SsoSessionTable }
  | { live: false; reason: 'revoked' | 'expired' | 'session_ended' | 'user_disabled' };

/**
 * Whether a refresh token still stands: not revoked or expired, its session live (offline
 * tokens: their offline client session not ended; OIDC Core §11) and its user enabled. Whether
 * it was used is left to the caller: the refresh grant claims it atomically to detect reuse.
 */
export async function refreshTokenState(ctx: ProviderContext, realm: Realm, row: RefreshTokenTable, now: number): Promise<RefreshTokenState> {
  if (row.revoked_at !== null) return { live: false, reason: 'revoked' };
  if (row.expires_at <= now) return { live: false, reason: 'expired' };
  // Keycloak's not-before policy: a refresh token issued before it is stale.
  if (await issuedBeforeNotBefore(ctx.db, realm.id, row.client_id, Math.floor(row.created_at / 1000))) return { live: false, reason: 'revoked' };
  const session = await ctx.db.selectFrom('sso_session').selectAll().where('id', '=', row.sso_session_id).executeTakeFirst();
  if (!session) return { live: false, reason: 'session_ended' };
  if (row.offline === 0 && !isSessionLive(session, realm, now)) return { live: false, reason: 'session_ended' };
  if (row.offline === 1) {
    const cs = await ctx.db.selectFrom('client_session').select('ended_at').where('id', '=', row.client_session_id).executeTakeFirst();
    if (!cs || cs.ended_at !== null) return { live: false, reason: 'session_ended' };
  }
  const user = await activeUser(ctx, realm, row.user_id);
  if (!user) return { live: false, reason: 'user_disabled' };
  return { live: true, user, session };
}
