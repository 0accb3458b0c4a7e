// Keycloak's realm-role scope mappings of a client and of a client scope (ScopeMappedResource
// …/scope-mappings/realm): the realm roles a client without fullScopeAllowed may put in tokens.
import type { UsesAccessStores } from '../access/capabilities.ts';
import type { RealmAccess } from '../access/realm-access.ts';
import type { Role } from '../access/model.ts';
import { jsonResponse } from '../http/respond.ts';
import type { ClientInRealm } from './admin-scope.ts';
import type { ScopeInRealm, WithAccess } from './access-scope.ts';
import { roleRepresentation } from './access-representations.ts';
import { jsonArrayBody } from './json-body.ts';
import { resolveRoles } from './role-endpoints.ts';

type Target = (ClientInRealm & WithAccess) | ScopeInRealm;

const ownerOf = (t: Target) => ('client' in t ? { clientId: t.client.id } : { clientScopeId: t.scope.id });
const mapped = (t: Target) => ('client' in t ? t.access.clientScopeRoleIds(t.client.id) : t.scope.scopeRoleIds);

function realmRoles(access: RealmAccess, ids: readonly string[]): Role[] {
  return ids
    .map((id) => access.role(id))
    .filter((r): r is Role => r !== undefined && r.clientId === null)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function findRealmScopeMappings(_ctx: unknown, t: Target): Promise<Response> {
  return jsonResponse(realmRoles(t.access, mapped(t)).map((r) => roleRepresentation(r, true)));
}

export async function addRealmScopeMappings(ctx: UsesAccessStores, t: Target, req: Request): Promise<Response> {
  await ctx.accessStores.scopeMappings.add(ownerOf(t), resolveRoles(t.access, await jsonArrayBody(req), null));
  return new Response(null, { status: 204 });
}

export async function removeRealmScopeMappings(ctx: UsesAccessStores, t: Target, req: Request): Promise<Response> {
  await ctx.accessStores.scopeMappings.remove(ownerOf(t), resolveRoles(t.access, await jsonArrayBody(req), null));
  return new Response(null, { status: 204 });
}
