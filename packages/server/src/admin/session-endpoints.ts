// The admin API's sessions and realm-wide logout (Keycloak paths), plus Sundown's list of every
// live session. Every logout goes through the single sign-out service, so tokens go out.
import { jsonResponse } from '../http/respond.ts';
import {
  logoutAllWithNotBefore,
  type NotBeforeActionDeps,
  pushRevocation as pushNotBefore,
} from '../logout/not-before-actions.ts';
import { type AdminIdentity, adminActor } from './admin-auth.ts';
import type { InRealm, SessionInRealm } from './admin-scope.ts';
import { liveSessions } from './live-sessions.ts';
import { paging } from './paging.ts';
import type { UsesAdminStore } from './capabilities.ts';
import type { UsesLogout } from '../logout/capabilities.ts';

/**
 * Sundown: GET /admin/realms/{realm}/sundown/sessions?user=&first=&max= → every live SSO
 * session of the realm with its RPs (Keycloak lists sessions only per user or per client).
 */
export async function realmSessions(ctx: UsesAdminStore, { realm }: InRealm, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const user = url.searchParams.get('user');
  return jsonResponse(await liveSessions(ctx, realm, { ...(user ? { userId: user } : {}), ...paging(url) }));
}

/** Keycloak: DELETE /admin/realms/{realm}/sessions/{session} → 204 */
export async function deleteSession(
  ctx: UsesLogout,
  { realm, session }: SessionInRealm,
  _req: Request,
  admin: AdminIdentity,
): Promise<Response> {
  await ctx.logout.endSessions(realm, [session.id], 'admin_session', adminActor(admin));
  return new Response(null, { status: 204 });
}

/**
 * Keycloak: POST /admin/realms/{realm}/logout-all → GlobalRequestResult (the admin URLs told);
 * the realm's not-before time becomes now (logout/not-before-actions.ts).
 */
export async function logoutAll(
  ctx: NotBeforeActionDeps,
  { realm }: InRealm,
  _req: Request,
  admin: AdminIdentity,
): Promise<Response> {
  return jsonResponse(await logoutAllWithNotBefore(ctx, realm, adminActor(admin)));
}

/** Keycloak: POST /admin/realms/{realm}/push-revocation → GlobalRequestResult (PUSH_NOT_BEFORE). */
export async function pushRevocation(ctx: NotBeforeActionDeps, { realm }: InRealm): Promise<Response> {
  return jsonResponse(await pushNotBefore(ctx, realm));
}
