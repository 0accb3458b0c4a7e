// The app_group and group_role tables: a realm's group tree and the roles mapped to each group.
// Reads serve the cached access model; writes serve realm import and the admin API, and bump
// the realm configuration version (migration 0015).
import type { Executor } from '../store/executor.ts';
import type { GroupTable } from '../store/schema.ts';

export class GroupStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async groupsOf(realmId: string, db: Executor = this.#db): Promise<GroupTable[]> {
    return db.selectFrom('app_group').selectAll().where('realm_id', '=', realmId).orderBy('name').execute();
  }

  async groupRolesOf(realmId: string, db: Executor = this.#db): Promise<Array<{ group_id: string; role_id: string }>> {
    return db
      .selectFrom('group_role')
      .innerJoin('app_group', 'app_group.id', 'group_role.group_id')
      .select(['group_role.group_id', 'group_role.role_id'])
      .where('app_group.realm_id', '=', realmId)
      .execute();
  }

  /** The group named `name` under `parentId` (null: top level). */
  async find(
    realmId: string,
    parentId: string | null,
    name: string,
    db: Executor = this.#db,
  ): Promise<GroupTable | undefined> {
    return db
      .selectFrom('app_group')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where((eb) => (parentId === null ? eb('parent_id', 'is', null) : eb('parent_id', '=', parentId)))
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async insert(
    id: string,
    realmId: string,
    parentId: string | null,
    name: string,
    attributes: string,
    db: Executor = this.#db,
  ): Promise<void> {
    await db
      .insertInto('app_group')
      .values({ id, realm_id: realmId, parent_id: parentId, name, attributes, created_at: Date.now() })
      .execute();
  }

  async update(
    id: string,
    values: { name?: string; attributes?: string; parent_id?: string | null },
    db: Executor = this.#db,
  ): Promise<void> {
    await db.updateTable('app_group').set(values).where('id', '=', id).execute();
  }

  /** Deletes a group with its subgroups, role mappings and memberships (foreign keys). */
  async delete(id: string, db: Executor = this.#db): Promise<void> {
    await db.deleteFrom('app_group').where('id', '=', id).execute();
  }

  async addRoles(groupId: string, roleIds: readonly string[], db: Executor = this.#db): Promise<void> {
    if (roleIds.length === 0) return;
    await db
      .insertInto('group_role')
      .values(roleIds.map((roleId) => ({ group_id: groupId, role_id: roleId })))
      .onConflict((oc) => oc.columns(['group_id', 'role_id']).doNothing())
      .execute();
  }

  async removeRoles(groupId: string, roleIds: readonly string[], db: Executor = this.#db): Promise<void> {
    if (roleIds.length === 0) return;
    await db.deleteFrom('group_role').where('group_id', '=', groupId).where('role_id', 'in', roleIds).execute();
  }

  async clearRoles(groupId: string, db: Executor = this.#db): Promise<void> {
    await db.deleteFrom('group_role').where('group_id', '=', groupId).execute();
  }
}
