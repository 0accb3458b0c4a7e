// Owner of `logout` and `logout_session`: one row per end of sessions — whatever ended them — with
// its trigger, who started it and the sessions it ended. The logout service writes them in the
// transaction that ends the sessions; every delivery of every channel names the logout's id.
import type { Kysely } from 'kysely';
import type { Database, LogoutSessionTable, LogoutTable } from '../store/schema.ts';

/** Rows per INSERT, well inside SQLite's and PostgreSQL's parameter limits. */
const INSERT_CHUNK = 200;

export class LogoutStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** A new logout, in the caller's transaction. */
  async insert(row: LogoutTable, db: Kysely<Database> = this.#db): Promise<void> {
    await db.insertInto('logout').values(row).execute();
  }

  /**
   * Adds a later batch's sessions to a logout (a mass logout ends its sessions in several
   * transactions); `userId` null: they were not all the logout's one user.
   */
  async addSessions(
    id: string,
    sessions: readonly LogoutSessionTable[],
    userId: string | null,
    db: Kysely<Database> = this.#db,
  ): Promise<void> {
    await db
      .updateTable('logout')
      .set((eb) => ({
        session_count: eb('session_count', '+', sessions.length),
        ...(userId === null ? { user_id: null } : {}),
      }))
      .where('id', '=', id)
      .execute();
    await this.insertSessions(sessions, db);
  }

  async insertSessions(sessions: readonly LogoutSessionTable[], db: Kysely<Database> = this.#db): Promise<void> {
    for (let i = 0; i < sessions.length; i += INSERT_CHUNK) {
      await db
        .insertInto('logout_session')
        .values(sessions.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  }

  async byId(realmId: string, id: string): Promise<LogoutTable | undefined> {
    return this.#db
      .selectFrom('logout')
      .selectAll()
      .where('id', '=', id)
      .where('realm_id', '=', realmId)
      .executeTakeFirst();
  }

  /** By id whatever its realm (`sundown trace <id>`; ids are unique across realms). */
  async byIdAnyRealm(id: string): Promise<LogoutTable | undefined> {
    return this.#db.selectFrom('logout').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The sessions a logout ended. */
  async sessionsOf(logoutId: string): Promise<LogoutSessionTable[]> {
    return this.#db
      .selectFrom('logout_session')
      .selectAll()
      .where('logout_id', '=', logoutId)
      .orderBy('sso_session_id')
      .execute();
  }

  /** The newest logouts that ended sessions of this user, newest first. */
  async ofUser(realmId: string, userId: string, limit: number): Promise<LogoutTable[]> {
    return this.#db
      .selectFrom('logout')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('logout_session as ls')
            .select('ls.logout_id')
            .whereRef('ls.logout_id', '=', 'logout.id')
            .where('ls.realm_id', '=', realmId)
            .where('ls.user_id', '=', userId),
        ),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }
}
