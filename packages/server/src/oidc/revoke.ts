// Token revocation (RFC 7009). Revoking a refresh token revokes its whole family; revoking
// an offline token also ends its offline session. Unknown or invalid tokens answer 200
// (RFC 7009 §2.2).
import { UnauthorizedClient } from '../errors.ts';
import { authenticateClient } from '../http/client-auth.ts';
import { readForm } from '../http/params.ts';
import { NO_STORE } from '../http/respond.ts';
import type { Realm } from '../realm/model.ts';
import { verifyAccessToken } from '../tokens/verify-access-token.ts';
import type { UsesSigningKeys } from '../crypto/capabilities.ts';
import type { UsesEvents } from '../events/capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesRealms } from '../realm/capabilities.ts';
import type { UsesClientSessions, UsesSsoSessionStore } from '../sessions/capabilities.ts';
import type { UsesNotBefore, UsesRefreshTokens, UsesRevokedAccessTokens } from '../tokens/capabilities.ts';

/** What revocation uses: the access-token check and the event log. */
export type RevokeDeps = UsesClientSessions &
  UsesEvents &
  UsesSigningKeys &
  UsesNotBefore &
  UsesRealms &
  UsesRefreshTokens &
  UsesRevokedAccessTokens &
  UsesSsoSessionStore &
  UsesUrls;

export async function revokeEndpoint(
  ctx: RevokeDeps,
  realm: Realm,
  req: Request,
  ip: string | null,
): Promise<Response> {
  const params = await readForm(req);
  const { client } = await authenticateClient(ctx.realms, realm, req, params);
  const token = params.require('token');
  const now = Date.now();

  const refresh = await ctx.refreshTokens.find(realm.id, token);
  if (refresh) {
    if (refresh.client_id !== client.id) throw new UnauthorizedClient('Token was issued to another client');
    await ctx.refreshTokens.revokeFamily(refresh.family_id, now);
    if (refresh.offline === 1) await ctx.clientSessions.end(refresh.client_session_id, now);
    await ctx.events.record({
      realmId: realm.id,
      type: 'REVOKE_GRANT',
      clientId: client.clientId,
      userId: refresh.user_id,
      sessionId: refresh.sso_session_id,
      ipAddress: ip,
    });
  } else if (token.split('.').length === 3) {
    const claims = await verifyAccessToken(ctx, realm, token).catch(() => undefined);
    if (claims) {
      if (claims.azp !== client.clientId) throw new UnauthorizedClient('Token was issued to another client');
      await ctx.revokedAccessTokens.add(claims.jti, claims.exp * 1000);
    }
  }
  return new Response(null, { status: 200, headers: NO_STORE });
}
