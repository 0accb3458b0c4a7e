// The admin API's user reads and user logout (Keycloak paths and representations). The user
// writes are in admin-writes.ts.
import { jsonResponse } from '../http/respond.ts';
import { userFromRow } from '../realm/model.ts';
import { type AdminIdentity, adminActor } from './admin-auth.ts';
import type { InRealm, UserInRealm } from './admin-scope.ts';
import { liveSessions } from './live-sessions.ts';
import { paging } from './paging.ts';
import { userRepresentation } from './representations.ts';
import type { UsesAdminStore } from './capabilities.ts';
import type { UsesLogout } from '../logout/capabilities.ts';

/** Keycloak: GET /admin/realms/{realm}/users?search=&username=&first=&max= */
export async function findUsers(ctx: UsesAdminStore, { realm }: InRealm, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const search = url.searchParams.get('search')?.toLowerCase();
  const username = url.searchParams.get('username')?.toLowerCase();
  const rows = await ctx.admin.users(realm.id, username, search, paging(url));
  return jsonResponse(rows.map((r) => userRepresentation(userFromRow(r))));
}

/** Keycloak: GET /admin/realms/{realm}/users/{id} → UserRepresentation */
export async function findUser(_ctx: unknown, { user }: UserInRealm): Promise<Response> {
  return jsonResponse(userRepresentation(user));
}

/** Keycloak: GET /admin/realms/{realm}/users/{id}/sessions → UserSessionRepresentation[] */
export async function userSessions(ctx: UsesAdminStore, { realm, user }: UserInRealm, req: Request): Promise<Response> {
  return jsonResponse(await liveSessions(ctx, realm, { userId: user.id, ...paging(new URL(req.url)) }));
}

/** Keycloak: POST /admin/realms/{realm}/users/{id}/logout → 204; every client of the user's sessions is told. */
export async function logoutUser(
  ctx: UsesLogout,
  { realm, user }: UserInRealm,
  _req: Request,
  admin: AdminIdentity,
): Promise<Response> {
  await ctx.logout.logoutUser(realm, user.id, adminActor(admin));
  return new Response(null, { status: 204 });
}
