// Admin calls carry a bearer token of the master realm whose user has the admin role
// (Keycloak's model). No token → 401; a token without the role → 403.
import { Forbidden, InvalidToken, NotFound } from '../errors.ts';
import { verifyAccessToken, type AccessTokenDeps } from '../tokens/verify-access-token.ts';
import { ADMIN_ROLE, MASTER_REALM } from './bootstrap.ts';

export interface AdminIdentity {
  userId: string;
  username: string | undefined;
}

/** Who started a logout an administrator asked for (the logout record's `actor`). */
export function adminActor(admin: AdminIdentity): { startedBy: 'admin'; actor: string } {
  return { startedBy: 'admin', actor: admin.username ?? admin.userId };
}

export async function requireAdmin(ctx: AccessTokenDeps, req: Request): Promise<AdminIdentity> {
  const header = req.headers.get('authorization');
  if (!header || !/^bearer /i.test(header)) throw new InvalidToken('Bearer token required');
  const master = await ctx.realms.realmByName(MASTER_REALM);
  if (!master)
    throw new NotFound('No master realm: start the server with SUNDOWN_ADMIN_USERNAME and SUNDOWN_ADMIN_PASSWORD');
  const claims = await verifyAccessToken(ctx, master, header.slice(7).trim());
  const roles = (claims.realm_access as { roles?: unknown } | undefined)?.roles;
  if (!Array.isArray(roles) || !roles.includes(ADMIN_ROLE)) throw new Forbidden('The admin role is required');
  return {
    userId: claims.sub,
    username: typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined,
  };
}
