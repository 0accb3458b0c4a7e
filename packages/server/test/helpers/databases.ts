// The stores every storage-backed suite runs against: SQLite always, PostgreSQL when the
// global test setup found or started a server (SUNDOWN_TEST_PG_URL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreConfig } from '../../src/store/database.ts';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Why the suite cannot run here, or undefined when it can. */
  skip: string | undefined;
  /** A fresh, empty store; `drop` removes it. */
  create(): Promise<{ config: StoreConfig; drop(): Promise<void> }>;
}

const sqlite: TestDatabase = {
  name: 'sqlite',
  skip: undefined,
  async create() {
    const dataDir = mkdtempSync(join(tmpdir(), 'sundown-test-'));
    return {
      config: { kind: 'sqlite', dataDir },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
};

const pgUrl = process.env.SUNDOWN_TEST_PG_URL;

const postgres: TestDatabase = {
  name: 'postgres',
  skip: pgUrl ? undefined : 'SKIPPED: no PostgreSQL server or binaries on this machine (see the test run header)',
  async create() {
    if (!pgUrl) throw new Error('PostgreSQL is not available');
    const name = `sundown_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(pgUrl);
    url.pathname = `/${name}`;
    return {
      config: { kind: 'postgres', url: url.toString() },
      async drop() {
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  },
};

export const TEST_DATABASES: TestDatabase[] = [sqlite, postgres];
