// The writes Keycloak makes around a realm's and a client's life, shared by realm import, the
// admin API and the start-up upgrade: a new realm's default role and built-in client scopes
// (RealmManager.createRealm, OIDCLoginProtocolFactory.createDefaultClientScopes), a new client's
// links to the realm's default scopes (RealmManager.addDefaultClientScopes, only scopes of the
// client's protocol), and a service-account user for a client with service accounts
// (ClientManager.enableServiceAccount: `service-account-{clientId}`, given the default role).
// Each takes the executor of the caller's transaction.
import { newId } from '../crypto/random.ts';
import type { RealmWriter } from '../realm/realm-writer.ts';
import type { ClientProtocol } from '../store/schema.ts';
import type { Executor } from '../store/executor.ts';
import type { AccessStores } from './access-model-cache.ts';
import type { MapperOwner } from './protocol-mapper-store.ts';
import {
  BUILTIN_CLIENT_SCOPES,
  BUILTIN_DEFAULT_ROLE_COMPOSITES,
  BUILTIN_DEFAULT_SCOPES,
  BUILTIN_OPTIONAL_SCOPES,
  BUILTIN_ROLE_DESCRIPTIONS,
  BUILTIN_SCOPE_ROLES,
} from './builtin-client-scopes.ts';
import { defaultRoleName, serviceAccountUsername } from './model.ts';
import type { UserAccessStore } from './user-access-store.ts';

export interface AccessWriterDeps extends AccessStores {
  userAccess: UserAccessStore;
  realmWriter: RealmWriter;
}

export class AccessWriter {
  readonly #s: AccessWriterDeps;
  constructor(stores: AccessWriterDeps) {
    this.#s = stores;
  }

  /** A realm role by name, created (empty) if the realm has none of that name. */
  async realmRole(db: Executor, realmId: string, name: string, description: string | null = null): Promise<string> {
    const found = await this.#s.roles.find(realmId, null, name, db);
    if (found) return found.id;
    const id = newId();
    await this.#s.roles.insert(id, realmId, null, { name, description, attributes: '{}' }, db);
    return id;
  }

  /** A client role by name, created if missing. */
  async clientRole(db: Executor, realmId: string, clientId: string, name: string): Promise<string> {
    const found = await this.#s.roles.find(realmId, clientId, name, db);
    if (found) return found.id;
    const id = newId();
    await this.#s.roles.insert(id, realmId, clientId, { name, description: null, attributes: '{}' }, db);
    return id;
  }

  /**
   * The realm's default role: the one set, else `default-roles-{realm}` (created as a composite of
   * offline_access and uma_authorization, which are created too, when the realm has no such role).
   */
  async defaultRole(db: Executor, realmId: string, realmName: string, name?: string): Promise<string> {
    const current = await this.#s.roles.defaultRoleOf(realmId, db);
    const wanted = name ?? defaultRoleName(realmName);
    if (current && name === undefined) return current;
    const existing = await this.#s.roles.find(realmId, null, wanted, db);
    let roleId = existing?.id;
    if (!roleId) {
      roleId = await this.realmRole(db, realmId, wanted, BUILTIN_ROLE_DESCRIPTIONS.default ?? null);
      const children: string[] = [];
      for (const child of BUILTIN_DEFAULT_ROLE_COMPOSITES)
        children.push(await this.realmRole(db, realmId, child, BUILTIN_ROLE_DESCRIPTIONS[child] ?? null));
      await this.#s.roles.addComposites(roleId, children, db);
    }
    if (roleId !== current) await this.#s.roles.setDefaultRole(realmId, roleId, db);
    return roleId;
  }

  /**
   * Keycloak's built-in client scopes that the realm does not have by name, and, when `asDefaults`,
   * the realm's default and optional scope lists of a new realm. Returns the scope ids by name.
   */
  async builtinScopes(db: Executor, realmId: string, asDefaults: boolean): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const def of BUILTIN_CLIENT_SCOPES) {
      const existing = await this.#s.clientScopes.findByName(realmId, def.name, db);
      if (existing) {
        ids.set(def.name, existing.id);
        continue;
      }
      const id = newId();
      await this.#s.clientScopes.insert(
        id,
        realmId,
        {
          name: def.name,
          description: def.description,
          protocol: def.protocol,
          attributes: JSON.stringify(def.attributes),
        },
        db,
      );
      for (const m of def.protocolMappers) {
        await this.#s.mappers.insert(
          newId(),
          realmId,
          { clientScopeId: id },
          { name: m.name, protocol: def.protocol, mapper_type: m.protocolMapper, config: JSON.stringify(m.config) },
          db,
        );
      }
      const roles = BUILTIN_SCOPE_ROLES[def.name] ?? [];
      const roleIds: string[] = [];
      for (const role of roles)
        roleIds.push(await this.realmRole(db, realmId, role, BUILTIN_ROLE_DESCRIPTIONS[role] ?? null));
      await this.#s.scopeMappings.add({ clientScopeId: id }, roleIds, db);
      ids.set(def.name, id);
    }
    if (asDefaults) {
      for (const name of BUILTIN_DEFAULT_SCOPES)
        await this.#s.clientScopes.setRealmDefault(realmId, ids.get(name)!, true, db);
      for (const name of BUILTIN_OPTIONAL_SCOPES)
        await this.#s.clientScopes.setRealmDefault(realmId, ids.get(name)!, false, db);
    }
    return ids;
  }

  /**
   * Makes a client's or scope's mappers exactly these, matched by name (RepresentationToModel.
   * updateClientProtocolMappers): a mapper kept keeps its id, the others are added or removed.
   */
  async replaceMappers(
    db: Executor,
    realmId: string,
    owner: MapperOwner,
    mappers: ReadonlyArray<{ name: string; protocol: ClientProtocol; type: string; config: Record<string, string> }>,
  ): Promise<void> {
    const existing = new Map((await this.#s.mappers.mappersOfOwner(owner, db)).map((m) => [m.name, m]));
    for (const m of mappers) {
      const values = { name: m.name, protocol: m.protocol, mapper_type: m.type, config: JSON.stringify(m.config) };
      const found = existing.get(m.name);
      existing.delete(m.name);
      if (!found) await this.#s.mappers.insert(newId(), realmId, owner, values, db);
      else if (
        found.protocol !== values.protocol ||
        found.mapper_type !== values.mapper_type ||
        found.config !== values.config
      )
        await this.#s.mappers.update(found.id, values, db);
    }
    for (const gone of existing.values()) await this.#s.mappers.delete(gone.id, db);
  }

  /** Links a new client to the realm's default and optional scopes of its protocol. */
  async linkRealmDefaults(db: Executor, realmId: string, clientId: string, protocol: ClientProtocol): Promise<void> {
    const defaults = await this.#s.clientScopes.realmDefaultsOf(realmId, db);
    const scopes = new Map((await this.#s.clientScopes.scopesOf(realmId, db)).map((s) => [s.id, s]));
    for (const d of defaults) {
      if (scopes.get(d.scope_id)?.protocol !== protocol) continue;
      await this.#s.clientScopes.link(clientId, d.scope_id, d.default_scope === 1, db);
    }
  }

  /**
   * The client's service-account user, created with the default role if it has none. Returns its
   * id, or null when another user already has the name (Keycloak would refuse the client).
   */
  async serviceAccount(
    db: Executor,
    realm: { id: string; name: string },
    client: { id: string; clientId: string },
  ): Promise<string | null> {
    const existing = await this.#s.realmWriter.serviceAccountOf(client.id, db);
    if (existing) return existing;
    const username = serviceAccountUsername(client.clientId);
    if (await this.#s.realmWriter.userIdByUsername(realm.id, username, db)) return null;
    const id = newId();
    await this.#s.realmWriter.insertServiceAccount(id, realm.id, client.id, username, db);
    await this.#s.userAccess.grantRoles(id, [await this.defaultRole(db, realm.id, realm.name)], db);
    return id;
  }
}
