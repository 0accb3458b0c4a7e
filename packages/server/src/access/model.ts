// Keycloak's authorization model as Sundown keeps it: roles (a realm's or a client's, composite
// or not), groups in a tree, client scopes with their protocol mappers, and protocol mappers of
// clients. Shapes and names follow Keycloak's representations (RoleRepresentation,
// GroupRepresentation, ClientScopeRepresentation, ProtocolMapperRepresentation).
import type { ClientProtocol } from '../store/schema.ts';

/** Keycloak's multi-valued attributes of users, groups and roles. */
export type MultiAttributes = Readonly<Record<string, readonly string[]>>;

export interface Role {
  id: string;
  realmId: string;
  /** The client's internal id for a client role; null for a realm role. */
  clientId: string | null;
  name: string;
  description: string | null;
  attributes: MultiAttributes;
  /** Direct children (role ids) of a composite role; empty otherwise. */
  composites: readonly string[];
}

export interface Group {
  id: string;
  realmId: string;
  parentId: string | null;
  name: string;
  /** Keycloak's group path, "/parent/child". */
  path: string;
  attributes: MultiAttributes;
  /** Roles mapped to this group itself (not its parents'). */
  roleIds: readonly string[];
}

export interface ProtocolMapper {
  id: string;
  name: string;
  protocol: ClientProtocol;
  /** Keycloak's `protocolMapper`, e.g. `oidc-usermodel-attribute-mapper`. */
  type: string;
  config: Readonly<Record<string, string>>;
}

export interface ClientScope {
  id: string;
  realmId: string;
  name: string;
  description: string | null;
  protocol: ClientProtocol;
  attributes: Readonly<Record<string, string>>;
  mappers: readonly ProtocolMapper[];
  /** Roles this scope lets a client's tokens carry (its scope mappings). */
  scopeRoleIds: readonly string[];
}

/** A client's scope links: the default ones are always applied, the optional ones when requested. */
export interface ClientScopeLinks {
  defaultScopes: readonly ClientScope[];
  optionalScopes: readonly ClientScope[];
}

/** Keycloak's client scope attribute: whether the scope's name is listed in the `scope` claim. */
export const INCLUDE_IN_TOKEN_SCOPE = 'include.in.token.scope';

/** ClientScopeAdapter.isIncludeInTokenScope: listed unless the attribute says "false". */
export function includeInTokenScope(scope: ClientScope): boolean {
  const value = scope.attributes[INCLUDE_IN_TOKEN_SCOPE];
  return value === undefined || value === '' || value.toLowerCase() !== 'false';
}

/** Keycloak's default role of a realm: `default-roles-{realm}` (RealmManager.createDefaultRole). */
export function defaultRoleName(realmName: string): string {
  return `default-roles-${realmName}`.toLowerCase();
}

/** Keycloak's service-account username: `service-account-{clientId}`, lower-case as every username. */
export function serviceAccountUsername(clientId: string): string {
  return `service-account-${clientId}`.toLowerCase();
}

/** Parses a stored JSON map of string lists (attributes), tolerating a malformed row as empty. */
export function parseMultiAttributes(text: string): MultiAttributes {
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}
