// Reads of realms, clients and users.
import type { Executor } from '../store/executor.ts';
import { type Client, clientFromRow, type Realm, realmFromRow, type User, userFromRow } from './model.ts';

export class RealmRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  /** Every realm (start-up checks, the sweeper). */
  async allRealms(): Promise<Realm[]> {
    return (await this.#db.selectFrom('realm').selectAll().orderBy('name').execute()).map(realmFromRow);
  }

  async realmByName(name: string): Promise<Realm | undefined> {
    const row = await this.#db.selectFrom('realm').selectAll().where('name', '=', name).executeTakeFirst();
    return row && realmFromRow(row);
  }

  async realmById(id: string): Promise<Realm | undefined> {
    const row = await this.#db.selectFrom('realm').selectAll().where('id', '=', id).executeTakeFirst();
    return row && realmFromRow(row);
  }

  async clientByClientId(realmId: string, clientId: string): Promise<Client | undefined> {
    const row = await this.#db
      .selectFrom('client')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return row && clientFromRow(row);
  }

  /** A realm's clients, ordered by clientId. */
  async clientsOf(realmId: string): Promise<Client[]> {
    return (await this.#db.selectFrom('client').selectAll().where('realm_id', '=', realmId).orderBy('client_id').execute()).map(clientFromRow);
  }

  async clientById(id: string): Promise<Client | undefined> {
    const row = await this.#db.selectFrom('client').selectAll().where('id', '=', id).executeTakeFirst();
    return row && clientFromRow(row);
  }

  async userById(id: string): Promise<User | undefined> {
    const row = await this.#db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
    return row && userFromRow(row);
  }

  /** Usernames are case-insensitive, as in Keycloak (stored lower-case). */
  async userByUsername(realmId: string, username: string): Promise<User | undefined> {
    const row = await this.#db
      .selectFrom('app_user')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where('username', '=', username.toLowerCase())
      .executeTakeFirst();
    return row && userFromRow(row);
  }
}
