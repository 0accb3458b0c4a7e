// Writes an import's authorization model in the import's transaction, after its realm, clients
// and users (realm/realm-writer.ts calls it): roles and composites, the default role, groups,
// client scopes with mappers, the realm's default scopes, each client's mappers and scope links,
// scope mappings, users' role mappings, groups and service-account links, and a service-account
// user for each client that has service accounts. Things are matched by name and updated in
// place; what the file does not name is kept, so importing the same file twice changes nothing.
// Keycloak's RepresentationToModel rules: a user's or group's unknown realm role or client role is
// created; an unknown client, group path or composite is an error; an unknown client scope named
// by a client or the realm's default lists is left out with a warning.
import { newId } from '../crypto/random.ts';
import type { AccessWriter, AccessWriterDeps } from '../access/access-writer.ts';
import { defaultRoleName } from '../access/model.ts';
import type { WrittenClient, WrittenUser } from '../realm/realm-writer.ts';
import type { Executor } from '../store/executor.ts';
import type { ClientProtocol } from '../store/schema.ts';
import type { MapperImport } from './access-json-readers.ts';
import type { GroupImport, RoleImport, ScopeMappingImport } from './realm-access-json.ts';
import { type RealmImport, RealmImportError, type UserImport } from './realm-json.ts';

export interface AccessWriteResult {
  /** Names left out (unknown client scopes) and similar notes, one line each. */
  warnings: string[];
}

interface ClientRef {
  id: string;
  protocol: ClientProtocol;
  serviceAccounts: boolean;
}

export async function writeAccess(
  db: Executor,
  s: AccessWriterDeps,
  writer: AccessWriter,
  realm: { id: string; exists: boolean; import: RealmImport },
  written: { clients: WrittenClient[]; users: WrittenUser[] },
): Promise<AccessWriteResult> {
  const imp = realm.import;
  const access = imp.access;
  const warnings: string[] = [];
  const clients = new Map<string, ClientRef>(
    (await s.realmWriter.clientsIn(realm.id, db)).map((c) => [
      c.client_id,
      { id: c.id, protocol: c.protocol, serviceAccounts: c.service_accounts_enabled === 1 },
    ]),
  );
  const clientAt = (clientId: string, path: string): ClientRef => {
    const client = clients.get(clientId);
    if (!client) throw new RealmImportError(path, `client "${clientId}" is not in the realm`);
    return client;
  };

  // Roles: the file's realm and client roles, as it defines them.
  const roleId = async (clientId: string | null, role: RoleImport): Promise<string> => {
    const values = { name: role.name, description: role.description, attributes: JSON.stringify(role.attributes) };
    const found = await s.roles.find(realm.id, clientId, role.name, db);
    if (found) {
      await s.roles.update(found.id, values, db);
      return found.id;
    }
    const id = newId();
    await s.roles.insert(id, realm.id, clientId, values, db);
    return id;
  };
  const defined: Array<{ id: string; role: RoleImport }> = [];
  for (const role of access.realmRoles) defined.push({ id: await roleId(null, role), role });
  for (const [clientId, roles] of Object.entries(access.clientRoles)) {
    const client = clientAt(clientId, `$.roles.client["${clientId}"]`);
    for (const role of roles) defined.push({ id: await roleId(client.id, role), role });
  }
  // Composites name roles that must exist (RepresentationToModel.addComposites).
  const existingRole = async (clientId: string | null, name: string, path: string): Promise<string> => {
    const found = await s.roles.find(realm.id, clientId, name, db);
    if (!found) throw new RealmImportError(path, `role "${name}" is not in the realm`);
    return found.id;
  };
  for (const { id, role } of defined) {
    await s.roles.clearComposites(id, db);
    if (!role.composites) continue;
    const children: string[] = [];
    for (const name of role.composites.realm)
      children.push(await existingRole(null, name, `${role.path}.composites.realm`));
    for (const [clientId, names] of Object.entries(role.composites.client)) {
      const client = clientAt(clientId, `${role.path}.composites.client`);
      for (const name of names)
        children.push(await existingRole(client.id, name, `${role.path}.composites.client["${clientId}"]`));
    }
    await s.roles.addComposites(id, children, db);
  }
  // Roles named by mappings are created when missing (RepresentationToModel.createRoleMappings).
  const mappedRoles = async (
    realmRoles: readonly string[],
    clientRoles: Readonly<Record<string, readonly string[]>>,
    path: string,
  ): Promise<string[]> => {
    const ids: string[] = [];
    for (const name of realmRoles) ids.push(await writer.realmRole(db, realm.id, name.trim()));
    for (const [clientId, names] of Object.entries(clientRoles)) {
      const client = clientAt(clientId, `${path}.clientRoles`);
      for (const name of names) ids.push(await writer.clientRole(db, realm.id, client.id, name.trim()));
    }
    return ids;
  };

  // The default role, with the pre-13 `defaultRoles` as its composites.
  const defaultRoleId = await writer.defaultRole(
    db,
    realm.id,
    imp.realm,
    access.defaultRole ?? (realm.exists ? undefined : defaultRoleName(imp.realm)),
  );
  if (access.legacyDefaultRoles.length > 0)
    await s.roles.addComposites(defaultRoleId, await mappedRoles(access.legacyDefaultRoles, {}, '$.defaultRoles'), db);

  // Groups, parents first; each group's role mappings are the file's.
  const groupIds = new Map<string, string>();
  const writeGroup = async (group: GroupImport, parentId: string | null): Promise<void> => {
    const found = await s.groups.find(realm.id, parentId, group.name, db);
    const id = found?.id ?? newId();
    const attributes = JSON.stringify(group.attributes);
    if (found) await s.groups.update(id, { attributes }, db);
    else await s.groups.insert(id, realm.id, parentId, group.name, attributes, db);
    groupIds.set(group.path, id);
    await s.groups.clearRoles(id, db);
    await s.groups.addRoles(id, await mappedRoles(group.realmRoles, group.clientRoles, `group ${group.path}`), db);
    for (const sub of group.subGroups) await writeGroup(sub, id);
  };
  for (const group of access.groups) await writeGroup(group, null);

  // Client scopes: the file's, or Keycloak's built-in ones for a realm that has none.
  if (access.clientScopes) {
    for (const scope of access.clientScopes) {
      const values = {
        name: scope.name,
        description: scope.description,
        protocol: scope.protocol,
        attributes: JSON.stringify(scope.attributes),
      };
      const found = await s.clientScopes.findByName(realm.id, scope.name, db);
      const id = found?.id ?? newId();
      if (found) await s.clientScopes.update(id, values, db);
      else await s.clientScopes.insert(id, realm.id, values, db);
      await writer.replaceMappers(db, realm.id, { clientScopeId: id }, scope.protocolMappers.map(mapperOf));
    }
  } else if (!realm.exists || (await s.clientScopes.scopesOf(realm.id, db)).length === 0) {
    await writer.builtinScopes(db, realm.id, true);
  }
  const scopeIds = new Map((await s.clientScopes.scopesOf(realm.id, db)).map((sc) => [sc.name, sc]));
  if (access.defaultDefaultClientScopes || access.defaultOptionalClientScopes) {
    await s.clientScopes.clearRealmDefaults(realm.id, db);
    for (const [list, isDefault, key] of [
      [access.defaultOptionalClientScopes, false, 'defaultOptionalClientScopes'],
      [access.defaultDefaultClientScopes, true, 'defaultDefaultClientScopes'],
    ] as const) {
      for (const name of list ?? []) {
        const scope = scopeIds.get(name);
        if (scope) await s.clientScopes.setRealmDefault(realm.id, scope.id, isDefault, db);
        else warnings.push(`$.${key}: client scope "${name}" is not in the realm; left out`);
      }
    }
  }

  // Each client's own mappers and scope links.
  const byClientId = new Map(written.clients.map((w) => [w.clientId, w]));
  for (const [i, client] of imp.clients.entries()) {
    const ref = clientAt(client.clientId, `$.clients[${i}]`);
    if (client.protocolMappers)
      await writer.replaceMappers(db, realm.id, { clientId: ref.id }, client.protocolMappers.map(mapperOf));
    if (client.defaultClientScopes || client.optionalClientScopes) {
      await s.clientScopes.clearLinks(ref.id, db);
      for (const [list, isDefault, key] of [
        [client.optionalClientScopes, false, 'optionalClientScopes'],
        [client.defaultClientScopes, true, 'defaultClientScopes'],
      ] as const) {
        for (const name of list ?? []) {
          const scope = scopeIds.get(name);
          if (!scope) warnings.push(`$.clients[${i}].${key}: client scope "${name}" is not in the realm; left out`);
          else if (scope.protocol !== ref.protocol)
            warnings.push(`$.clients[${i}].${key}: client scope "${name}" is for ${scope.protocol}; left out`);
          else await s.clientScopes.link(ref.id, scope.id, isDefault, db);
        }
      }
    } else if (byClientId.get(client.clientId)?.created) {
      await writer.linkRealmDefaults(db, realm.id, ref.id, ref.protocol);
    }
  }

  // Scope mappings: each owner the file names gets exactly the roles it lists.
  const owners = new Map<string, { owner: { clientId: string } | { clientScopeId: string }; roles: string[] }>();
  const addMapping = async (m: ScopeMappingImport, roleIds: string[]) => {
    let key: string;
    let owner: { clientId: string } | { clientScopeId: string };
    if ('client' in m.owner) {
      owner = { clientId: clientAt(m.owner.client, `${m.path}.client`).id };
      key = `c:${owner.clientId}`;
    } else {
      const scope = scopeIds.get(m.owner.clientScope);
      if (!scope)
        throw new RealmImportError(
          `${m.path}.clientScope`,
          `client scope "${m.owner.clientScope}" is not in the realm`,
        );
      owner = { clientScopeId: scope.id };
      key = `s:${scope.id}`;
    }
    const entry = owners.get(key) ?? { owner, roles: [] };
    entry.roles.push(...roleIds);
    owners.set(key, entry);
  };
  for (const m of access.scopeMappings) await addMapping(m, await mappedRoles(m.roles, {}, m.path));
  for (const [clientId, mappings] of Object.entries(access.clientScopeMappings))
    for (const m of mappings) await addMapping(m, await mappedRoles([], { [clientId]: m.roles }, m.path));
  for (const { owner, roles } of owners.values()) {
    await s.scopeMappings.clear(owner, db);
    await s.scopeMappings.add(owner, [...new Set(roles)], db);
  }

  // Users: role mappings, groups, service-account links.
  const userIds = new Map(written.users.map((u) => [u.username, u]));
  for (const [i, user] of imp.users.entries()) {
    const w = userIds.get(user.username);
    if (!w) continue;
    await writeUserAccess(db, s, user, w, `$.users[${i}]`, {
      mappedRoles,
      defaultRoleId,
      groupAt: (path, at) => {
        const id = groupIds.get(path);
        if (id) return Promise.resolve(id);
        return findGroupByPath(db, s, realm.id, path).then((found) => {
          if (!found) throw new RealmImportError(at, `group "${path}" is not in the realm`);
          return found;
        });
      },
      clientAt,
    });
  }

  // A service-account user for every client with service accounts that has none.
  for (const [i, client] of imp.clients.entries()) {
    if (!client.serviceAccountsEnabled) continue;
    const ref = clientAt(client.clientId, `$.clients[${i}]`);
    const id = await writer.serviceAccount(
      db,
      { id: realm.id, name: imp.realm },
      { id: ref.id, clientId: client.clientId },
    );
    if (id === null)
      throw new RealmImportError(
        `$.clients[${i}].serviceAccountsEnabled`,
        `the service-account user "service-account-${client.clientId.toLowerCase()}" would clash with an existing user`,
      );
  }
  return { warnings };
}

async function writeUserAccess(
  db: Executor,
  s: AccessWriterDeps,
  user: UserImport,
  w: WrittenUser,
  path: string,
  r: {
    mappedRoles: (
      realmRoles: readonly string[],
      clientRoles: Readonly<Record<string, readonly string[]>>,
      path: string,
    ) => Promise<string[]>;
    defaultRoleId: string;
    groupAt: (groupPath: string, at: string) => Promise<string>;
    clientAt: (clientId: string, path: string) => ClientRef;
  },
): Promise<void> {
  if (user.realmRoles !== null || user.clientRoles !== null) {
    await s.userAccess.clearRoles(w.id, db);
    await s.userAccess.grantRoles(w.id, await r.mappedRoles(user.realmRoles ?? [], user.clientRoles ?? {}, path), db);
  } else if (w.created && user.serviceAccountClientId === null) {
    // A user the file gives no roles at all, new to the realm, gets the default role like any new user.
    await s.userAccess.grantRoles(w.id, [r.defaultRoleId], db);
  }
  if (user.groups !== null) {
    await s.userAccess.clearGroups(w.id, db);
    const ids: string[] = [];
    for (const [j, groupPath] of user.groups.entries()) ids.push(await r.groupAt(groupPath, `${path}.groups[${j}]`));
    await s.userAccess.joinGroups(w.id, ids, db);
  }
  if (user.serviceAccountClientId !== null)
    await s.realmWriter.linkServiceAccount(
      w.id,
      r.clientAt(user.serviceAccountClientId, `${path}.serviceAccountClientId`).id,
      db,
    );
}

async function findGroupByPath(
  db: Executor,
  s: AccessWriterDeps,
  realmId: string,
  path: string,
): Promise<string | undefined> {
  let parentId: string | null = null;
  for (const name of path.split('/').filter(Boolean)) {
    const found = await s.groups.find(realmId, parentId, name, db);
    if (!found) return undefined;
    parentId = found.id;
  }
  return parentId ?? undefined;
}

function mapperOf(m: MapperImport) {
  return { name: m.name, protocol: m.protocol, type: m.protocolMapper, config: m.config };
}
