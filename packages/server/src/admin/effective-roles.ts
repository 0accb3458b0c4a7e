// The console's view of a user's roles (Sundown's, beside Keycloak's role-mappings/…/composite):
// every role the user holds effectively — mapped directly, through a group or one of its parents,
// or contained in a composite held either way (RoleUtils.getDeepUserRoleMappings) — each with
// every way it is held, so an administrator sees why a token carries a role.
//   GET /admin/realms/{realm}/sundown/users/{id}/effective-roles
import type { Role } from '../access/model.ts';
import type { RealmAccess } from '../access/realm-access.ts';
import type { UsesUserAccess } from '../access/capabilities.ts';
import type { UserGrants } from '../access/user-access-store.ts';
import { jsonResponse } from '../http/respond.ts';
import type { UserInRealm } from './admin-scope.ts';
import type { WithAccess } from './access-scope.ts';

/** A role by name and, for a client role, its clientId. */
export interface RoleName {
  name: string;
  client: string | null;
}

/**
 * One way a role is held: `group` names the group whose mapping gives it (the user's group or
 * one of its parents) and `composite` the held composite that contains it; both null: mapped to
 * the user directly.
 */
export interface RoleSource {
  group: string | null;
  composite: RoleName | null;
}

export interface EffectiveRole extends RoleName {
  id: string;
  description: string | null;
  composite: boolean;
  /** Mapped to the user itself (not only through a group or a composite). */
  direct: boolean;
  sources: RoleSource[];
}

function nameOf(access: RealmAccess, role: Role): RoleName {
  return {
    name: role.name,
    client: role.clientId === null ? null : (access.clientIdOf(role.clientId) ?? role.clientId),
  };
}

/** Direct first, then through a group (by path), then inside a composite (by name). */
function bySource(a: RoleSource, b: RoleSource): number {
  return (
    Number(a.composite !== null) - Number(b.composite !== null) ||
    Number(a.group !== null) - Number(b.group !== null) ||
    (a.group ?? '').localeCompare(b.group ?? '') ||
    (a.composite?.client ?? '').localeCompare(b.composite?.client ?? '') ||
    (a.composite?.name ?? '').localeCompare(b.composite?.name ?? '')
  );
}

/** The user's effective roles with their sources: realm roles first, then client roles, by name. */
export function effectiveRoles(access: RealmAccess, grants: UserGrants): EffectiveRole[] {
  // The roles mapped to the user or to a group, each with the group that maps it.
  const held: Array<{ roleId: string; group: string | null }> = grants.roleIds.map((roleId) => ({
    roleId,
    group: null,
  }));
  for (const groupId of grants.groupIds) {
    const seen = new Set<string>();
    for (let g = access.group(groupId); g && !seen.has(g.id); g = access.group(g.parentId ?? '')) {
      seen.add(g.id);
      for (const roleId of g.roleIds) held.push({ roleId, group: g.path });
    }
  }
  const out = new Map<string, EffectiveRole>();
  const keys = new Map<string, Set<string>>();
  const add = (role: Role, source: RoleSource) => {
    let entry = out.get(role.id);
    if (!entry) {
      entry = {
        id: role.id,
        ...nameOf(access, role),
        description: role.description,
        composite: role.composites.length > 0,
        direct: false,
        sources: [],
      };
      out.set(role.id, entry);
      keys.set(role.id, new Set());
    }
    const key = JSON.stringify(source);
    if (keys.get(role.id)!.has(key)) return;
    keys.get(role.id)!.add(key);
    entry.sources.push(source);
    if (source.group === null && source.composite === null) entry.direct = true;
  };
  for (const { roleId, group } of held) {
    const top = access.role(roleId);
    if (!top) continue;
    add(top, { group, composite: null });
    for (const id of access.expandRole(roleId)) {
      const inner = access.role(id);
      if (inner && id !== roleId) add(inner, { group, composite: nameOf(access, top) });
    }
  }
  for (const role of out.values()) role.sources.sort(bySource);
  return [...out.values()].sort(
    (a, b) =>
      Number(a.client !== null) - Number(b.client !== null) ||
      (a.client ?? '').localeCompare(b.client ?? '') ||
      a.name.localeCompare(b.name),
  );
}

/** GET …/sundown/users/{id}/effective-roles */
export async function findEffectiveRoles(
  ctx: UsesUserAccess,
  { access, user }: UserInRealm & WithAccess,
): Promise<Response> {
  return jsonResponse(effectiveRoles(access, await ctx.userAccess.grantsOf(user.id)));
}
