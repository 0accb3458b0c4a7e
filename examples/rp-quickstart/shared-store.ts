// Several instances of the app: instead of app.ts's MemoryLogoutStore, one store they all share,
// so a logout token that reaches one instance ends the session on every instance.
import { Pool } from 'pg';
import { createClient } from 'redis';
import type { LogoutStore } from '@sundown/rp';
import { PostgresLogoutStore } from '@sundown/rp/postgres';
import { RedisLogoutStore } from '@sundown/rp/redis';

export const store: LogoutStore = process.env.REDIS_URL
  ? new RedisLogoutStore(await createClient({ url: process.env.REDIS_URL }).connect())
  : new PostgresLogoutStore(new Pool({ connectionString: process.env.DATABASE_URL })); // creates its tables
