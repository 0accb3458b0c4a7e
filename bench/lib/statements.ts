// Counts the SQL statements the in-process server sends, without a hook in its sources: the
// bench wraps the two drivers' public entry points for the duration of a counting phase —
// node:sqlite's StatementSync.all/get/run/iterate (Sundown's SQLite bridge runs every query,
// BEGIN and COMMIT included, through a prepared statement) and pg's Client.prototype.query
// (every pooled connection is a pg.Client of the one hoisted `pg` module). Counting phases are
// separate from the timed phases, so the wrappers never cost measured throughput.
import { StatementSync } from 'node:sqlite';
import pg from 'pg';

export interface StatementCount {
  total: number;
  /** Statements by their first words (e.g. `select … "client"`, `insert … "event"`). */
  byKind: Record<string, number>;
  /** SQLite only: main-thread milliseconds inside the synchronous driver call, by kind. */
  msByKind: Record<string, number>;
}

/** `select "a", "b" from "client" where …` → `select … from "client"`; `begin`, `commit` as they are. */
export function statementKind(sql: string): string {
  const s = sql.trim().replace(/\s+/g, ' ').toLowerCase();
  const verb = s.split(' ')[0] ?? '';
  const table = /\b(?:from|into|update)\s+("?[\w.]+"?)/.exec(s)?.[1] ?? '';
  if (verb === 'update') return `update ${/^update\s+("?[\w.]+"?)/.exec(s)?.[1] ?? ''}`;
  return table ? `${verb} … ${table}` : verb;
}

type Method = (...args: unknown[]) => unknown;

/** Runs `fn` while counting statements; returns its result and the count. */
export async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; count: StatementCount }> {
  const count: StatementCount = { total: 0, byKind: {}, msByKind: {} };
  const record = (sql: string) => {
    count.total++;
    const kind = statementKind(sql);
    count.byKind[kind] = (count.byKind[kind] ?? 0) + 1;
  };
  const restore: Array<() => void> = [];
  const sqliteProto = StatementSync.prototype as unknown as Record<string, Method>;
  for (const name of ['all', 'get', 'run', 'iterate']) {
    const original = sqliteProto[name]!;
    sqliteProto[name] = function (this: StatementSync, ...args: unknown[]) {
      record(this.sourceSQL);
      const t = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const kind = statementKind(this.sourceSQL);
        count.msByKind[kind] = (count.msByKind[kind] ?? 0) + performance.now() - t;
      }
    };
    restore.push(() => {
      sqliteProto[name] = original;
    });
  }
  const pgProto = pg.Client.prototype as unknown as Record<string, Method>;
  const originalQuery = pgProto.query!;
  pgProto.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0];
    record(typeof q === 'string' ? q : ((q as { text?: string } | undefined)?.text ?? ''));
    return originalQuery.apply(this, args);
  };
  restore.push(() => {
    pgProto.query = originalQuery;
  });
  try {
    return { result: await fn(), count };
  } finally {
    for (const r of restore) r();
  }
}

/** Statements per operation over `n` operations, less what the same time idle sent (sweeper, worker polls). */
export async function statementsPer(
  n: number,
  op: () => Promise<void>,
): Promise<{ perOp: number; byKind: Record<string, number> }> {
  const started = performance.now();
  const { count } = await countStatements(async () => {
    for (let i = 0; i < n; i++) await op();
  });
  const elapsed = performance.now() - started;
  const { count: idle } = await countStatements(() => new Promise((r) => setTimeout(r, Math.min(elapsed, 3000))));
  const idleShare = (idle.total * elapsed) / Math.min(elapsed, 3000);
  const byKind: Record<string, number> = {};
  for (const [k, v] of Object.entries(count.byKind).sort((a, b) => b[1] - a[1]))
    byKind[k] = Math.round((100 * v) / n) / 100;
  return { perOp: (count.total - idleShare) / n, byKind };
}
