// The one writer of `realm`, `client` and `app_user`: realm import and the admin API both write
// through it (their reads go through repository.ts, the admin lists through admin/admin-store.ts).
// Database triggers bump realm_config_version on every write here, so every process's realm cache
// sees the change on its next request (repository.ts).
import type { Executor } from '../store/executor.ts';
import type { ClientTable, RealmTable, UserTable } from '../store/schema.ts';

/** A realm's settings as realm-import/rows.ts makes them (its name is written separately). */
export type RealmRowValues = Omit<
  RealmTable,
  'id' | 'name' | 'created_at' | 'login_settings' | 'otp_policy' | 'required_action_settings'
> & {
  login_settings: string;
  otp_policy: string;
  required_action_settings: string;
};
export type ClientRowValues = Omit<ClientTable, 'id' | 'realm_id' | 'created_at'>;
/** Everything but the password hash, the imported Keycloak hash and the service-account link (set by linkServiceAccount). */
export type UserRowValues = Omit<
  UserTable,
  | 'id'
  | 'realm_id'
  | 'created_at'
  | 'password_hash'
  | 'imported_password'
  | 'required_actions'
  | 'service_account_client_id'
> & { required_actions: string };

/** A user as a realm import finds it before writing: to keep an unchanged password's hash. */
export interface StoredUser {
  id: string;
  username: string;
  password_hash: string | null;
  imported_password: string | null;
  enabled: 0 | 1;
}

/** What an import writes besides realms, clients and users, in the same transaction (realm-import/write-access.ts). */
export type ImportExtension = (
  tx: Executor,
  written: { clients: WrittenClient[]; users: WrittenUser[] },
) => Promise<void>;

/** A user of an import, as written: its username and id, and whether it is new. */
export interface WrittenUser {
  username: string;
  id: string;
  created: boolean;
}

/** One realm import's rows: the realm's settings, then clients and users matched by name. */
export interface RealmRows {
  realmId: string;
  /** Whether the realm exists already (update) or is new (insert). */
  exists: boolean;
  name: string;
  /** The realm's settings; null for a users file of a directory export, which has none. */
  realm: RealmRowValues | null;
  clients: Array<{ clientId: string; values: (existingSecret: string | null) => ClientRowValues }>;
  users: Array<{
    existingId: string | null;
    values: UserRowValues & { password_hash: string | null; imported_password: string | null };
  }>;
  /** Roles, groups, client scopes and mappers (issue 23), written after clients and users. */
  extension?: ImportExtension;
}

/** What became of one client of an import: its id and its secret before and after. */
export interface WrittenClient {
  clientId: string;
  id: string;
  previousSecret: string | null;
  secret: string | null;
  /** Whether the import created it (it had no client of that clientId). */
  created: boolean;
}

export class RealmWriter {
  readonly #db: Executor;
  readonly #newId: () => string;
  constructor(db: Executor, newId: () => string) {
    this.#db = db;
    this.#newId = newId;
  }

  // Realm import: match by name, then write everything in one transaction.

  async realmIdByName(name: string): Promise<string | undefined> {
    return (await this.#db.selectFrom('realm').select('id').where('name', '=', name).executeTakeFirst())?.id;
  }

  async usersOf(realmId: string): Promise<StoredUser[]> {
    return this.#db
      .selectFrom('app_user')
      .select(['id', 'username', 'password_hash', 'imported_password', 'enabled'])
      .where('realm_id', '=', realmId)
      .execute();
  }

  /** Writes a whole realm import in one transaction: all of it, or nothing. */
  async writeImport(rows: RealmRows, now: number): Promise<WrittenClient[]> {
    const written: WrittenClient[] = [];
    const writtenUsers: WrittenUser[] = [];
    await this.#db.transaction().execute(async (trx) => {
      if (rows.exists) {
        if (rows.realm) await trx.updateTable('realm').set(rows.realm).where('id', '=', rows.realmId).execute();
      } else if (rows.realm)
        await trx
          .insertInto('realm')
          .values({ id: rows.realmId, name: rows.name, created_at: now, ...rows.realm })
          .execute();
      else throw new Error(`realm ${rows.name} does not exist`);

      for (const client of rows.clients) {
        const existing = await trx
          .selectFrom('client')
          .select(['id', 'secret'])
          .where('realm_id', '=', rows.realmId)
          .where('client_id', '=', client.clientId)
          .executeTakeFirst();
        const id = existing?.id ?? this.#newId();
        const values = client.values(existing?.secret ?? null);
        if (existing) await trx.updateTable('client').set(values).where('id', '=', id).execute();
        else
          await trx
            .insertInto('client')
            .values({ id, realm_id: rows.realmId, created_at: now, ...values })
            .execute();
        written.push({
          clientId: client.clientId,
          id,
          previousSecret: existing?.secret ?? null,
          secret: values.secret,
          created: existing === undefined,
        });
      }

      for (const user of rows.users) {
        const id = user.existingId ?? this.#newId();
        if (user.existingId)
          await trx.updateTable('app_user').set(user.values).where('id', '=', user.existingId).execute();
        else
          await trx
            .insertInto('app_user')
            .values({ id, realm_id: rows.realmId, created_at: now, ...user.values })
            .execute();
        writtenUsers.push({ username: user.values.username, id, created: user.existingId === null });
      }
      if (rows.extension) await rows.extension(trx, { clients: written, users: writtenUsers });
    });
    return written;
  }

  // The admin API's writes, one row at a time.

  async updateRealm(id: string, name: string, values: RealmRowValues): Promise<void> {
    await this.#db
      .updateTable('realm')
      .set({ name, ...values })
      .where('id', '=', id)
      .execute();
  }

  async deleteRealm(id: string): Promise<void> {
    await this.#db.deleteFrom('realm').where('id', '=', id).execute();
  }

  async insertClient(id: string, realmId: string, values: ClientRowValues): Promise<void> {
    await this.#db
      .insertInto('client')
      .values({ id, realm_id: realmId, created_at: Date.now(), ...values })
      .execute();
  }

  async updateClient(id: string, values: Partial<ClientRowValues>): Promise<void> {
    await this.#db.updateTable('client').set(values).where('id', '=', id).execute();
  }

  async deleteClient(id: string): Promise<void> {
    await this.#db.deleteFrom('client').where('id', '=', id).execute();
  }

  async insertUser(id: string, realmId: string, passwordHash: string | null, values: UserRowValues): Promise<void> {
    await this.#db
      .insertInto('app_user')
      .values({ id, realm_id: realmId, created_at: Date.now(), password_hash: passwordHash, ...values })
      .execute();
  }

  async updateUser(id: string, values: Partial<UserRowValues> & { password_hash?: string | null }): Promise<void> {
    // (The sign-in's rehash of an imported hash and required actions write here too.)
    await this.#db.updateTable('app_user').set(values).where('id', '=', id).execute();
  }

  async deleteUser(id: string): Promise<void> {
    await this.#db.deleteFrom('app_user').where('id', '=', id).execute();
  }

  // Service-account users (issue 23): Keycloak's `service-account-{clientId}` of a client.

  /** The service-account user of a client (internal id), if it has one. */
  async serviceAccountOf(clientId: string, db: Executor = this.#db): Promise<string | undefined> {
    return (
      await db.selectFrom('app_user').select('id').where('service_account_client_id', '=', clientId).executeTakeFirst()
    )?.id;
  }

  /** Creates a client's service-account user: enabled, no password, no profile (ClientManager.enableServiceAccount). */
  async insertServiceAccount(
    id: string,
    realmId: string,
    clientId: string,
    username: string,
    db: Executor = this.#db,
  ): Promise<void> {
    await db
      .insertInto('app_user')
      .values({
        id,
        realm_id: realmId,
        username,
        email: null,
        email_verified: 0,
        first_name: null,
        last_name: null,
        enabled: 1,
        password_hash: null,
        attributes: '{}',
        service_account_client_id: clientId,
        created_at: Date.now(),
      })
      .execute();
  }

  /** Makes a user the service account of a client (an import's `serviceAccountClientId`). */
  async linkServiceAccount(userId: string, clientId: string | null, db: Executor = this.#db): Promise<void> {
    await db.updateTable('app_user').set({ service_account_client_id: clientId }).where('id', '=', userId).execute();
  }

  /** A user's id by username, in an import's transaction. */
  async userIdByUsername(realmId: string, username: string, db: Executor = this.#db): Promise<string | undefined> {
    return (
      await db
        .selectFrom('app_user')
        .select('id')
        .where('realm_id', '=', realmId)
        .where('username', '=', username)
        .executeTakeFirst()
    )?.id;
  }

  /** A realm's clients as an import's transaction sees them: ids, protocol, service accounts. */
  async clientsIn(
    realmId: string,
    db: Executor = this.#db,
  ): Promise<
    Array<{ id: string; client_id: string; protocol: ClientTable['protocol']; service_accounts_enabled: 0 | 1 }>
  > {
    return db
      .selectFrom('client')
      .select(['id', 'client_id', 'protocol', 'service_accounts_enabled'])
      .where('realm_id', '=', realmId)
      .execute();
  }

  /** The ids of a realm's users that are not service accounts (the start-up upgrade gives them the default role). */
  async personIdsOf(realmId: string, db: Executor = this.#db): Promise<string[]> {
    const rows = await db
      .selectFrom('app_user')
      .select('id')
      .where('realm_id', '=', realmId)
      .where('service_account_client_id', 'is', null)
      .execute();
    return rows.map((r) => r.id);
  }
}
