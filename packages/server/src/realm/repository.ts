// Reads of realms, clients and users.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { type Client, clientFromRow, type Realm, realmFromRow, type User, userFromRow } from './model.ts';

export class RealmRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
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

  /** Every client of a realm (CORS preflights and the iframe pages need the union of their web origins). */
  async clientsOfRealm(realmId: string): Promise<Client[]> {
    const rows = await this.#db.selectFrom('client').selectAll().where('realm_id', '=', realmId).execute();
    return rows.map(clientFromRow);
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
