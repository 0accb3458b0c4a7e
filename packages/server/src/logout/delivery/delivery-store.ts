// Outbox reads and writes for the delivery worker. Claiming is the one query that differs
// by dialect: PostgreSQL skips rows another process has locked; SQLite has a single writer.
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../../store/dialect-name.ts';
import type { Database, LogoutDeliveryTable } from '../../store/schema.ts';

/** Ids per IN list, well inside SQLite's and PostgreSQL's parameter limits. */
const ID_CHUNK = 1000;

/** Writes new deliveries in the caller's transaction, the one that ends their sessions (the outbox). */
export async function insertDeliveries(rows: readonly LogoutDeliveryTable[], db: Kysely<Database>): Promise<void> {
  for (let i = 0; i < rows.length; i += ID_CHUNK) {
    await db.insertInto('logout_delivery').values(rows.slice(i, i + ID_CHUNK)).execute();
  }
}

export class DeliveryStore {
  readonly #db: Kysely<Database>;
  readonly #dialect: DialectName;

  constructor(db: Kysely<Database>, dialect: DialectName) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /**
   * Claims up to `limit` due deliveries for `leaseMs`, skipping clients in `excludeClients`
   * (at their in-flight limit). Each claimed row's attempt counter is incremented.
   */
  async claimDue(limit: number, leaseMs: number, excludeClients: string[], now = Date.now()): Promise<LogoutDeliveryTable[]> {
    if (limit <= 0) return [];
    const due = this.#db
      .selectFrom('logout_delivery')
      .select('id')
      .where('status', 'in', ['pending', 'retrying'])
      .where('next_attempt_at', '<=', now)
      .where('locked_until', '<=', now)
      .$if(excludeClients.length > 0, (qb) => qb.where('client_id', 'not in', excludeClients))
      .orderBy('next_attempt_at')
      .limit(limit)
      .$if(this.#dialect === 'postgres', (qb) => qb.forUpdate().skipLocked());
    return this.#db
      .updateTable('logout_delivery')
      .set({ locked_until: now + leaseMs, attempts: sql<number>`attempts + 1`, last_attempt_at: now })
      .where('id', 'in', due)
      .returningAll()
      .execute();
  }

  /** Records an attempt's outcome, unless another worker has since claimed the row. */
  async record(
    id: string,
    attempt: number,
    values: Pick<LogoutDeliveryTable, 'status' | 'next_attempt_at' | 'last_status' | 'last_error' | 'finished_at'>,
  ): Promise<boolean> {
    const res = await this.#db
      .updateTable('logout_delivery')
      .set({ ...values, locked_until: 0 })
      .where('id', '=', id)
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Gives back a claimed row untouched, as due now (claimed beyond a client's in-flight limit). */
  async release(id: string, attempt: number): Promise<void> {
    await this.#db
      .updateTable('logout_delivery')
      .set({ locked_until: 0, attempts: attempt - 1 })
      .where('id', '=', id)
      .where('attempts', '=', attempt)
      .execute();
  }

  /** How many of `ids` have not had their first attempt recorded. */
  async unattempted(ids: string[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const row = await this.#db
        .selectFrom('logout_delivery')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('id', 'in', ids.slice(i, i + ID_CHUNK))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      n += Number(row.n);
    }
    return n;
  }

  /** Deliveries among `ids` counted by status. */
  async statusCounts(ids: string[]): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const rows = await this.#db
        .selectFrom('logout_delivery')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('id', 'in', ids.slice(i, i + ID_CHUNK))
        .groupBy('status')
        .execute();
      for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + Number(r.n);
    }
    return counts;
  }

  /** The status of each of `ids`. */
  async statuses(ids: readonly string[]): Promise<Map<string, LogoutDeliveryTable['status']>> {
    const out = new Map<string, LogoutDeliveryTable['status']>();
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const rows = await this.#db.selectFrom('logout_delivery').select(['id', 'status']).where('id', 'in', ids.slice(i, i + ID_CHUNK)).execute();
      for (const r of rows) out.set(r.id, r.status);
    }
    return out;
  }

  /** When the next not-yet-due delivery becomes due, to sleep exactly until then. */
  async nextDueAt(): Promise<number | null> {
    const row = await this.#db
      .selectFrom('logout_delivery')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('status', 'in', ['pending', 'retrying'])
      .executeTakeFirst();
    return row?.at == null ? null : Number(row.at);
  }

  /** Makes a failed or rejected delivery due again now (operator "retry"). */
  async retryNow(id: string, now = Date.now()): Promise<boolean> {
    const res = await this.#db
      .updateTable('logout_delivery')
      .set({ status: 'retrying', next_attempt_at: now, locked_until: 0, finished_at: null, created_at: now })
      .where('id', '=', id)
      .where('status', 'in', ['failed', 'rejected'])
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }
}
