// What the table owners run their queries on: the store's connection pool, or an open
// transaction of it. Code outside the owners passes an Executor along but never queries it
// (eslint.config.js), so every rule about a table lives in the one file that owns it.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** A connection or an open transaction (Kysely's Transaction is a Kysely). */
export type Executor = Kysely<Database>;

/**
 * Runs `work` in one database transaction: all of its writes commit together, or none does
 * when it throws. On SQLite the transaction holds the single writer, so keep `work` short
 * (sign tokens before, not inside).
 */
export type Transact = <T>(work: (tx: Executor) => Promise<T>) => Promise<T>;

export function transactor(db: Kysely<Database>): Transact {
  return (work) => db.transaction().execute(work);
}
