// The roles a token may carry for a user (RoleResolveUtil over TokenManager.getAccess): the
// user's own role mappings and those of each of its groups and their parents
// (RoleUtils.getDeepUserRoleMappings), composites expanded transitively, limited to the client's
// scope unless it is fullScopeAllowed; by name, realm roles apart from each client's. Resolved
// once per claim plan (one configuration version) and set of grants, not per token: users given
// the same roles and groups share the result, and the grants are read fresh for every token, so a
// changed mapping is a different key and a changed role, group or client scope a new plan.
import type { Group } from '../../access/model.ts';
import type { RealmAccess } from '../../access/realm-access.ts';
import type { UserGrants } from '../../access/user-access-store.ts';
import type { ClaimPlan } from './claim-plan.ts';
import type { ResolvedRoles } from './mapper-kind.ts';

export function userGroups(access: RealmAccess, grants: UserGrants): Group[] {
  return grants.groupIds
    .map((id) => access.group(id))
    .filter((g): g is Group => g !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The role ids a user has: direct and through groups, composites expanded (RoleUtils.getDeepUserRoleMappings). */
export function effectiveRoleIds(access: RealmAccess, grants: UserGrants): Set<string> {
  const direct = [...grants.roleIds];
  for (const groupId of grants.groupIds) direct.push(...access.groupRoleIds(groupId));
  return access.expand(direct);
}

export function resolveRoles(access: RealmAccess, plan: ClaimPlan, grants: UserGrants): ResolvedRoles {
  const resolved: ResolvedRoles = { realm: new Set(), clients: new Map() };
  for (const id of effectiveRoleIds(access, grants)) {
    if (plan.allowedRoles && !plan.allowedRoles.has(id)) continue;
    const role = access.role(id);
    if (!role) continue;
    if (role.clientId === null) {
      resolved.realm.add(role.name);
      continue;
    }
    const clientId = access.clientIdOf(role.clientId);
    if (clientId === undefined) continue;
    const names = resolved.clients.get(clientId) ?? new Set<string>();
    names.add(role.name);
    resolved.clients.set(clientId, names);
  }
  return resolved;
}

/** Sets of grants kept per plan: a bound on memory (a plan lives as long as its model version). */
const MAX_GRANT_SETS = 1000;
const resolvedByPlan = new WeakMap<ClaimPlan, Map<string, ResolvedRoles>>();

/** The grants as a key: the same roles and groups in any order are the same key. */
function grantsKey(grants: UserGrants): string {
  return `${[...grants.roleIds].sort().join(',')}|${[...grants.groupIds].sort().join(',')}`;
}

/**
 * resolveRoles and the plan's mappers' resolve steps (hardcoded roles), shared by every token of
 * the plan with the same grants. The answer is shared: nobody may change it.
 */
export function resolvedRoles(access: RealmAccess, plan: ClaimPlan, grants: UserGrants): ResolvedRoles {
  let cache = resolvedByPlan.get(plan);
  if (!cache) resolvedByPlan.set(plan, (cache = new Map()));
  const key = grantsKey(grants);
  const hit = cache.get(key);
  if (hit) return hit;
  const roles = resolveRoles(access, plan, grants);
  for (const m of plan.mappers) m.kind.resolve?.(roles, m.config);
  if (cache.size >= MAX_GRANT_SETS) cache.clear();
  cache.set(key, roles);
  return roles;
}
