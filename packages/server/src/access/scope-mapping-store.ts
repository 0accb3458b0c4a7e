// The scope_mapping table: the roles a client (its "Dedicated scope") or a client scope may put in
// tokens when the client is not fullScopeAllowed (Keycloak's scopeMappings and
// clientScopeMappings; TokenManager.getAccess). Writes bump the realm configuration version.
import type { Executor } from '../store/executor.ts';
import type { MapperOwner } from './protocol-mapper-store.ts';

export class ScopeMappingStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  /** Every scope mapping of a realm's clients and client scopes. */
  async mappingsOf(
    realmId: string,
    db: Executor = this.#db,
  ): Promise<Array<{ client_id: string | null; client_scope_id: string | null; role_id: string }>> {
    return db
      .selectFrom('scope_mapping')
      .innerJoin('role', 'role.id', 'scope_mapping.role_id')
      .select(['scope_mapping.client_id', 'scope_mapping.client_scope_id', 'scope_mapping.role_id'])
      .where('role.realm_id', '=', realmId)
      .execute();
  }

  async add(owner: MapperOwner, roleIds: readonly string[], db: Executor = this.#db): Promise<void> {
    for (const roleId of roleIds) {
      const exists = await db
        .selectFrom('scope_mapping')
        .select('role_id')
        .where((eb) =>
          'clientId' in owner ? eb('client_id', '=', owner.clientId) : eb('client_scope_id', '=', owner.clientScopeId),
        )
        .where('role_id', '=', roleId)
        .executeTakeFirst();
      if (exists) continue;
      await db
        .insertInto('scope_mapping')
        .values({
          client_id: 'clientId' in owner ? owner.clientId : null,
          client_scope_id: 'clientScopeId' in owner ? owner.clientScopeId : null,
          role_id: roleId,
        })
        .execute();
    }
  }

  async remove(owner: MapperOwner, roleIds: readonly string[], db: Executor = this.#db): Promise<void> {
    if (roleIds.length === 0) return;
    await db
      .deleteFrom('scope_mapping')
      .where((eb) =>
        'clientId' in owner ? eb('client_id', '=', owner.clientId) : eb('client_scope_id', '=', owner.clientScopeId),
      )
      .where('role_id', 'in', roleIds)
      .execute();
  }

  async clear(owner: MapperOwner, db: Executor = this.#db): Promise<void> {
    await db
      .deleteFrom('scope_mapping')
      .where((eb) =>
        'clientId' in owner ? eb('client_id', '=', owner.clientId) : eb('client_scope_id', '=', owner.clientScopeId),
      )
      .execute();
  }
}
