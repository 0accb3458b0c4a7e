// The OpenAPI description of the admin routes of Keycloak's authorization model (access-routes.ts):
// its schemas and paths, merged into the document of openapi.ts. Built by functions, called when
// the document is made, so the helpers of openapi.ts are ready.
import {
  body,
  bool,
  created,
  idParam,
  int,
  json,
  list,
  multiMap,
  noContent,
  operation,
  type Op,
  paging,
  param,
  realmParam,
  ref,
  type Schema,
  str,
  strMap,
} from './openapi.ts';

export const ACCESS_TAGS = ['Roles', 'Role mappings', 'Groups', 'Client scopes', 'Protocol mappers', 'Keys'];

export function accessSchemas(): Record<string, Schema> {
  const protocol = { type: 'string', enum: ['openid-connect', 'saml'] };
  return {
    RoleRepresentation: {
      type: 'object',
      required: ['name'],
      properties: {
        id: { ...str, readOnly: true },
        name: str,
        description: str,
        composite: { ...bool, readOnly: true },
        clientRole: { ...bool, readOnly: true },
        containerId: { ...str, readOnly: true, description: 'The realm id, or the client id (UUID) of a client role' },
        attributes: multiMap,
      },
    },
    RoleReference: {
      type: 'object',
      description: 'A role named by id, else by name',
      properties: { id: str, name: str },
    },
    GroupRepresentation: {
      type: 'object',
      required: ['name'],
      properties: {
        id: { ...str, readOnly: true },
        name: str,
        path: { ...str, readOnly: true },
        parentId: { ...str, readOnly: true },
        subGroupCount: { ...int, readOnly: true },
        subGroups: { type: 'array', items: ref('GroupRepresentation'), readOnly: true },
        attributes: multiMap,
        realmRoles: { type: 'array', items: str, readOnly: true },
        clientRoles: { type: 'object', additionalProperties: { type: 'array', items: str }, readOnly: true },
      },
    },
    GroupMembership: {
      type: 'object',
      required: ['id', 'name', 'path'],
      properties: { id: str, name: str, path: str, parentId: str },
    },
    ProtocolMapperRepresentation: {
      type: 'object',
      required: ['name', 'protocolMapper'],
      properties: {
        id: { ...str, readOnly: true },
        name: str,
        protocol,
        protocolMapper: {
          ...str,
          description:
            'The mapper type, e.g. oidc-usermodel-attribute-mapper (docs/keycloak.md lists the supported ones)',
        },
        consentRequired: bool,
        config: strMap,
      },
    },
    ClientScopeRepresentation: {
      type: 'object',
      required: ['name'],
      properties: {
        id: { ...str, readOnly: true },
        name: str,
        description: str,
        protocol,
        attributes: {
          ...strMap,
          description: 'include.in.token.scope: "false" leaves the name out of the scope claim',
        },
        protocolMappers: { type: 'array', items: ref('ProtocolMapperRepresentation') },
      },
    },
    ClientScopeLink: { type: 'object', required: ['id', 'name'], properties: { id: str, name: str } },
    MappingsRepresentation: {
      type: 'object',
      properties: {
        realmMappings: list('RoleRepresentation'),
        clientMappings: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['id', 'client', 'mappings'],
            properties: { id: str, client: str, mappings: list('RoleRepresentation') },
          },
        },
      },
    },
    Count: { type: 'object', required: ['count'], properties: { count: int } },
    KeysMetadataRepresentation: {
      type: 'object',
      required: ['active', 'keys'],
      properties: {
        active: { ...strMap, description: 'The active kid per algorithm' },
        keys: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kid', 'algorithm', 'type', 'status', 'publicKey'],
            properties: {
              providerId: str,
              providerPriority: int,
              kid: str,
              status: { enum: ['ACTIVE', 'PASSIVE'] },
              type: str,
              algorithm: str,
              publicKey: { ...str, description: 'SPKI, base64' },
              certificate: { ...str, description: 'RS256 keys: the self-signed certificate SAML uses, base64 DER' },
              use: str,
            },
          },
        },
      },
    },
    PartialImportRepresentation: {
      type: 'object',
      properties: {
        ifResourceExists: { enum: ['FAIL', 'SKIP', 'OVERWRITE'] },
        users: list('UserRepresentation'),
        clients: list('ClientRepresentation'),
        groups: list('GroupRepresentation'),
        roles: {
          type: 'object',
          properties: {
            realm: list('RoleRepresentation'),
            client: { type: 'object', additionalProperties: list('RoleRepresentation') },
          },
        },
      },
    },
    PartialImportResults: {
      type: 'object',
      required: ['overwritten', 'added', 'skipped', 'results'],
      properties: {
        overwritten: int,
        added: int,
        skipped: int,
        results: {
          type: 'array',
          items: {
            type: 'object',
            required: ['action', 'resourceType', 'resourceName'],
            properties: {
              action: { enum: ['ADDED', 'SKIPPED', 'OVERWRITTEN'] },
              resourceType: { enum: ['USER', 'CLIENT', 'GROUP', 'REALM_ROLE', 'CLIENT_ROLE'] },
              resourceName: str,
              id: str,
            },
          },
        },
      },
    },
  };
}

// Built on first use: the helpers of openapi.ts are not initialised while the modules load.
const p = (name: string, description: string) => param(name, 'path', str, description);
const P = {
  get roleName() {
    return p('roleName', 'Role name');
  },
  get roleId() {
    return p('roleId', 'Role id');
  },
  get client() {
    return p('client', 'Client id (UUID)');
  },
  get clientScopeId() {
    return p('clientScopeId', 'Client scope id');
  },
  get mapperId() {
    return p('mapperId', 'Protocol mapper id');
  },
  get groupId() {
    return p('groupId', 'Group id');
  },
  get brief() {
    return param('briefRepresentation', 'query', bool, 'Leave attributes out (default true for lists)');
  },
  get search() {
    return param('search', 'query', str, 'A substring of the name');
  },
};

type Ops = Partial<Record<'get' | 'post' | 'put' | 'delete', Schema>>;

/** One operation, its errors the usual ones for its method. */
function op(id: string, tag: string, summary: string, params: Schema[], rest: Partial<Op>): Schema {
  return operation(id, { tag, summary, params, ok: rest.ok ?? { 204: noContent }, errors: [404], ...rest });
}

const read = (id: string, tag: string, summary: string, params: Schema[], schema: Schema) =>
  op(id, tag, summary, params, { ok: { 200: json(summary, schema) }, errors: [404] });
const writeList = (id: string, tag: string, summary: string, params: Schema[], item: string) =>
  op(id, tag, summary, params, { body: body({ type: 'array', items: ref(item) }), errors: [400, 404] });

/** A role (realm, client, or by id) and its composites and users. */
function rolePaths(
  base: string,
  params: Schema[],
  prefix: string,
  what: string,
  withUsers: boolean,
): Record<string, Ops> {
  const out: Record<string, Ops> = {
    [base]: {
      get: read(`get${prefix}Role`, 'Roles', `Get a ${what}`, params, ref('RoleRepresentation')),
      put: op(`update${prefix}Role`, 'Roles', `Update a ${what} (name, description, attributes)`, params, {
        body: body(ref('RoleRepresentation')),
        errors: [400, 404, 409],
      }),
      delete: op(`delete${prefix}Role`, 'Roles', `Delete a ${what}; its mappings go with it`, params, {
        errors: [400, 404],
      }),
    },
    [`${base}/composites`]: {
      get: read(`get${prefix}RoleComposites`, 'Roles', `The ${what}'s composites`, params, list('RoleRepresentation')),
      post: writeList(`add${prefix}RoleComposites`, 'Roles', `Add composites to a ${what}`, params, 'RoleReference'),
      delete: writeList(
        `remove${prefix}RoleComposites`,
        'Roles',
        `Remove composites of a ${what}`,
        params,
        'RoleReference',
      ),
    },
  };
  if (withUsers)
    out[`${base}/users`] = {
      get: read(
        `get${prefix}RoleUsers`,
        'Roles',
        `Users with the ${what} mapped directly`,
        [...params, ...paging],
        list('UserRepresentation'),
      ),
    };
  return out;
}

/** The role mappings of a user or a group. */
function mappingPaths(base: string, params: Schema[], who: 'User' | 'Group'): Record<string, Ops> {
  const tag = 'Role mappings';
  const out: Record<string, Ops> = {
    [`${base}/role-mappings`]: {
      get: read(
        `get${who}RoleMappings`,
        tag,
        `The ${who.toLowerCase()}'s direct role mappings`,
        params,
        ref('MappingsRepresentation'),
      ),
    },
  };
  for (const [path, extra, kind] of [
    ['/realm', [] as Schema[], 'Realm'],
    ['/clients/{client}', [P.client], 'Client'],
  ] as const) {
    const at = `${base}/role-mappings${path}`;
    const all = [...params, ...extra];
    const what = kind === 'Realm' ? 'realm roles' : "the client's roles";
    out[at] = {
      get: read(`get${who}${kind}RoleMappings`, tag, `Direct mappings of ${what}`, all, list('RoleRepresentation')),
      post: writeList(`add${who}${kind}RoleMappings`, tag, `Map ${what}`, all, 'RoleReference'),
      delete: writeList(`remove${who}${kind}RoleMappings`, tag, `Unmap ${what}`, all, 'RoleReference'),
    };
    out[`${at}/available`] = {
      get: read(
        `get${who}Available${kind}RoleMappings`,
        tag,
        `Of ${what}, those not held yet`,
        all,
        list('RoleRepresentation'),
      ),
    };
    out[`${at}/composite`] = {
      get: read(
        `get${who}Effective${kind}RoleMappings`,
        tag,
        `Of ${what}, those held (through groups and composites too)`,
        all,
        list('RoleRepresentation'),
      ),
    };
  }
  return out;
}

function mapperPaths(base: string, params: Schema[], who: 'Client' | 'ClientScope'): Record<string, Ops> {
  const tag = 'Protocol mappers';
  const all = [...params, P.mapperId];
  return {
    [`${base}/protocol-mappers/models`]: {
      get: read(`get${who}ProtocolMappers`, tag, 'Protocol mappers', params, list('ProtocolMapperRepresentation')),
      post: op(
        `create${who}ProtocolMapper`,
        tag,
        'Create a protocol mapper (a type Sundown does not evaluate is kept, with a warning)',
        params,
        {
          body: body(ref('ProtocolMapperRepresentation')),
          ok: { 201: created },
          errors: [400, 404, 409],
        },
      ),
    },
    [`${base}/protocol-mappers/add-models`]: {
      post: writeList(
        `add${who}ProtocolMappers`,
        tag,
        'Create several protocol mappers',
        params,
        'ProtocolMapperRepresentation',
      ),
    },
    [`${base}/protocol-mappers/models/{mapperId}`]: {
      get: read(`get${who}ProtocolMapper`, tag, 'A protocol mapper', all, ref('ProtocolMapperRepresentation')),
      put: op(`update${who}ProtocolMapper`, tag, 'Update a protocol mapper', all, {
        body: body(ref('ProtocolMapperRepresentation')),
        errors: [400, 404],
      }),
      delete: op(`delete${who}ProtocolMapper`, tag, 'Delete a protocol mapper', all, {}),
    },
  };
}

function linkPaths(base: string, params: Schema[], who: 'Client' | 'Realm'): Record<string, Ops> {
  const out: Record<string, Ops> = {};
  for (const kind of ['default', 'optional'] as const) {
    const K = kind === 'default' ? 'Default' : 'Optional';
    const at = who === 'Realm' ? `${base}/default-${kind}-client-scopes` : `${base}/${kind}-client-scopes`;
    const what = who === 'Realm' ? `the realm's ${kind} scopes for new clients` : `the client's ${kind} scopes`;
    out[at] = { get: read(`get${who}${K}ClientScopes`, 'Client scopes', what, params, list('ClientScopeLink')) };
    out[`${at}/{clientScopeId}`] = {
      put: op(`add${who}${K}ClientScope`, 'Client scopes', `Add to ${what}`, [...params, P.clientScopeId], {
        errors: [400, 404],
      }),
      delete: op(
        `remove${who}${K}ClientScope`,
        'Client scopes',
        `Remove from ${what}`,
        [...params, P.clientScopeId],
        {},
      ),
    };
  }
  return out;
}

function scopeMappingPaths(base: string, params: Schema[], who: 'Client' | 'ClientScope'): Record<string, Ops> {
  const tag = 'Client scopes';
  return {
    [`${base}/scope-mappings/realm`]: {
      get: read(
        `get${who}RealmScopeMappings`,
        tag,
        'Realm roles its tokens may carry without full scope',
        params,
        list('RoleRepresentation'),
      ),
      post: writeList(`add${who}RealmScopeMappings`, tag, 'Add realm-role scope mappings', params, 'RoleReference'),
      delete: writeList(
        `remove${who}RealmScopeMappings`,
        tag,
        'Remove realm-role scope mappings',
        params,
        'RoleReference',
      ),
    },
  };
}

export function accessPaths(): Record<string, Ops> {
  const R = '/admin/realms/{realm}';
  const client = [realmParam, idParam('Client')];
  const user = [realmParam, idParam('User')];
  const group = [realmParam, idParam('Group')];
  const scope = [realmParam, idParam('Client scope')];
  return {
    [`${R}/roles`]: {
      get: read(
        'listRealmRoles',
        'Roles',
        'Realm roles',
        [realmParam, P.search, P.brief, ...paging],
        list('RoleRepresentation'),
      ),
      post: op('createRealmRole', 'Roles', 'Create a realm role', [realmParam], {
        body: body(ref('RoleRepresentation')),
        ok: { 201: created },
        errors: [400, 404, 409],
      }),
    },
    ...rolePaths(`${R}/roles/{roleName}`, [realmParam, P.roleName], 'Realm', 'realm role', true),
    ...rolePaths(`${R}/roles-by-id/{roleId}`, [realmParam, P.roleId], 'ById', 'role', false),
    [`${R}/roles-by-id/{roleId}/composites/realm`]: {
      get: read(
        'getRoleRealmComposites',
        'Roles',
        "The role's realm-role composites",
        [realmParam, P.roleId],
        list('RoleRepresentation'),
      ),
    },
    [`${R}/roles-by-id/{roleId}/composites/clients/{client}`]: {
      get: read(
        'getRoleClientComposites',
        'Roles',
        "The role's composites of one client",
        [realmParam, P.roleId, P.client],
        list('RoleRepresentation'),
      ),
    },
    [`${R}/clients/{id}/roles`]: {
      get: read(
        'listClientRoles',
        'Roles',
        'Client roles',
        [...client, P.search, P.brief, ...paging],
        list('RoleRepresentation'),
      ),
      post: op('createClientRole', 'Roles', 'Create a client role', client, {
        body: body(ref('RoleRepresentation')),
        ok: { 201: created },
        errors: [400, 404, 409],
      }),
    },
    ...rolePaths(`${R}/clients/{id}/roles/{roleName}`, [...client, P.roleName], 'Client', 'client role', true),
    ...mappingPaths(`${R}/users/{id}`, user, 'User'),
    ...mappingPaths(`${R}/groups/{id}`, group, 'Group'),
    [`${R}/groups`]: {
      get: read(
        'listGroups',
        'Groups',
        'Top-level groups with their subgroups',
        [realmParam, P.search, P.brief, ...paging],
        list('GroupRepresentation'),
      ),
      post: op('createGroup', 'Groups', 'Create a top-level group', [realmParam], {
        body: body(ref('GroupRepresentation')),
        ok: { 201: created },
        errors: [400, 404, 409],
      }),
    },
    [`${R}/groups/count`]: {
      get: read(
        'countGroups',
        'Groups',
        'How many groups (top=true: top-level ones)',
        [realmParam, param('top', 'query', bool)],
        ref('Count'),
      ),
    },
    [`${R}/groups/{id}`]: {
      get: read(
        'getGroup',
        'Groups',
        'A group with its attributes and role mappings',
        group,
        ref('GroupRepresentation'),
      ),
      put: op('updateGroup', 'Groups', 'Rename a group or set its attributes', group, {
        body: body(ref('GroupRepresentation')),
        errors: [400, 404, 409],
      }),
      delete: op('deleteGroup', 'Groups', 'Delete a group with its subgroups', group, {}),
    },
    [`${R}/groups/{id}/children`]: {
      get: read('listGroupChildren', 'Groups', 'Subgroups', [...group, ...paging], list('GroupRepresentation')),
      post: op(
        'addGroupChild',
        'Groups',
        'Create a subgroup (201), or move the group whose id is sent under this one (204)',
        group,
        {
          body: body(ref('GroupRepresentation')),
          ok: { 201: created, 204: noContent },
          errors: [400, 404, 409],
        },
      ),
    },
    [`${R}/groups/{id}/members`]: {
      get: read('listGroupMembers', 'Groups', 'Direct members', [...group, ...paging], list('UserRepresentation')),
    },
    [`${R}/users/{id}/groups`]: {
      get: read('listUserGroups', 'Groups', "The user's groups", user, list('GroupMembership')),
    },
    [`${R}/users/{id}/groups/{groupId}`]: {
      put: op('joinGroup', 'Groups', 'Make the user a member of a group', [...user, P.groupId], {}),
      delete: op('leaveGroup', 'Groups', 'Remove the user from a group', [...user, P.groupId], {}),
    },
    [`${R}/users/count`]: {
      get: read(
        'countUsers',
        'Users',
        'How many users (service accounts left out)',
        [realmParam, P.search, param('username', 'query', str), param('email', 'query', str)],
        int,
      ),
    },
    [`${R}/client-scopes`]: {
      get: read(
        'listClientScopes',
        'Client scopes',
        'Client scopes with their protocol mappers',
        [realmParam],
        list('ClientScopeRepresentation'),
      ),
      post: op('createClientScope', 'Client scopes', 'Create a client scope (with its protocolMappers)', [realmParam], {
        body: body(ref('ClientScopeRepresentation')),
        ok: { 201: created },
        errors: [400, 404, 409],
      }),
    },
    [`${R}/client-scopes/{id}`]: {
      get: read('getClientScope', 'Client scopes', 'A client scope', scope, ref('ClientScopeRepresentation')),
      put: op('updateClientScope', 'Client scopes', 'Update a client scope', scope, {
        body: body(ref('ClientScopeRepresentation')),
        errors: [400, 404, 409],
      }),
      delete: op(
        'deleteClientScope',
        'Client scopes',
        'Delete a client scope (its links and mappers go with it)',
        scope,
        {},
      ),
    },
    ...linkPaths(R, [realmParam], 'Realm'),
    ...mapperPaths(`${R}/clients/{id}`, client, 'Client'),
    ...mapperPaths(`${R}/client-scopes/{id}`, scope, 'ClientScope'),
    ...linkPaths(`${R}/clients/{id}`, client, 'Client'),
    ...scopeMappingPaths(`${R}/clients/{id}`, client, 'Client'),
    ...scopeMappingPaths(`${R}/client-scopes/{id}`, scope, 'ClientScope'),
    [`${R}/clients/{id}/service-account-user`]: {
      get: op('getServiceAccountUser', 'Clients', "The client's service-account user", client, {
        ok: { 200: json('The user', ref('UserRepresentation')) },
        errors: [400, 404],
      }),
    },
    [`${R}/keys`]: {
      get: read('getRealmKeys', 'Keys', "The realm's signing keys", [realmParam], ref('KeysMetadataRepresentation')),
    },
    [`${R}/partialImport`]: {
      post: op('partialImport', 'Realms', 'Import users, clients, groups and roles into the realm', [realmParam], {
        body: body(ref('PartialImportRepresentation')),
        ok: { 200: json('What was added, skipped or overwritten', ref('PartialImportResults')) },
        errors: [400, 404, 409],
      }),
    },
  };
}
