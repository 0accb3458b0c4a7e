// The realm-wide parts of Keycloak's authorization model in a realm representation: `roles`
// (realm and client roles with attributes and composites), `defaultRole` (and the pre-13
// `defaultRoles`), `groups` with `subGroups`, `clientScopes` with their protocol mappers,
// `defaultDefaultClientScopes` / `defaultOptionalClientScopes`, and the scope mappings of clients
// and client scopes (`scopeMappings`, `clientScopeMappings`). Names are resolved when the import
// is written (write-access.ts), which reports a name that is nowhere with its JSON path.
import type { ClientProtocol } from '../store/schema.ts';
import {
  absent,
  type MapperImport,
  multiValuedMap,
  optionalStringList,
  protocolMappers,
  rolesByClient,
} from './access-json-readers.ts';
import type { ObjectReader } from './realm-json.ts';
import { RealmImportError } from './realm-json.ts';

export interface RoleImport {
  name: string;
  description: string | null;
  attributes: Record<string, string[]>;
  /** Keycloak's `composites`; null when the role is not composite. */
  composites: { realm: string[]; client: Record<string, string[]> } | null;
  path: string;
}

export interface GroupImport {
  name: string;
  attributes: Record<string, string[]>;
  realmRoles: string[];
  clientRoles: Record<string, string[]>;
  subGroups: GroupImport[];
  path: string;
}

export interface ClientScopeImport {
  name: string;
  description: string | null;
  protocol: ClientProtocol;
  attributes: Record<string, string>;
  protocolMappers: MapperImport[];
  path: string;
}

/** One entry of `scopeMappings` (realm roles) or `clientScopeMappings` (a client's roles). */
export interface ScopeMappingImport {
  /** The client or client scope the roles are mapped to. */
  owner: { client: string } | { clientScope: string };
  roles: string[];
  path: string;
}

export interface AccessImport {
  realmRoles: RoleImport[];
  /** Client roles by clientId. */
  clientRoles: Record<string, RoleImport[]>;
  /** The default role's name, when the representation names one. */
  defaultRole: string | null;
  /** Keycloak before 13: role names every new user got; they become the default role's composites. */
  legacyDefaultRoles: string[];
  groups: GroupImport[];
  /** null when absent: the realm then has Keycloak's built-in client scopes. */
  clientScopes: ClientScopeImport[] | null;
  defaultDefaultClientScopes: string[] | null;
  defaultOptionalClientScopes: string[] | null;
  /** Realm roles mapped to clients and client scopes. */
  scopeMappings: ScopeMappingImport[];
  /** Client roles (by the roles' clientId) mapped to clients and client scopes. */
  clientScopeMappings: Record<string, ScopeMappingImport[]>;
}

export function parseRealmAccess(r: ObjectReader, ignored: string[]): AccessImport {
  const roles = absent(r, 'roles') ? null : r.child(r.raw('roles'), '$.roles');
  const access: AccessImport = {
    realmRoles: roles ? parseRoleList(roles, 'realm', ignored) : [],
    clientRoles: {},
    defaultRole: null,
    legacyDefaultRoles: r.stringList('defaultRoles'),
    groups: r.list('groups').map((raw, i) => parseGroup(r, raw, `$.groups[${i}]`, '', ignored)),
    clientScopes: null,
    defaultDefaultClientScopes: optionalStringList(r, 'defaultDefaultClientScopes'),
    defaultOptionalClientScopes: optionalStringList(r, 'defaultOptionalClientScopes'),
    scopeMappings: parseScopeMappings(r, 'scopeMappings', '$.scopeMappings', ignored),
    clientScopeMappings: {},
  };
  if (roles) {
    const clients = absent(roles, 'client') ? null : roles.child(roles.raw('client'), '$.roles.client');
    for (const clientId of Object.keys((roles.raw('client') as Record<string, unknown> | null) ?? {})) {
      if (clients) access.clientRoles[clientId] = parseRoleList(clients, clientId, ignored);
    }
    ignored.push(...roles.unknownKeys());
  }
  if (!absent(r, 'defaultRole')) {
    const d = r.child(r.raw('defaultRole'), '$.defaultRole');
    d.accept('id', 'description', 'composite', 'clientRole', 'containerId', 'attributes', 'composites');
    access.defaultRole = d.requiredString('name');
    ignored.push(...d.unknownKeys());
  }
  r.accept('clientTemplates');
  if (!absent(r, 'clientScopes')) access.clientScopes = parseClientScopes(r, ignored);
  if (!absent(r, 'clientScopeMappings')) {
    const m = r.child(r.raw('clientScopeMappings'), '$.clientScopeMappings');
    for (const clientId of Object.keys(r.raw('clientScopeMappings') as Record<string, unknown>)) {
      access.clientScopeMappings[clientId] = parseScopeMappings(m, clientId, `${m.path}["${clientId}"]`, ignored);
    }
  }
  return access;
}

function parseRoleList(container: ObjectReader, key: string, ignored: string[]): RoleImport[] {
  const names = new Set<string>();
  const base = key === 'realm' ? `${container.path}.realm` : `${container.path}["${key}"]`;
  return container.list(key).map((raw, i) => {
    const role = container.child(raw, `${base}[${i}]`);
    role.accept('id', 'composite', 'clientRole', 'containerId', 'scopeParamRequired');
    const name = role.requiredString('name');
    if (names.has(name)) throw new RealmImportError(`${role.path}.name`, `duplicate role "${name}"`);
    names.add(name);
    let composites: RoleImport['composites'] = null;
    if (!absent(role, 'composites')) {
      const c = role.child(role.raw('composites'), `${role.path}.composites`);
      composites = { realm: c.stringList('realm'), client: rolesByClient(c, 'client') ?? {} };
      ignored.push(...c.unknownKeys());
    }
    const parsed: RoleImport = {
      name,
      description: role.string('description'),
      attributes: multiValuedMap(role, 'attributes'),
      composites,
      path: role.path,
    };
    ignored.push(...role.unknownKeys());
    return parsed;
  });
}

function parseGroup(
  parent: ObjectReader,
  raw: unknown,
  path: string,
  parentPath: string,
  ignored: string[],
): GroupImport {
  const g = parent.child(raw, path);
  g.accept('id', 'path', 'subGroupCount', 'parentId', 'access');
  const name = g.requiredString('name');
  if (name.includes('/')) throw new RealmImportError(`${path}.name`, `"${name}" must not contain "/"`);
  const groupPath = `${parentPath}/${name}`;
  const group: GroupImport = {
    name,
    attributes: multiValuedMap(g, 'attributes'),
    realmRoles: g.stringList('realmRoles'),
    clientRoles: rolesByClient(g, 'clientRoles') ?? {},
    subGroups: g.list('subGroups').map((sub, i) => parseGroup(g, sub, `${path}.subGroups[${i}]`, groupPath, ignored)),
    path: groupPath,
  };
  const names = new Set<string>();
  group.subGroups.forEach((sub, i) => {
    if (names.has(sub.name))
      throw new RealmImportError(`${path}.subGroups[${i}].name`, `duplicate group "${sub.name}"`);
    names.add(sub.name);
  });
  ignored.push(...g.unknownKeys());
  return group;
}

function parseClientScopes(r: ObjectReader, ignored: string[]): ClientScopeImport[] {
  const names = new Set<string>();
  return r.list('clientScopes').map((raw, i) => {
    const s = r.child(raw, `$.clientScopes[${i}]`);
    s.accept('id');
    const name = s.requiredString('name');
    if (/\s/.test(name)) throw new RealmImportError(`${s.path}.name`, `"${name}" must not contain spaces`);
    if (names.has(name)) throw new RealmImportError(`${s.path}.name`, `duplicate client scope "${name}"`);
    names.add(name);
    const protocol = s.string('protocol') ?? 'openid-connect';
    if (protocol !== 'openid-connect' && protocol !== 'saml')
      throw new RealmImportError(`${s.path}.protocol`, `must be "openid-connect" or "saml", not "${protocol}"`);
    const scope: ClientScopeImport = {
      name,
      description: s.string('description'),
      protocol,
      attributes: s.stringMap('attributes'),
      protocolMappers: protocolMappers(s, protocol, ignored) ?? [],
      path: s.path,
    };
    ignored.push(...s.unknownKeys());
    return scope;
  });
}

function parseScopeMappings(obj: ObjectReader, key: string, base: string, ignored: string[]): ScopeMappingImport[] {
  return obj.list(key).map((raw, i) => {
    const m = obj.child(raw, `${base}[${i}]`);
    m.accept('self');
    const client = m.string('client');
    // Keycloak before 4 called client scopes "client templates".
    const clientScope = m.string('clientScope') ?? m.string('clientTemplate');
    if ((client === null) === (clientScope === null))
      throw new RealmImportError(m.path, 'names either a "client" or a "clientScope"');
    const mapping: ScopeMappingImport = {
      owner: client !== null ? { client } : { clientScope: clientScope! },
      roles: m.stringList('roles'),
      path: m.path,
    };
    ignored.push(...m.unknownKeys());
    return mapping;
  });
}
