// Keycloak's user count (GET …/users/count, service accounts left out as in its user search) and
// a client's service-account user (GET …/clients/{id}/service-account-user).
import { InvalidRequest, NotFound } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import type { UsesRealms } from '../realm/capabilities.ts';
import type { ClientInRealm, InRealm } from './admin-scope.ts';
import type { UsesAdminStore } from './capabilities.ts';
import { userRepresentation } from './representations.ts';

/** GET …/users/count?search=&username=&email= → a number. */
export async function countUsers(ctx: UsesAdminStore, { realm }: InRealm, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const count = await ctx.admin.countUsers(realm.id, {
    search: url.searchParams.get('search')?.toLowerCase(),
    username: url.searchParams.get('username')?.toLowerCase(),
    email: url.searchParams.get('email')?.toLowerCase(),
  });
  return jsonResponse(count);
}

export async function serviceAccountUser(ctx: UsesRealms, { client }: ClientInRealm): Promise<Response> {
  if (!client.serviceAccountsEnabled) throw new InvalidRequest('Service account not enabled for the client');
  const user = await ctx.realms.serviceAccountOf(client.id);
  if (!user) throw new NotFound('Service account user not found');
  return jsonResponse(userRepresentation(user));
}
