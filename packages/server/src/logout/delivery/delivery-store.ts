// Outbox reads and writes for the delivery worker. Claiming is the one query that differs
// by dialect: PostgreSQL skips rows another process has locked; SQLite has a single writer.
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../../store/dialect-name.ts';
import type { Database, LogoutDeliveryTable } from '../../store/schema.ts';

/** Ids per IN list, well inside SQLite's and PostgreSQL's parameter limits. */
const ID_CHUNK = 1000;

/** How many of the oldest due rows a claim looks at, per row it may claim. */
const CLAIM_WINDOW_FACTOR = 4;

/** Writes new deliveries in the caller's transaction, the one that ends their sessions (the outbox). */
export async function insertDeliveries(rows: readonly LogoutDeliveryTable[], db: Kysely<Database>): Promise<void> {
  for (let i = 0; i < rows.length; i += ID_CHUNK) {
    await db
      .insertInto('logout_delivery')
      .values(rows.slice(i, i + ID_CHUNK))
      .execute();
  }
}

/** What an attempt's answer sets on its row. */
export type DeliveryOutcome = Pick<
  LogoutDeliveryTable,
  'status' | 'next_attempt_at' | 'last_status' | 'last_error' | 'finished_at'
> & { receipt?: string | null };

export class DeliveryStore {
  readonly #db: Kysely<Database>;
  readonly #dialect: DialectName;

  constructor(db: Kysely<Database>, dialect: DialectName) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /**
   * Claims up to `limit` due deliveries for `leaseMs`, at most `free(client)` of each client
   * (its free in-flight slots; clients in `saturated` have none and are skipped outright), so
   * nothing is claimed that the worker would have to hand back. Each claimed row's attempt
   * counter is incremented. The per-client cut is a window over the oldest due rows (a few
   * times `limit` of them, read in `next_attempt_at` order); a client with more due rows than
   * slots keeps the rest for a later round.
   */
  async claimDue(
    limit: number,
    leaseMs: number,
    saturated: readonly string[],
    now = Date.now(),
    free: ReadonlyMap<string, number> = new Map(),
    perClient = limit,
  ): Promise<LogoutDeliveryTable[]> {
    if (limit <= 0) return [];
    const window = Math.max(limit * CLAIM_WINDOW_FACTOR, 64);
    const notSaturated = saturated.length > 0 ? sql`and client_id not in (${sql.join(saturated)})` : sql``;
    // PostgreSQL: rows another process is claiming are skipped, not waited for. SQLite has one writer.
    const lock = this.#dialect === 'postgres' ? sql`for update skip locked` : sql``;
    // Partially busy clients get only their free slots; the CASE lists them, the rest get `perClient`.
    const partial = [...free].filter(([client, n]) => n < perClient && !saturated.includes(client));
    const slots =
      partial.length > 0
        ? sql`case client_id ${sql.join(
            partial.map(([client, n]) => sql`when ${client} then cast(${n} as integer)`),
            sql` `,
          )} else cast(${perClient} as integer) end`
        : sql`cast(${perClient} as integer)`;
    const rows = await sql<LogoutDeliveryTable>`
      update logout_delivery
      set locked_until = ${now + leaseMs}, attempts = attempts + 1, last_attempt_at = ${now}
      where id in (
        select id from (
          select id, client_id, next_attempt_at, row_number() over (partition by client_id order by next_attempt_at, id) as rn
          from (
            select id, client_id, next_attempt_at from logout_delivery
            where status in ('pending', 'retrying') and next_attempt_at <= ${now} and locked_until <= ${now} ${notSaturated}
            order by next_attempt_at
            limit ${window}
            ${lock}
          ) as due
        ) as ranked
        where rn <= ${slots}
        order by next_attempt_at
        limit ${limit}
      )
      returning *`.execute(this.#db);
    return rows.rows;
  }

  /**
   * Records one outcome for many attempts at once (a claim round's successes: one statement
   * instead of one per delivery); each row only while its claim is still this attempt's.
   */
  async recordMany(
    attempts: ReadonlyArray<{ id: string; attempt: number }>,
    values: DeliveryOutcome,
    db: Kysely<Database> = this.#db,
  ): Promise<void> {
    const byAttempt = new Map<number, string[]>();
    for (const a of attempts) byAttempt.set(a.attempt, [...(byAttempt.get(a.attempt) ?? []), a.id]);
    for (const [attempt, ids] of byAttempt) {
      for (let i = 0; i < ids.length; i += ID_CHUNK) {
        await db
          .updateTable('logout_delivery')
          .set({ ...values, locked_until: 0 })
          .where('id', 'in', ids.slice(i, i + ID_CHUNK))
          .where('attempts', '=', attempt)
          .execute();
      }
    }
  }

  /** Records an attempt's outcome, unless another worker has since claimed the row; `db`: the caller's transaction. */
  async record(
    id: string,
    attempt: number,
    values: DeliveryOutcome,
    db: Kysely<Database> = this.#db,
  ): Promise<boolean> {
    const res = await db
      .updateTable('logout_delivery')
      .set({ ...values, locked_until: 0 })
      .where('id', '=', id)
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
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
      const rows = await this.#db
        .selectFrom('logout_delivery')
        .select(['id', 'status'])
        .where('id', 'in', ids.slice(i, i + ID_CHUNK))
        .execute();
      for (const r of rows) out.set(r.id, r.status);
    }
    return out;
  }

  /** Every delivery of one logout, every channel, oldest first (its status page and trace). */
  async ofLogout(logoutId: string): Promise<LogoutDeliveryTable[]> {
    return this.#db
      .selectFrom('logout_delivery')
      .selectAll()
      .where('logout_id', '=', logoutId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
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
  // Shared Signals (logout/channels/ssf/): events held for a receiver — its poll (RFC 8936) or
  // its paused stream (SSF §8.1.2) — are rows with status `held`, which no worker claims.

  /** A paused push stream: its client's push rows not in flight wait, held. */
  async holdPush(clientId: string, now = Date.now()): Promise<void> {
    await this.#db
      .updateTable('logout_delivery')
      .set({ status: 'held' })
      .where('client_id', '=', clientId)
      .where('kind', '=', 'ssf_push')
      .where('status', 'in', ['pending', 'retrying'])
      .where('locked_until', '<=', now)
      .execute();
  }

  /** An enabled push stream again: its held rows are due now; returns their ids (to wake the workers). */
  async releasePush(clientId: string, now = Date.now()): Promise<number> {
    const res = await this.#db
      .updateTable('logout_delivery')
      .set({ status: 'pending', next_attempt_at: now })
      .where('client_id', '=', clientId)
      .where('kind', '=', 'ssf_push')
      .where('status', '=', 'held')
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /**
   * A disabled or deleted stream (SSF §8.1.2: a disabled stream neither sends nor holds): its
   * client's SETs waiting or not yet in flight are skipped, with the reason.
   */
  async dropUnsent(clientId: string, reason: string, now = Date.now()): Promise<void> {
    await this.#db
      .updateTable('logout_delivery')
      .set({ status: 'skipped', last_error: reason, finished_at: now })
      .where('client_id', '=', clientId)
      .where('kind', 'in', ['ssf_push', 'ssf_poll'])
      .where('status', 'in', ['held', 'pending', 'retrying'])
      .where('locked_until', '<=', now)
      .execute();
  }

  /** Up to `max` of a client's held poll rows, oldest first, and whether more wait. */
  async heldPoll(clientId: string, max: number): Promise<{ rows: LogoutDeliveryTable[]; more: boolean }> {
    const rows = await this.#db
      .selectFrom('logout_delivery')
      .selectAll()
      .where('client_id', '=', clientId)
      .where('kind', '=', 'ssf_poll')
      .where('status', '=', 'held')
      .orderBy('created_at')
      .orderBy('id')
      .limit(max + 1)
      .execute();
    return { rows: rows.slice(0, max), more: rows.length > max };
  }

  /**
   * The receiver's answer to polled rows (RFC 8936 §2.4): acknowledged → delivered, an error →
   * rejected with it as the cause. Only the client's own held poll rows change.
   */
  async answerPoll(
    clientId: string,
    ids: readonly string[],
    outcome: { status: 'delivered' | 'rejected'; error: string | null },
    now = Date.now(),
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.#db
      .updateTable('logout_delivery')
      .set({
        status: outcome.status,
        last_error: outcome.error,
        last_status: null,
        last_attempt_at: now,
        finished_at: now,
        attempts: sql<number>`attempts + 1`,
      })
      .where('client_id', '=', clientId)
      .where('kind', '=', 'ssf_poll')
      .where('status', '=', 'held')
      .where('id', 'in', [...ids])
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }
}
