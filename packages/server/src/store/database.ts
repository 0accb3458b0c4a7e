// Opens the store: embedded SQLite (node:sqlite) by default, PostgreSQL (pg) for production
// and multi-process deployments. This file is the one place the two dialects differ.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { migrateToLatest } from './migrations.ts';
import type { Database } from './schema.ts';
import { createNodeSqliteDialect } from './sqlite-dialect.ts';

export type DialectName = 'sqlite' | 'postgres';

export type StoreConfig = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /**
   * Tells other server processes on the same database that `channel` has news
   * (PostgreSQL NOTIFY). A no-op on SQLite, which serves a single process.
   */
  notify(channel: string): Promise<void>;
  /** Calls `onNotify` when any process notifies `channel`; returns a function that stops listening. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const PG_INT8 = 20;

export async function openStore(config: StoreConfig): Promise<Store> {
  let db: Kysely<Database>;
  let pool: pg.Pool | undefined;
  if (config.kind === 'sqlite') {
    mkdirSync(config.dataDir, { recursive: true });
    db = new Kysely<Database>({ dialect: createNodeSqliteDialect(join(config.dataDir, 'sundown.db')) });
  } else {
    // Loaded only when used: the embedded store needs no PostgreSQL driver in memory.
    const { default: pgModule } = await import('pg');
    pool = new pgModule.Pool({
      connectionString: config.url,
      max: 10,
      // bigint columns hold epoch milliseconds, well inside Number's safe range.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === PG_INT8 ? Number : pgModule.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client whose connection the server ends (restart, failover) emits 'error' on the
    // pool; without a listener that would crash the process. The next query reconnects, and
    // errors of queries in progress reach their callers.
    pool.on('error', () => {});
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  try {
    await migrateToLatest(db as Kysely<unknown>, config.kind);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const listeners = new Set<pg.Client>();
  return {
    db,
    dialect: config.kind,
    async notify(channel) {
      if (pool) await pool.query('SELECT pg_notify($1, $2)', [channel, '']);
    },
    async listen(channel, onNotify) {
      if (config.kind !== 'postgres') return async () => {};
      // LISTEN needs its own connection for as long as it listens.
      const { default: pgModule } = await import('pg');
      const client = new pgModule.Client({ connectionString: config.url });
      await client.connect();
      client.on('notification', (msg) => {
        if (msg.channel === channel) onNotify();
      });
      client.on('error', () => {});
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      listeners.add(client);
      return async () => {
        listeners.delete(client);
        await client.end().catch(() => {});
      };
    },
    async close() {
      await Promise.all([...listeners].map((c) => c.end().catch(() => {})));
      await db.destroy();
    },
  };
}
