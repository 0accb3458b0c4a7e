// Mappers of the user's roles, all reading the roles resolved once per request (RoleResolveUtil):
// the user's direct, group and composite roles within the client's scope. A hardcoded role joins
// them first (HardcodedRole, priority 20), audience resolve reads them (30), and the realm and
// client role mappers write them last (AbstractUserRoleMappingMapper, 40).
import { mapAttributeValue, putClaim, splitClaimPath } from '../claim-path.ts';
import { type MapperKind, PRIORITY, type ResolvedRoles, type TokenDraft } from '../mapper-kind.ts';

/** KeycloakModelUtils.parseRole: "app.role" is a client role of app, "role" a realm role. */
export function parseRole(role: string): { clientId: string | null; name: string } {
  const dot = role.lastIndexOf('.');
  return dot > -1 ? { clientId: role.slice(0, dot), name: role.slice(dot + 1) } : { clientId: null, name: role };
}

/**
 * The role names of a set in order, sorted once per request: every role mapper of every token
 * of the request reads the same sets (a token carrying 1,000 roles sorted them per mapper and
 * per token, as long as its signature took — bench/access-model.ts). The sets are shared by the
 * tokens of one plan and grants (resolve-roles.ts) and never change once resolved; a changed size
 * would mean a stale order all the same.
 */
const sortedNames = new WeakMap<ReadonlySet<string>, { size: number; names: string[] }>();
function sorted(roles: ReadonlySet<string>): readonly string[] {
  const hit = sortedNames.get(roles);
  if (hit?.size === roles.size) return hit.names;
  const names = [...roles].sort();
  sortedNames.set(roles, { size: roles.size, names });
  return names;
}

/** AbstractUserRoleMappingMapper.mapClaim: `${client_id}` in the claim name, roles added to roles already there. */
function mapRoles(
  draft: TokenDraft,
  config: Readonly<Record<string, string>>,
  roles: ReadonlySet<string>,
  clientId: string | null,
  prefix: string | undefined,
): void {
  const names = prefix ? sorted(roles).map((r) => prefix + r) : sorted(roles);
  const value = mapAttributeValue(config, names);
  if (value === null) return;
  let claim = config['claim.name'];
  if (!claim) return;
  // Dots and backslashes of the clientId are escaped first, so it stays one component.
  if (clientId !== null)
    claim = claim.replaceAll('${client_id}', clientId.replace(/\\/g, '\\\\').replace(/\./g, '\\.'));
  putClaim(draft.claims, splitClaimPath(claim), value, Array.isArray(value));
}

export const realmRoleMapper: MapperKind = {
  type: 'oidc-usermodel-realm-role-mapper',
  priority: PRIORITY.roles,
  kinds: ['access', 'id', 'userinfo'],
  apply(ctx, draft, config) {
    if (ctx.roles.realm.size === 0) return;
    mapRoles(draft, config, ctx.roles.realm, null, config['usermodel.realmRoleMapping.rolePrefix']);
  },
};

export const clientRoleMapper: MapperKind = {
  type: 'oidc-usermodel-client-role-mapper',
  priority: PRIORITY.roles,
  kinds: ['access', 'id', 'userinfo'],
  apply(ctx, draft, config) {
    const prefix = config['usermodel.clientRoleMapping.rolePrefix'];
    const only = config['usermodel.clientRoleMapping.clientId'];
    for (const [clientId, roles] of ctx.roles.clients) {
      if (only && clientId !== only) continue;
      if (roles.size > 0) mapRoles(draft, config, roles, clientId, prefix);
    }
  },
};

export const hardcodedRoleMapper: MapperKind = {
  type: 'oidc-hardcoded-role-mapper',
  priority: PRIORITY.hardcodedRole,
  kinds: [],
  resolve(resolved: ResolvedRoles, config) {
    const role = config.role;
    if (!role) return;
    const { clientId, name } = parseRole(role);
    if (clientId === null) resolved.realm.add(name);
    else {
      const roles = resolved.clients.get(clientId) ?? new Set<string>();
      roles.add(name);
      resolved.clients.set(clientId, roles);
    }
  },
};

/** AudienceResolveProtocolMapper: every client the user has a role of, but the token's own client. */
export const audienceResolveMapper: MapperKind = {
  type: 'oidc-audience-resolve-mapper',
  priority: PRIORITY.audienceResolve,
  kinds: ['access'],
  includeByDefault: true,
  apply(ctx, draft) {
    for (const [clientId, roles] of ctx.roles.clients)
      if (clientId !== ctx.client.clientId && roles.size > 0) draft.audience.push(clientId);
  },
};
