// Hot queries built and compiled once instead of on every call. Kysely builds an immutable
// operation tree and compiles it to SQL for every query; on the refresh grant that was about a
// tenth of the main thread's time (issue 13's profiles), for the same few statements each time.
// A prepared query is compiled at its first call, with a stand-in value for each argument, and
// afterwards only its parameter list is filled in: the SQL text and the parameter order remain
// Kysely's own. One prepared query belongs to one store instance (one dialect).
import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Executor } from './executor.ts';

/** Stand-in argument values: no real argument looks like this (NUL characters on both sides). */
const MARK = '\u0000';
const PREFIX = `${MARK}sundown-argument-`;
const slot = (i: number) => `${PREFIX}${i}${MARK}`;
/** The argument index a stand-in stands for, or -1. */
function slotIndex(p: unknown): number {
  if (typeof p !== 'string' || !p.startsWith(PREFIX) || !p.endsWith(MARK)) return -1;
  const n = Number(p.slice(PREFIX.length, -MARK.length));
  return Number.isInteger(n) && n >= 0 ? n : -1;
}

export type PreparedQuery<A extends unknown[], R> = (db: Executor, ...args: A) => Promise<QueryResult<R>>;

/**
 * `build` must use each of its `arity` arguments as a query parameter (a value, never an
 * identifier or a list whose length varies), so that the compiled SQL is the same for every call.
 */
export function prepareQuery<A extends unknown[], R>(
  build: (db: Executor, ...args: A) => Compilable<R>,
  arity: number,
): PreparedQuery<A, R> {
  let compiled: CompiledQuery<R> | undefined;
  /** For each compiled parameter: the index of the argument, or the constant it is. */
  let sources: Array<{ arg: number } | { value: unknown }> = [];
  return async (db, ...args) => {
    if (!compiled) {
      const standIns = Array.from({ length: arity }, (_, i) => slot(i)) as unknown as A;
      const query = build(db, ...standIns).compile();
      sources = query.parameters.map((p) => {
        const i = slotIndex(p);
        return i >= 0 ? { arg: i } : { value: p };
      });
      const used = new Set(sources.flatMap((s) => ('arg' in s ? [s.arg] : [])));
      if (used.size !== arity)
        throw new Error(`prepared query uses ${used.size} of its ${arity} arguments: ${query.sql}`);
      compiled = query;
    }
    const parameters = sources.map((s) => ('arg' in s ? args[s.arg] : s.value));
    return db.executeQuery<R>({ ...compiled, parameters });
  };
}
