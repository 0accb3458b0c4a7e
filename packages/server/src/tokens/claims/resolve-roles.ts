// The roles a token may carry for a user (RoleResolveUtil over TokenManager.getAccess): the
// user's own role mappings and those of each of its groups and their parents
// (RoleUtils.getDeepUserRoleMappings), composites expanded transitively, limited to the client's
// scope unless it is fullScopeAllowed; by name, realm roles apart from each client's.
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
