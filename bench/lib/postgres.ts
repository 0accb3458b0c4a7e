// A throwaway PostgreSQL database per benchmark server: created before, dropped (FORCE) after.
import pg from 'pg';

export const PG_ADMIN_URL = process.env.SUNDOWN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ThrowawayDatabase {
  url: string;
  drop(): Promise<void>;
}

let counter = 0;

export async function createThrowawayDatabase(): Promise<ThrowawayDatabase> {
  const name = `sundown_bench_${process.pid}_${counter++}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
