// The admin routes of Keycloak's authorization model (issue 23), at Keycloak's paths: roles,
// role mappings of users and groups, groups, client scopes, protocol mappers, the scope links of
// clients and of the realm, scope mappings, the service-account user, the user count, the
// realm's keys and partial import. Declared on the admin route line like every admin route
// (admin-routes.ts); documented in openapi-access.ts.
import type { AdminRoute } from './admin-endpoint.ts';
import { clientInRealm, inRealm } from './admin-scope.ts';
import {
  clientAccess,
  clientMappers,
  clientRoleByName,
  groupInRealm,
  realmAccess,
  realmRoleByName,
  roleById,
  scopeInRealm,
  scopeMappers,
  userAccess,
} from './access-scope.ts';
import {
  type ClientScopeDeps,
  createClientScope,
  deleteClientScope,
  findClientLinks,
  findClientScope,
  findClientScopes,
  findRealmDefaults,
  setClientLink,
  setRealmDefault,
  updateClientScope,
} from './client-scope-endpoints.ts';
import {
  addChild,
  countGroups,
  createGroup,
  deleteGroup,
  findChildren,
  findGroup,
  findGroups,
  findMembers,
  findUserGroups,
  type GroupDeps,
  updateGroup,
  userGroupMembership,
} from './group-endpoints.ts';
import { type PartialImportDeps, partialImport } from './partial-import.ts';
import {
  addMappers,
  createMapper,
  deleteMapper,
  findMapper,
  findMappers,
  type MapperDeps,
  updateMapper,
} from './protocol-mapper-endpoints.ts';
import { realmKeys } from './realm-keys.ts';
import {
  addComposites,
  createClientRole,
  createRealmRole,
  deleteRole,
  findClientComposites,
  findClientRoles,
  findComposites,
  findRealmComposites,
  findRealmRoles,
  findRole,
  findRoleUsers,
  removeComposites,
  type RoleWriteDeps,
  updateRole,
} from './role-endpoints.ts';
import {
  addMappings,
  findAvailableMappings,
  findContainerMappings,
  findEffectiveMappings,
  findMappings,
  groupHolder,
  removeMappings,
  userHolder,
} from './role-mapping-endpoints.ts';
import { addRealmScopeMappings, findRealmScopeMappings, removeRealmScopeMappings } from './scope-mapping-endpoints.ts';
import { countUsers, serviceAccountUser } from './user-access-endpoints.ts';
import type { UsesSigningKeys } from '../crypto/capabilities.ts';
import type { UsesSamlKeys } from '../saml/capabilities.ts';

/** What the access routes use. */
export type AccessRouteDeps = ClientScopeDeps &
  GroupDeps &
  MapperDeps &
  PartialImportDeps &
  RoleWriteDeps &
  UsesSigningKeys &
  UsesSamlKeys;

export function addAccessRoutes(route: AdminRoute<AccessRouteDeps>): void {
  // Realm roles, client roles, roles by id (RoleContainerResource, RoleByIdResource).
  route('GET', '/:realm/roles', realmAccess, findRealmRoles);
  route('POST', '/:realm/roles', realmAccess, createRealmRole);
  route('GET', '/:realm/roles/:roleName', realmRoleByName, findRole);
  route('PUT', '/:realm/roles/:roleName', realmRoleByName, updateRole);
  route('DELETE', '/:realm/roles/:roleName', realmRoleByName, deleteRole);
  route('GET', '/:realm/roles/:roleName/composites', realmRoleByName, findComposites);
  route('POST', '/:realm/roles/:roleName/composites', realmRoleByName, addComposites);
  route('DELETE', '/:realm/roles/:roleName/composites', realmRoleByName, removeComposites);
  route('GET', '/:realm/roles/:roleName/users', realmRoleByName, findRoleUsers);
  route('GET', '/:realm/roles-by-id/:roleId', roleById, findRole);
  route('PUT', '/:realm/roles-by-id/:roleId', roleById, updateRole);
  route('DELETE', '/:realm/roles-by-id/:roleId', roleById, deleteRole);
  route('GET', '/:realm/roles-by-id/:roleId/composites', roleById, findComposites);
  route('POST', '/:realm/roles-by-id/:roleId/composites', roleById, addComposites);
  route('DELETE', '/:realm/roles-by-id/:roleId/composites', roleById, removeComposites);
  route('GET', '/:realm/roles-by-id/:roleId/composites/realm', roleById, findRealmComposites);
  route('GET', '/:realm/roles-by-id/:roleId/composites/clients/:client', roleById, findClientComposites);
  route('GET', '/:realm/clients/:id/roles', clientAccess, findClientRoles);
  route('POST', '/:realm/clients/:id/roles', clientAccess, createClientRole);
  route('GET', '/:realm/clients/:id/roles/:roleName', clientRoleByName, findRole);
  route('PUT', '/:realm/clients/:id/roles/:roleName', clientRoleByName, updateRole);
  route('DELETE', '/:realm/clients/:id/roles/:roleName', clientRoleByName, deleteRole);
  route('GET', '/:realm/clients/:id/roles/:roleName/composites', clientRoleByName, findComposites);
  route('POST', '/:realm/clients/:id/roles/:roleName/composites', clientRoleByName, addComposites);
  route('DELETE', '/:realm/clients/:id/roles/:roleName/composites', clientRoleByName, removeComposites);
  route('GET', '/:realm/clients/:id/roles/:roleName/users', clientRoleByName, findRoleUsers);

  // Role mappings of users and of groups (RoleMapperResource, ClientRoleMappingsResource).
  for (const [base, holder] of [
    ['/:realm/users/:id', userHolder],
    ['/:realm/groups/:id', groupHolder],
  ] as const) {
    route('GET', `${base}/role-mappings`, holder, findMappings);
    for (const container of ['/realm', '/clients/:client']) {
      const path = `${base}/role-mappings${container}`;
      route('GET', path, holder, findContainerMappings);
      route('POST', path, holder, addMappings);
      route('DELETE', path, holder, removeMappings);
      route('GET', `${path}/available`, holder, findAvailableMappings);
      route('GET', `${path}/composite`, holder, findEffectiveMappings);
    }
  }

  // Groups (GroupsResource, GroupResource) and a user's groups.
  route('GET', '/:realm/groups', realmAccess, findGroups);
  route('POST', '/:realm/groups', realmAccess, createGroup);
  route('GET', '/:realm/groups/count', realmAccess, countGroups);
  route('GET', '/:realm/groups/:id', groupInRealm, findGroup);
  route('PUT', '/:realm/groups/:id', groupInRealm, updateGroup);
  route('DELETE', '/:realm/groups/:id', groupInRealm, deleteGroup);
  route('GET', '/:realm/groups/:id/children', groupInRealm, findChildren);
  route('POST', '/:realm/groups/:id/children', groupInRealm, addChild);
  route('GET', '/:realm/groups/:id/members', groupInRealm, findMembers);
  route('GET', '/:realm/users/:id/groups', userAccess, findUserGroups);
  route('PUT', '/:realm/users/:id/groups/:groupId', userAccess, userGroupMembership(true));
  route('DELETE', '/:realm/users/:id/groups/:groupId', userAccess, userGroupMembership(false));
  route('GET', '/:realm/users/count', inRealm, countUsers);

  // Client scopes and their protocol mappers; the realm's defaults for new clients.
  route('GET', '/:realm/client-scopes', realmAccess, findClientScopes);
  route('POST', '/:realm/client-scopes', realmAccess, createClientScope);
  route('GET', '/:realm/client-scopes/:id', scopeInRealm, findClientScope);
  route('PUT', '/:realm/client-scopes/:id', scopeInRealm, updateClientScope);
  route('DELETE', '/:realm/client-scopes/:id', scopeInRealm, deleteClientScope);
  for (const kind of ['default', 'optional'] as const) {
    const path = `/:realm/default-${kind}-client-scopes`;
    route('GET', path, realmAccess, findRealmDefaults(kind === 'default'));
    route('PUT', `${path}/:clientScopeId`, realmAccess, setRealmDefault(kind === 'default', true));
    route('DELETE', `${path}/:clientScopeId`, realmAccess, setRealmDefault(kind === 'default', false));
  }

  // Protocol mappers of clients and client scopes (ProtocolMappersResource).
  for (const [base, owner] of [
    ['/:realm/clients/:id', clientMappers],
    ['/:realm/client-scopes/:id', scopeMappers],
  ] as const) {
    route('GET', `${base}/protocol-mappers/models`, owner, findMappers);
    route('POST', `${base}/protocol-mappers/models`, owner, createMapper);
    route('POST', `${base}/protocol-mappers/add-models`, owner, addMappers);
    route('GET', `${base}/protocol-mappers/models/:mapperId`, owner, findMapper);
    route('PUT', `${base}/protocol-mappers/models/:mapperId`, owner, updateMapper);
    route('DELETE', `${base}/protocol-mappers/models/:mapperId`, owner, deleteMapper);
  }

  // A client's own default and optional scopes, its realm-role scope mappings and a scope's.
  for (const kind of ['default', 'optional'] as const) {
    const path = `/:realm/clients/:id/${kind}-client-scopes`;
    route('GET', path, clientAccess, findClientLinks(kind === 'default'));
    route('PUT', `${path}/:clientScopeId`, clientAccess, setClientLink(kind === 'default', true));
    route('DELETE', `${path}/:clientScopeId`, clientAccess, setClientLink(kind === 'default', false));
  }
  for (const [base, target] of [
    ['/:realm/clients/:id', clientAccess],
    ['/:realm/client-scopes/:id', scopeInRealm],
  ] as const) {
    route('GET', `${base}/scope-mappings/realm`, target, findRealmScopeMappings);
    route('POST', `${base}/scope-mappings/realm`, target, addRealmScopeMappings);
    route('DELETE', `${base}/scope-mappings/realm`, target, removeRealmScopeMappings);
  }
  route('GET', '/:realm/clients/:id/service-account-user', clientInRealm, serviceAccountUser);

  route('GET', '/:realm/keys', inRealm, realmKeys);
  route('POST', '/:realm/partialImport', inRealm, partialImport);
}
