// The LogoutStore implementations the shared suite runs against: memory always, Redis and
// PostgreSQL when the global test setup found or started them.
import pg from 'pg';
import { createClient } from 'redis';
import { MemoryLogoutStore } from '../../src/stores/memory-store.ts';
import { PostgresLogoutStore } from '../../src/stores/postgres-store.ts';
import { RedisLogoutStore } from '../../src/stores/redis-store.ts';
import type { LogoutStore } from '../../src/stores/store.ts';

export interface StoreFactory {
  name: string;
  skip: string | undefined;
  /** A fresh, isolated store; call it twice on one backend for two "instances" of an app. */
  open(namespace: string): Promise<{ store: LogoutStore; close(): Promise<void> }>;
  cleanup(namespace: string): Promise<void>;
}

const redisUrl = process.env.SUNDOWN_TEST_REDIS_URL;
const pgUrl = process.env.SUNDOWN_TEST_PG_URL;

export const STORES: StoreFactory[] = [
  {
    name: 'memory',
    skip: undefined,
    async open() {
      const store = new MemoryLogoutStore();
      return { store, close: () => store.close() };
    },
    async cleanup() {},
  },
  {
    name: 'redis',
    skip: redisUrl ? undefined : 'SKIPPED: no Redis server or redis-server binary on this machine',
    async open(namespace) {
      const client = createClient({ url: redisUrl });
      await client.connect();
      const store = new RedisLogoutStore(client, { prefix: `t:${namespace}:` });
      return { store, close: () => client.quit().then(() => undefined) };
    },
    async cleanup() {},
  },
  {
    name: 'postgres',
    skip: pgUrl ? undefined : 'SKIPPED: no PostgreSQL server or binaries on this machine',
    async open(namespace) {
      const pool = new pg.Pool({ connectionString: pgUrl, max: 4 });
      const store = new PostgresLogoutStore(pool, { tablePrefix: `t_${namespace}_` });
      return { store, close: () => pool.end() };
    },
    async cleanup(namespace) {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      for (const t of ['marker', 'jti', 'session_index'])
        await client.query(`DROP TABLE IF EXISTS t_${namespace}_${t}`);
      await client.end();
    },
  },
];

export function namespace(): string {
  return `ns${process.pid}${Math.random().toString(36).slice(2, 8)}`;
}
