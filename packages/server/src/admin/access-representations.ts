// Keycloak's JSON representations of roles, groups, client scopes and protocol mappers, as its
// admin API answers (ModelToRepresentation): RoleRepresentation, GroupRepresentation,
// ClientScopeRepresentation, ProtocolMapperRepresentation and a user's MappingsRepresentation.
import type { ClientScope, Group, ProtocolMapper, Role } from '../access/model.ts';
import type { RealmAccess } from '../access/realm-access.ts';

/** `brief` (Keycloak's briefRepresentation) leaves attributes out. */
export function roleRepresentation(role: Role, brief = false) {
  return {
    id: role.id,
    name: role.name,
    ...(role.description !== null ? { description: role.description } : {}),
    composite: role.composites.length > 0,
    clientRole: role.clientId !== null,
    containerId: role.clientId ?? role.realmId,
    ...(brief ? {} : { attributes: role.attributes }),
  };
}

export function groupRepresentation(access: RealmAccess, group: Group, full: boolean): Record<string, unknown> {
  const children = access.children(group.id);
  const rep: Record<string, unknown> = {
    id: group.id,
    name: group.name,
    path: group.path,
    ...(group.parentId !== null ? { parentId: group.parentId } : {}),
    subGroupCount: children.length,
    subGroups: children.map((c) => groupRepresentation(access, c, full)),
  };
  if (!full) return rep;
  const realmRoles: string[] = [];
  const clientRoles: Record<string, string[]> = {};
  for (const id of group.roleIds) {
    const role = access.role(id);
    if (!role) continue;
    if (role.clientId === null) realmRoles.push(role.name);
    else {
      const clientId = access.clientIdOf(role.clientId) ?? role.clientId;
      (clientRoles[clientId] ??= []).push(role.name);
    }
  }
  return { ...rep, attributes: group.attributes, realmRoles, clientRoles };
}

export function mapperRepresentation(m: ProtocolMapper) {
  return {
    id: m.id,
    name: m.name,
    protocol: m.protocol,
    protocolMapper: m.type,
    consentRequired: false,
    config: m.config,
  };
}

export function clientScopeRepresentation(scope: ClientScope) {
  return {
    id: scope.id,
    name: scope.name,
    ...(scope.description !== null ? { description: scope.description } : {}),
    protocol: scope.protocol,
    attributes: scope.attributes,
    protocolMappers: scope.mappers.map(mapperRepresentation),
  };
}

/** A scope in a list of a client's or the realm's default scopes: Keycloak sends id and name. */
export const scopeLink = (scope: ClientScope) => ({ id: scope.id, name: scope.name });

/** Keycloak's MappingsRepresentation of direct role mappings: realm roles, and client roles by clientId. */
export function mappingsRepresentation(access: RealmAccess, roleIds: readonly string[]) {
  const realmMappings = [];
  const clientMappings: Record<string, { id: string; client: string; mappings: unknown[] }> = {};
  for (const id of roleIds) {
    const role = access.role(id);
    if (!role) continue;
    if (role.clientId === null) realmMappings.push(roleRepresentation(role, true));
    else {
      const clientId = access.clientIdOf(role.clientId) ?? role.clientId;
      (clientMappings[clientId] ??= { id: role.clientId, client: clientId, mappings: [] }).mappings.push(
        roleRepresentation(role, true),
      );
    }
  }
  return {
    ...(realmMappings.length > 0 ? { realmMappings } : {}),
    ...(Object.keys(clientMappings).length > 0 ? { clientMappings } : {}),
  };
}
