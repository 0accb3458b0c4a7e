// Reads of realms, clients and users.
//
// Realms and clients are read on every protocol request (two of a client-credentials grant's
// three statements before issue 13) and change only through admin writes and realm imports, so
// they are cached per process. A cached row is used only after one read of
// `realm_config_version`, a counter that database triggers bump on every write to `realm` or
// `client` from any process or tool (migration 0013): a committed change — a client disabled,
// a secret rotated, a realm removed — is seen by the very next lookup, on SQLite as on
// PostgreSQL with several processes, with no notification that could be lost and no TTL during
// which a disabled client would still get tokens. Users are not cached (a disabled user is
// refused at once; the refresh grant reads the row anyway).
//
// Within one protocol request (`snapshot`, entered by http/route.ts) the counter is read once:
// the request's realm, client and not-before lookups all see the configuration as of its first
// lookup, as if read together at that moment — one statement per request, not one per lookup.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CompiledQuery } from 'kysely';
import type { Executor } from '../store/executor.ts';
import { prepareQuery } from '../store/prepared.ts';
import { type Client, clientFromRow, type Realm, realmFromRow, type User, userFromRow } from './model.ts';

/** Entries per map before it is emptied: an upper bound on memory, far above real realm sizes. */
const MAX_ENTRIES = 10_000;

/** A request's view: the cache generation its first lookup checked against the store. */
interface Snapshot {
  repository?: RealmRepository;
  generation?: number;
}
const snapshots = new AsyncLocalStorage<Snapshot>();

export class RealmRepository {
  readonly #db: Executor;
  /** Compiled once: the check runs on every cached lookup. */
  readonly #versionQuery: CompiledQuery<{ version: number | string }>;
  #version: number | undefined;
  /** Bumped whenever the maps are emptied, so that a read begun before cannot store a stale row. */
  #generation = 0;
  readonly #realmsByName = new Map<string, Realm>();
  readonly #realmsById = new Map<string, Realm>();
  readonly #clients = new Map<string, Client>();
  readonly #clientsById = new Map<string, Client>();
  // Compiled once: every refresh grant and bearer check reads the user (store/prepared.ts).
  readonly #userById = prepareQuery(
    (db, id: string) => db.selectFrom('app_user').selectAll().where('id', '=', id).limit(1),
    1,
  );
  readonly #serviceAccount = prepareQuery(
    (db, clientId: string) =>
      db.selectFrom('app_user').selectAll().where('service_account_client_id', '=', clientId).limit(1),
    1,
  );

  constructor(db: Executor) {
    this.#db = db;
    this.#versionQuery = db.selectFrom('realm_config_version').select('version').where('id', '=', 1).compile();
  }

  /**
   * Runs `work` (one protocol request) with one check of the realm configuration: its first
   * cached lookup reads the counter, later ones trust that read unless the cache was emptied
   * meanwhile. Only for work that does not itself change realms or clients.
   */
  snapshot<T>(work: () => Promise<T>): Promise<T> {
    return snapshots.run({}, work);
  }

  /**
   * The cache generation valid now, read from the store unless the current snapshot did already.
   * Other owners with configuration caches (not-before times, whose table the same counter
   * covers) key their entries by it.
   */
  async configGeneration(): Promise<number> {
    const snapshot = snapshots.getStore();
    if (snapshot?.repository === this && snapshot.generation === this.#generation) return this.#generation;
    const generation = await this.#checkVersion();
    if (snapshot) {
      snapshot.repository = this;
      snapshot.generation = generation;
    }
    return generation;
  }

  /** Every realm (start-up checks, the sweeper). */
  async allRealms(): Promise<Realm[]> {
    return (await this.#db.selectFrom('realm').selectAll().orderBy('name').execute()).map(realmFromRow);
  }

  async realmByName(name: string): Promise<Realm | undefined> {
    return this.#cached(this.#realmsByName, name, async () => {
      const row = await this.#db.selectFrom('realm').selectAll().where('name', '=', name).executeTakeFirst();
      return row && realmFromRow(row);
    });
  }

  async realmById(id: string): Promise<Realm | undefined> {
    return this.#cached(this.#realmsById, id, async () => {
      const row = await this.#db.selectFrom('realm').selectAll().where('id', '=', id).executeTakeFirst();
      return row && realmFromRow(row);
    });
  }

  async clientByClientId(realmId: string, clientId: string): Promise<Client | undefined> {
    return this.#cached(this.#clients, `${realmId}\u0000${clientId}`, async () => {
      const row = await this.#db
        .selectFrom('client')
        .selectAll()
        .where('realm_id', '=', realmId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row && clientFromRow(row);
    });
  }

  /** A realm's clients, ordered by clientId. */
  async clientsOf(realmId: string): Promise<Client[]> {
    return (
      await this.#db.selectFrom('client').selectAll().where('realm_id', '=', realmId).orderBy('client_id').execute()
    ).map(clientFromRow);
  }

  async clientById(id: string): Promise<Client | undefined> {
    return this.#cached(this.#clientsById, id, async () => {
      const row = await this.#db.selectFrom('client').selectAll().where('id', '=', id).executeTakeFirst();
      return row && clientFromRow(row);
    });
  }

  async userById(id: string): Promise<User | undefined> {
    const row = (await this.#userById(this.#db, id)).rows[0];
    return row && userFromRow(row);
  }

  /** A client's service-account user (Keycloak's `service-account-{clientId}`), read on every client-credentials grant. */
  async serviceAccountOf(clientId: string): Promise<User | undefined> {
    const row = (await this.#serviceAccount(this.#db, clientId)).rows[0];
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

  /**
   * The user with this email address, compared case-insensitively as Keycloak stores emails
   * lower-case; undefined when none or several have it.
   */
  /** The ids of the users with this email address, compared without case (at most 2). */
  async userIdsByEmail(realmId: string, email: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('app_user')
      .select('id')
      .where('realm_id', '=', realmId)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .limit(2)
      .execute();
    return rows.map((r) => r.id);
  }

  async userByEmail(realmId: string, email: string): Promise<User | undefined> {
    const rows = await this.#db
      .selectFrom('app_user')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .limit(2)
      .execute();
    return rows.length === 1 ? userFromRow(rows[0]!) : undefined;
  }

  /**
   * The cached value of `key` if the store's realm configuration is unchanged since it was read,
   * else a fresh read. Misses are not cached (unknown client ids cost no memory).
   */
  async #cached<T extends object>(
    map: Map<string, T>,
    key: string,
    read: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const generation = await this.configGeneration();
    const hit = map.get(key);
    if (hit) return hit;
    const value = await read();
    // Stored only if nothing was invalidated while it was read: the row may predate that change.
    if (value && generation === this.#generation) {
      if (map.size >= MAX_ENTRIES) map.clear();
      map.set(key, deepFreeze(value));
    }
    return value;
  }

  /** Reads the counter; empties the cache when it moved. Returns the cache generation now valid. */
  async #checkVersion(): Promise<number> {
    const { rows } = await this.#db.executeQuery(this.#versionQuery);
    // PostgreSQL returns bigint as a string unless the pool parses it (store/database.ts does).
    const version = Number(rows[0]?.version ?? Number.NaN);
    if (version !== this.#version || Number.isNaN(version)) {
      this.#version = version;
      this.#generation++;
      this.#realmsByName.clear();
      this.#realmsById.clear();
      this.#clients.clear();
      this.#clientsById.clear();
    }
    return this.#generation;
  }
}

/** Cached objects are shared by every request: none may change one for the others. */
function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value))
    if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v as object);
  return Object.freeze(value);
}
