// Opens the store: embedded SQLite (node:sqlite) by default, PostgreSQL (pg) for production
// and multi-process deployments. This file is the one place the two dialects differ.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrations.ts';
import type { Database } from './schema.ts';
import { createNodeSqliteDialect } from './sqlite-dialect.ts';

export type DialectName = 'sqlite' | 'postgres';

export type StoreConfig = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

const PG_INT8 = 20;

export async function openStore(config: StoreConfig): Promise<Store> {
  let db: Kysely<Database>;
  if (config.kind === 'sqlite') {
    mkdirSync(config.dataDir, { recursive: true });
    db = new Kysely<Database>({ dialect: createNodeSqliteDialect(join(config.dataDir, 'sundown.db')) });
  } else {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: 10,
      // bigint columns hold epoch milliseconds, well inside Number's safe range.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === PG_INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  try {
    await migrateToLatest(db as Kysely<unknown>, config.kind);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, dialect: config.kind, close: () => db.destroy() };
}
