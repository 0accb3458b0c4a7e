// Opens the store: embedded SQLite (node:sqlite) by default, PostgreSQL (pg) for production
// and multi-process deployments. This file is the one place the two dialects differ.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { type Logger, pino } from 'pino';
import type { DialectName } from './dialect-name.ts';
import { migrateToLatest } from './migrations.ts';
import { NotificationListener } from './notification-listener.ts';
import type { Database } from './schema.ts';
import { createNodeSqliteDialect } from './sqlite-dialect.ts';

export type StoreConfig = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /**
   * Tells other server processes on the same database that `channel` has news
   * (PostgreSQL NOTIFY). A no-op on SQLite, which serves a single process.
   */
  notify(channel: string): Promise<void>;
  /**
   * Calls `onNotify` when any process notifies `channel`, and once after the listening connection
   * was lost and made again (notifications in between are lost); returns a function that stops
   * listening.
   */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const PG_INT8 = 20;

/** Opening a PostgreSQL connection gives up after this long (a failover may blackhole packets). */
const CONNECT_TIMEOUT_MS = 10_000;

export async function openStore(config: StoreConfig, log: Logger = pino({ level: 'silent' })): Promise<Store> {
  let db: Kysely<Database>;
  let pool: pg.Pool | undefined;
  let listener: NotificationListener | undefined;
  if (config.kind === 'sqlite') {
    mkdirSync(config.dataDir, { recursive: true });
    db = new Kysely<Database>({ dialect: createNodeSqliteDialect(join(config.dataDir, 'sundown.db')) });
  } else {
    // Loaded only when used: the embedded store needs no PostgreSQL driver in memory.
    const { default: pgModule } = await import('pg');
    pool = new pgModule.Pool({
      connectionString: config.url,
      max: 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      // bigint columns hold epoch milliseconds, well inside Number's safe range.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === PG_INT8 ? Number : pgModule.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // A connection the server ends (restart, failover, pg_terminate_backend) emits 'error' on its
    // client, whether idle in the pool or checked out between two queries; without a listener
    // that would crash the process. Queries in progress fail to their callers (answered 503),
    // the broken client leaves the pool when released, and the next query connects anew.
    pool.on('connect', (client) => {
      client.on('error', (err) => log.warn({ err: String(err) }, 'database connection lost'));
    });
    // The pool re-emits an idle client's error; the client's own listener has logged it.
    pool.on('error', () => {});
    const url = config.url;
    listener = new NotificationListener({
      connect: async () => {
        const client = new pgModule.Client({
          connectionString: url,
          connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
          keepAlive: true,
        });
        // Errors while connecting reject connect(); this keeps a late one from crashing us.
        client.on('error', () => {});
        await client.connect();
        return client;
      },
      log,
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  try {
    await migrateToLatest(db as Kysely<unknown>, config.kind);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return {
    db,
    dialect: config.kind,
    async notify(channel) {
      if (pool) await pool.query('SELECT pg_notify($1, $2)', [channel, '']);
    },
    async listen(channel, onNotify) {
      if (!listener) return async () => {};
      const stop = await listener.listen(channel, onNotify);
      return async () => stop();
    },
    async close() {
      await listener?.close();
      await db.destroy();
    },
  };
}
