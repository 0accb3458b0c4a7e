// What Keycloak's admin API does around a client or user it creates or updates, besides the row:
// a new client gets the realm's default scopes of its protocol unless the representation lists
// its own (unknown names are left out, as ClientManager does), its protocol mappers, and a
// service-account user when service accounts are on (ClientManager.enableServiceAccount); a new
// user gets the realm's default role (UserProvider.addUser) and the groups its representation
// names. Sundown also grants the `realmRoles` and `clientRoles` a new user's representation
// lists, which Keycloak's admin API ignores; they then replace the default role.
import { InvalidRequest } from '../errors.ts';
import type { Realm } from '../realm/model.ts';
import type { ClientImport, UserImport } from '../realm-import/realm-json.ts';
import type { Executor } from '../store/executor.ts';
import type { UsesAccessStores, UsesAccessWriter, UsesUserAccess } from '../access/capabilities.ts';
import type { UsesLog } from '../log.ts';
import type { UsesRealms } from '../realm/capabilities.ts';
import type { UsesTransact } from '../store/capabilities.ts';

export type AccessOfNewDeps = UsesAccessStores & UsesAccessWriter & UsesUserAccess & UsesTransact & UsesLog;

/** A client's mappers and scope links as its representation gives them; `created`: a new client. */
export async function writeClientAccess(
  ctx: AccessOfNewDeps,
  realm: Realm,
  clientId: string,
  client: ClientImport,
  created: boolean,
): Promise<void> {
  const s = ctx.accessStores;
  const left: string[] = [];
  await ctx.transact(async (tx) => {
    if (client.protocolMappers)
      await ctx.accessWriter.replaceMappers(
        tx,
        realm.id,
        { clientId },
        client.protocolMappers.map((m) => ({
          name: m.name,
          protocol: m.protocol,
          type: m.protocolMapper,
          config: m.config,
        })),
      );
    if (client.defaultClientScopes || client.optionalClientScopes) {
      const scopes = new Map((await s.clientScopes.scopesOf(realm.id, tx)).map((sc) => [sc.name, sc]));
      await s.clientScopes.clearLinks(clientId, tx);
      for (const [list, isDefault] of [
        [client.optionalClientScopes, false],
        [client.defaultClientScopes, true],
      ] as const) {
        for (const name of list ?? []) {
          const scope = scopes.get(name);
          if (scope?.protocol === client.protocol) await s.clientScopes.link(clientId, scope.id, isDefault, tx);
          else left.push(name);
        }
      }
    } else if (created) await ctx.accessWriter.linkRealmDefaults(tx, realm.id, clientId, client.protocol);
    if (client.serviceAccountsEnabled && client.protocol === 'openid-connect') {
      const user = await ctx.accessWriter.serviceAccount(tx, realm, { id: clientId, clientId: client.clientId });
      if (user === null)
        throw new InvalidRequest(`A user named service-account-${client.clientId.toLowerCase()} already exists`);
    }
  });
  if (left.length > 0)
    ctx.log.warn(
      { realm: realm.name, clientId: client.clientId, scopes: left },
      `client ${client.clientId}: client scopes ${left.join(', ')} are not in the realm (or not for ${client.protocol}); left out`,
    );
}

/** A new user's roles (the default role, or those it lists) and groups (by path). */
export async function writeNewUserAccess(
  ctx: AccessOfNewDeps & UsesRealms,
  realm: Realm,
  userId: string,
  user: UserImport,
  groupIdOf: (path: string) => string | undefined,
): Promise<void> {
  const groups = (user.groups ?? []).map((path) => {
    const id = groupIdOf(path);
    if (!id) throw new InvalidRequest(`Group ${path} not found`);
    return id;
  });
  const clientRoles: Array<{ clientId: string; names: string[] }> = [];
  for (const [clientId, names] of Object.entries(user.clientRoles ?? {})) {
    const client = await ctx.realms.clientByClientId(realm.id, clientId);
    if (!client) throw new InvalidRequest(`Client ${clientId} not found`);
    clientRoles.push({ clientId: client.id, names });
  }
  await ctx.transact(async (tx: Executor) => {
    const w = ctx.accessWriter;
    const roles: string[] = [];
    if (user.realmRoles === null && user.clientRoles === null)
      roles.push(await w.defaultRole(tx, realm.id, realm.name));
    for (const name of user.realmRoles ?? []) roles.push(await w.realmRole(tx, realm.id, name));
    for (const { clientId, names } of clientRoles)
      for (const name of names) roles.push(await w.clientRole(tx, realm.id, clientId, name));
    await ctx.userAccess.grantRoles(userId, roles, tx);
    await ctx.userAccess.joinGroups(userId, groups, tx);
  });
}
