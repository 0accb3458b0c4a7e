// PostgreSQL store: markers and seen jtis shared by every instance of the app, in three small
// tables created on first use. Works with a `pg.Pool` (or anything with the same `query`).
import { type LogoutMarker, type LogoutStore, parseMarker, type SessionKey } from './store.ts';

export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>;
}

/** A dedicated connection for LISTEN (pg: a client from `pool.connect()`). */
export interface PgListenClient {
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  removeListener(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  release(err?: Error | boolean): void;
}

export interface PostgresLogoutStoreOptions {
  /**
   * How the tab relay gets its LISTEN connection; default `pool.connect()` (pg.Pool). Each
   * subscription holds one connection until it unsubscribes.
   */
  listenClient?: () => Promise<PgListenClient>;
  /** Table name prefix (default `sundown_rp_`). Letters, digits and `_` only. */
  tablePrefix?: string;
  /** Close the pool on `close()` (default false: the app owns it). */
  closePool?: () => Promise<unknown>;
}

const CLEANUP_EVERY_MS = 60_000;

export class PostgresLogoutStore implements LogoutStore {
  readonly #pg: PgQueryable;
  readonly #t: { marker: string; jti: string; index: string };
  readonly #closePool: (() => Promise<unknown>) | undefined;
  readonly #listenClient: (() => Promise<PgListenClient>) | undefined;
  readonly #channel: string;
  #ready: Promise<void> | undefined;
  #lastCleanup = 0;

  constructor(pool: PgQueryable, options: PostgresLogoutStoreOptions = {}) {
    const prefix = options.tablePrefix ?? 'sundown_rp_';
    if (!/^[a-z_][a-z0-9_]*$/i.test(prefix)) throw new TypeError('tablePrefix may contain only letters, digits and _');
    this.#pg = pool;
    this.#t = { marker: `${prefix}marker`, jti: `${prefix}jti`, index: `${prefix}session_index` };
    this.#closePool = options.closePool;
    const connectable = pool as PgQueryable & { connect?: () => Promise<PgListenClient> };
    this.#listenClient =
      options.listenClient ?? (typeof connectable.connect === 'function' ? () => connectable.connect!() : undefined);
    // NOTIFY channels are identifiers: the validated prefix keeps this one safe to inline.
    this.#channel = `${prefix}logout`.toLowerCase();
  }

  async publishLogout(marker: LogoutMarker): Promise<void> {
    await this.#pg.query('SELECT pg_notify($1, $2)', [this.#channel, JSON.stringify(marker)]);
  }

  async subscribeLogouts(listener: (marker: LogoutMarker) => void): Promise<() => Promise<void>> {
    if (!this.#listenClient)
      throw new TypeError('PostgresLogoutStore needs a `listenClient` option (its pool has no connect())');
    const client = await this.#listenClient();
    const onNotification = (message: { channel: string; payload?: string }) => {
      if (message.channel !== this.#channel || message.payload === undefined) return;
      const marker = parseMarker(message.payload);
      if (marker) listener(marker);
    };
    client.on('notification', onNotification);
    try {
      await client.query(`LISTEN ${this.#channel}`);
    } catch (err) {
      client.removeListener('notification', onNotification);
      client.release(true);
      throw err;
    }
    return async () => {
      client.removeListener('notification', onNotification);
      try {
        await client.query(`UNLISTEN ${this.#channel}`);
        client.release();
      } catch (err) {
        client.release(err instanceof Error ? err : true);
      }
    };
  }

  /** Creates the tables if needed (safe from several processes at once). */
  ready(): Promise<void> {
    this.#ready ??= this.#createTables().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async #createTables(): Promise<void> {
    const { marker, jti, index } = this.#t;
    // One transaction under an advisory lock: concurrent CREATE TABLE IF NOT EXISTS can race.
    await this.#pg.query(`DO $$ BEGIN
      PERFORM pg_advisory_xact_lock(hashtext('${marker}'));
      CREATE TABLE IF NOT EXISTS ${marker} (kind text NOT NULL, iss text NOT NULL, subject text NOT NULL, logged_out_at bigint NOT NULL, expires_at bigint NOT NULL, PRIMARY KEY (kind, iss, subject));
      CREATE TABLE IF NOT EXISTS ${jti} (iss text NOT NULL, jti text NOT NULL, expires_at bigint NOT NULL, PRIMARY KEY (iss, jti));
      CREATE TABLE IF NOT EXISTS ${index} (kind text NOT NULL, iss text NOT NULL, subject text NOT NULL, app_session_id text NOT NULL, expires_at bigint NOT NULL, PRIMARY KEY (kind, iss, subject, app_session_id));
    END $$;`);
  }

  async #cleanup(now: number): Promise<void> {
    if (now - this.#lastCleanup < CLEANUP_EVERY_MS) return;
    this.#lastCleanup = now;
    for (const table of Object.values(this.#t))
      await this.#pg.query(`DELETE FROM ${table} WHERE expires_at < $1`, [now]);
  }

  async rememberJti(iss: string, jti: string, ttlSeconds: number): Promise<boolean> {
    await this.ready();
    const now = Date.now();
    await this.#cleanup(now);
    // An expired row of the same jti may linger until cleanup: it no longer counts.
    const res = await this.#pg.query(
      `INSERT INTO ${this.#t.jti} (iss, jti, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (iss, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE ${this.#t.jti}.expires_at < $4`,
      [iss, jti, now + Math.ceil(ttlSeconds * 1000), now],
    );
    return res.rowCount === 1;
  }

  async forgetJti(iss: string, jti: string): Promise<void> {
    await this.ready();
    await this.#pg.query(`DELETE FROM ${this.#t.jti} WHERE iss = $1 AND jti = $2`, [iss, jti]);
  }

  async markLoggedOut(marker: LogoutMarker, ttlSeconds: number): Promise<void> {
    await this.ready();
    const [kind, subject] = marker.sid !== undefined ? ['sid', marker.sid] : ['sub', marker.sub];
    if (subject === undefined) return;
    await this.#pg.query(
      `INSERT INTO ${this.#t.marker} (kind, iss, subject, logged_out_at, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, iss, subject) DO UPDATE SET logged_out_at = GREATEST(${this.#t.marker}.logged_out_at, EXCLUDED.logged_out_at), expires_at = GREATEST(${this.#t.marker}.expires_at, EXCLUDED.expires_at)`,
      [kind, marker.iss, subject, marker.at, Date.now() + ttlSeconds * 1000],
    );
  }

  async markersFor(key: SessionKey): Promise<{ sid?: number; sub?: number }> {
    await this.ready();
    const res = await this.#pg.query(
      `SELECT kind, logged_out_at FROM ${this.#t.marker} WHERE iss = $1 AND expires_at > $4 AND ((kind = 'sid' AND subject = $2) OR (kind = 'sub' AND subject = $3))`,
      [key.iss, key.sid ?? null, key.sub ?? null, Date.now()],
    );
    const out: { sid?: number; sub?: number } = {};
    for (const row of res.rows) out[row.kind as 'sid' | 'sub'] = Number(row.logged_out_at);
    return out;
  }

  async indexSession(key: SessionKey, appSessionId: string, ttlSeconds: number): Promise<void> {
    await this.ready();
    const expires = Date.now() + ttlSeconds * 1000;
    for (const [kind, subject] of [
      ['sid', key.sid],
      ['sub', key.sub],
    ] as const) {
      if (subject === undefined) continue;
      await this.#pg.query(
        `INSERT INTO ${this.#t.index} (kind, iss, subject, app_session_id, expires_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kind, iss, subject, app_session_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
        [kind, key.iss, subject, appSessionId, expires],
      );
    }
  }

  async takeIndexedSessions(key: SessionKey): Promise<string[]> {
    await this.ready();
    const [kind, subject] = key.sid !== undefined ? ['sid', key.sid] : ['sub', key.sub];
    const res = await this.#pg.query(
      `DELETE FROM ${this.#t.index} WHERE kind = $1 AND iss = $2 AND subject = $3 AND expires_at > $4 RETURNING app_session_id`,
      [kind, key.iss, subject, Date.now()],
    );
    return res.rows.map((r) => String(r.app_session_id));
  }

  async close(): Promise<void> {
    await this.#closePool?.();
  }
}
