// The role, role_composite and realm_default_role tables: a realm's roles and its clients',
// composite roles' children, and the realm's default role. Reads serve the cached access model
// (access-model-cache.ts); writes serve realm import and the admin API. Every write bumps the
// realm configuration version (migration 0015), so every process rebuilds its model.
import type { Executor } from '../store/executor.ts';
import type { RoleTable } from '../store/schema.ts';

export interface RoleValues {
  name: string;
  description: string | null;
  /** JSON Record<string, string[]> */
  attributes: string;
}

export class RoleStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  /** Every role of a realm, realm and client roles alike. */
  async rolesOf(realmId: string, db: Executor = this.#db): Promise<RoleTable[]> {
    return db.selectFrom('role').selectAll().where('realm_id', '=', realmId).orderBy('name').orderBy('id').execute();
  }

  /** Every composite link of a realm's roles. */
  async compositesOf(realmId: string, db: Executor = this.#db): Promise<Array<{ role_id: string; child: string }>> {
    return db
      .selectFrom('role_composite')
      .innerJoin('role', 'role.id', 'role_composite.role_id')
      .select(['role_composite.role_id', 'role_composite.child_role_id as child'])
      .where('role.realm_id', '=', realmId)
      .execute();
  }

  async defaultRoleOf(realmId: string, db: Executor = this.#db): Promise<string | undefined> {
    return (
      await db.selectFrom('realm_default_role').select('role_id').where('realm_id', '=', realmId).executeTakeFirst()
    )?.role_id;
  }

  async setDefaultRole(realmId: string, roleId: string, db: Executor = this.#db): Promise<void> {
    await db
      .insertInto('realm_default_role')
      .values({ realm_id: realmId, role_id: roleId })
      .onConflict((oc) => oc.column('realm_id').doUpdateSet({ role_id: roleId }))
      .execute();
  }

  /** The role named `name` of the realm (clientId null) or of a client, if any. */
  async find(
    realmId: string,
    clientId: string | null,
    name: string,
    db: Executor = this.#db,
  ): Promise<RoleTable | undefined> {
    return db
      .selectFrom('role')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where((eb) => (clientId === null ? eb('client_id', 'is', null) : eb('client_id', '=', clientId)))
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async insert(
    id: string,
    realmId: string,
    clientId: string | null,
    values: RoleValues,
    db: Executor = this.#db,
  ): Promise<void> {
    await db
      .insertInto('role')
      .values({ id, realm_id: realmId, client_id: clientId, created_at: Date.now(), ...values })
      .execute();
  }

  async update(id: string, values: Partial<RoleValues>, db: Executor = this.#db): Promise<void> {
    await db.updateTable('role').set(values).where('id', '=', id).execute();
  }

  /** Deletes a role; its mappings, composite links and scope mappings go with it (foreign keys). */
  async delete(id: string, db: Executor = this.#db): Promise<void> {
    await db.deleteFrom('role').where('id', '=', id).execute();
  }

  async addComposites(roleId: string, childIds: readonly string[], db: Executor = this.#db): Promise<void> {
    if (childIds.length === 0) return;
    await db
      .insertInto('role_composite')
      .values(childIds.map((child) => ({ role_id: roleId, child_role_id: child })))
      .onConflict((oc) => oc.columns(['role_id', 'child_role_id']).doNothing())
      .execute();
  }

  async removeComposites(roleId: string, childIds: readonly string[], db: Executor = this.#db): Promise<void> {
    if (childIds.length === 0) return;
    await db
      .deleteFrom('role_composite')
      .where('role_id', '=', roleId)
      .where('child_role_id', 'in', childIds)
      .execute();
  }

  async clearComposites(roleId: string, db: Executor = this.#db): Promise<void> {
    await db.deleteFrom('role_composite').where('role_id', '=', roleId).execute();
  }
}
