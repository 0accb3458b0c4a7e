// The user_role and user_group tables: the roles mapped to a user and the groups a user is a
// member of. They are read on every token for the user (one statement, prepared), never cached:
// a role taken away is gone from the next token. Writes serve realm import and the admin API.
import type { Executor } from '../store/executor.ts';
import { prepareQuery } from '../store/prepared.ts';
import type { Selectable } from 'kysely';
import type { UserTable } from '../store/schema.ts';

/** What a user is given directly: role mappings and group memberships (ids). */
export interface UserGrants {
  roleIds: string[];
  groupIds: string[];
}

export class UserAccessStore {
  readonly #db: Executor;
  // One statement per token: the user's roles and groups together.
  readonly #grants = prepareQuery(
    (db, userId: string, sameUserId: string) =>
      db
        .selectFrom('user_role')
        .select(['role_id as id', (eb) => eb.val('r').as('kind')])
        .where('user_id', '=', userId)
        .unionAll(
          db
            .selectFrom('user_group')
            .select(['group_id as id', (eb) => eb.val('g').as('kind')])
            .where('user_id', '=', sameUserId),
        ),
    2,
  );
  constructor(db: Executor) {
    this.#db = db;
  }

  async grantsOf(userId: string): Promise<UserGrants> {
    const { rows } = await this.#grants(this.#db, userId, userId);
    const grants: UserGrants = { roleIds: [], groupIds: [] };
    for (const row of rows) (row.kind === 'r' ? grants.roleIds : grants.groupIds).push(row.id);
    return grants;
  }

  async grantRoles(userId: string, roleIds: readonly string[], db: Executor = this.#db): Promise<void> {
    if (roleIds.length === 0) return;
    await db
      .insertInto('user_role')
      .values(roleIds.map((roleId) => ({ user_id: userId, role_id: roleId })))
      .onConflict((oc) => oc.columns(['user_id', 'role_id']).doNothing())
      .execute();
  }

  async revokeRoles(userId: string, roleIds: readonly string[], db: Executor = this.#db): Promise<void> {
    if (roleIds.length === 0) return;
    await db.deleteFrom('user_role').where('user_id', '=', userId).where('role_id', 'in', roleIds).execute();
  }

  async clearRoles(userId: string, db: Executor = this.#db): Promise<void> {
    await db.deleteFrom('user_role').where('user_id', '=', userId).execute();
  }

  /** Gives each of these users a role (the realm's default role to a realm's users). */
  async grantToUsers(userIds: readonly string[], roleId: string, db: Executor = this.#db): Promise<void> {
    for (let i = 0; i < userIds.length; i += 500) {
      const chunk = userIds.slice(i, i + 500);
      await db
        .insertInto('user_role')
        .values(chunk.map((userId) => ({ user_id: userId, role_id: roleId })))
        .onConflict((oc) => oc.columns(['user_id', 'role_id']).doNothing())
        .execute();
    }
  }

  async joinGroups(userId: string, groupIds: readonly string[], db: Executor = this.#db): Promise<void> {
    if (groupIds.length === 0) return;
    await db
      .insertInto('user_group')
      .values(groupIds.map((groupId) => ({ user_id: userId, group_id: groupId })))
      .onConflict((oc) => oc.columns(['user_id', 'group_id']).doNothing())
      .execute();
  }

  async leaveGroup(userId: string, groupId: string, db: Executor = this.#db): Promise<void> {
    await db.deleteFrom('user_group').where('user_id', '=', userId).where('group_id', '=', groupId).execute();
  }

  async clearGroups(userId: string, db: Executor = this.#db): Promise<void> {
    await db.deleteFrom('user_group').where('user_id', '=', userId).execute();
  }

  // The admin API's lists (Keycloak's …/roles/{role}/users and …/groups/{id}/members).

  /** Users with a role mapped directly, by username. */
  async usersWithRole(roleId: string, page: { first: number; max: number }): Promise<Selectable<UserTable>[]> {
    return this.#db
      .selectFrom('user_role')
      .innerJoin('app_user', 'app_user.id', 'user_role.user_id')
      .selectAll('app_user')
      .where('user_role.role_id', '=', roleId)
      .orderBy('app_user.username')
      .offset(page.first)
      .limit(page.max)
      .execute();
  }

  /** A group's direct members, by username. */
  async membersOf(groupId: string, page: { first: number; max: number }): Promise<Selectable<UserTable>[]> {
    return this.#db
      .selectFrom('user_group')
      .innerJoin('app_user', 'app_user.id', 'user_group.user_id')
      .selectAll('app_user')
      .where('user_group.group_id', '=', groupId)
      .orderBy('app_user.username')
      .offset(page.first)
      .limit(page.max)
      .execute();
  }
}
