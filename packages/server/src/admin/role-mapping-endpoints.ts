// Keycloak's role mappings of users and groups (RoleMapperResource, ClientRoleMappingsResource):
// the direct mappings (all, realm, or one client's), the roles still available to map (not held
// yet, directly or through groups and composites), the effective ("composite") roles, and
// adding or removing mappings with RoleRepresentation[] bodies.
import type { Role } from '../access/model.ts';
import type { RealmAccess } from '../access/realm-access.ts';
import type { UsesAccessStores, UsesUserAccess } from '../access/capabilities.ts';
import { NotFound } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import type { Client } from '../realm/model.ts';
import { effectiveRoleIds } from '../tokens/claims/resolve-roles.ts';
import { type InRealm, type Scope } from './admin-scope.ts';
import { groupInRealm, userAccess, type WithAccess } from './access-scope.ts';
import { mappingsRepresentation, roleRepresentation } from './access-representations.ts';
import { jsonArrayBody } from './json-body.ts';
import { resolveRoles } from './role-endpoints.ts';

/** A user's or a group's mappings, and the client of a client-role endpoint. */
export interface HolderInRealm extends InRealm, WithAccess {
  holder: { user: string } | { group: string };
  client: Client | null;
}

export const userHolder: Scope<HolderInRealm> = async (ctx, params) => {
  const { realm, access, user } = await userAccess(ctx, params);
  return { realm, access, holder: { user: user.id }, client: await clientParam(ctx, realm.id, params) };
};

export const groupHolder: Scope<HolderInRealm> = async (ctx, params) => {
  const { realm, access, group } = await groupInRealm(ctx, params);
  return { realm, access, holder: { group: group.id }, client: await clientParam(ctx, realm.id, params) };
};

async function clientParam(
  ctx: Parameters<Scope<unknown>>[0],
  realmId: string,
  params: Record<string, string>,
): Promise<Client | null> {
  if (params.client === undefined) return null;
  const client = await ctx.realms.clientById(params.client);
  if (client?.realmId !== realmId) throw new NotFound('Client not found');
  return client;
}

type Deps = UsesUserAccess & UsesAccessStores;

async function direct(ctx: Deps, t: HolderInRealm): Promise<string[]> {
  if ('user' in t.holder) return (await ctx.userAccess.grantsOf(t.holder.user)).roleIds;
  return [...(t.access.group(t.holder.group)?.roleIds ?? [])];
}

/** RoleMapperModel.hasRole: through groups (and their parents) and composites. */
async function effective(ctx: Deps, t: HolderInRealm): Promise<Set<string>> {
  if ('user' in t.holder) return effectiveRoleIds(t.access, await ctx.userAccess.grantsOf(t.holder.user));
  return t.access.expand(t.access.groupRoleIds(t.holder.group));
}

/** The roles of the endpoint's container: the realm's, or its client's. */
function container(access: RealmAccess, client: Client | null): Role[] {
  return client ? access.clientRoles(client.id) : access.realmRoles();
}

const brief = (roles: Role[]) =>
  jsonResponse(roles.sort((a, b) => a.name.localeCompare(b.name)).map((r) => roleRepresentation(r, true)));

/** GET …/role-mappings: every direct mapping. */
export async function findMappings(ctx: Deps, t: HolderInRealm): Promise<Response> {
  return jsonResponse(mappingsRepresentation(t.access, await direct(ctx, t)));
}

/** GET …/role-mappings/realm and …/role-mappings/clients/{client}: direct mappings. */
export async function findContainerMappings(ctx: Deps, t: HolderInRealm): Promise<Response> {
  const ids = new Set(await direct(ctx, t));
  return brief(container(t.access, t.client).filter((r) => ids.has(r.id)));
}

/** GET …/available: the container's roles not held yet, directly or otherwise. */
export async function findAvailableMappings(ctx: Deps, t: HolderInRealm): Promise<Response> {
  const held = await effective(ctx, t);
  return brief(container(t.access, t.client).filter((r) => !held.has(r.id)));
}

/** GET …/composite: the container's roles held effectively. */
export async function findEffectiveMappings(ctx: Deps, t: HolderInRealm): Promise<Response> {
  const held = await effective(ctx, t);
  return brief(container(t.access, t.client).filter((r) => held.has(r.id)));
}

/** POST …/realm or …/clients/{client} with RoleRepresentation[] → 204. */
export async function addMappings(ctx: Deps, t: HolderInRealm, req: Request): Promise<Response> {
  const ids = resolveRoles(t.access, await jsonArrayBody(req), t.client?.id ?? null);
  if ('user' in t.holder) await ctx.userAccess.grantRoles(t.holder.user, ids);
  else await ctx.accessStores.groups.addRoles(t.holder.group, ids);
  return new Response(null, { status: 204 });
}

/** DELETE …/realm or …/clients/{client} with RoleRepresentation[] → 204. */
export async function removeMappings(ctx: Deps, t: HolderInRealm, req: Request): Promise<Response> {
  const ids = resolveRoles(t.access, await jsonArrayBody(req), t.client?.id ?? null);
  if ('user' in t.holder) await ctx.userAccess.revokeRoles(t.holder.user, ids);
  else await ctx.accessStores.groups.removeRoles(t.holder.group, ids);
  return new Response(null, { status: 204 });
}
