// The store side of login throttling: counter rows (`login_failure`) and one lease row per
// in-flight verification (`login_attempt`). Used by login/throttle.ts and, for the mail caps in
// rows of their own, login/mail-throttle.ts; nothing else reads or writes these tables.
//
// Each in-flight slot is its own row with its own expiry, so a slot leaked by a failed
// `finish` or a process that died lapses after its lease however busy the counter is (a single
// shared expiry, pushed forward by every new reservation, never lapsed under steady traffic).
import { type Kysely, type Transaction } from 'kysely';
import type { DialectName } from '../store/dialect-name.ts';
import type { Database, LoginFailureTable } from '../store/schema.ts';

export interface LoginAttemptTable {
  realm_id: string;
  /** The counter the slot belongs to ('ip:…', 'user:…', 'device:…'). */
  subject: string;
  /** One id per reserved attempt, shared by its slots in the different counters. */
  attempt_id: string;
  expires_at: number;
}

export type ThrottleDatabase = Database & { login_attempt: LoginAttemptTable };
type Trx = Transaction<ThrottleDatabase>;

export class LoginAttemptStore {
  readonly #db: Kysely<ThrottleDatabase>;
  readonly #dialect: DialectName;

  constructor(db: Kysely<Database>, dialect: DialectName) {
    this.#db = db.withTables<{ login_attempt: LoginAttemptTable }>();
    this.#dialect = dialect;
  }

  /** Runs `work` in one writing transaction holding the counters' rows, locked in subject order. */
  async locked<T>(
    realmId: string,
    subjects: readonly string[],
    work: (trx: Trx, rows: LoginFailureTable[]) => Promise<T>,
  ): Promise<T> {
    return this.#db.transaction().execute(async (trx) => {
      // Inserting first makes this a writing transaction at once (SQLite takes its write lock
      // here, not on a later upgrade) and gives PostgreSQL rows to lock, in subject order.
      await trx
        .insertInto('login_failure')
        .values(
          subjects.map((subject) => ({
            realm_id: realmId,
            subject,
            failures: 0,
            last_failure_at: 0,
            locked_until: 0,
            in_flight: 0,
            in_flight_until: 0,
          })),
        )
        .onConflict((oc) => oc.columns(['realm_id', 'subject']).doNothing())
        .execute();
      const rows = await trx
        .selectFrom('login_failure')
        .selectAll()
        .where('realm_id', '=', realmId)
        .where('subject', 'in', subjects)
        .orderBy('subject')
        .$if(this.#dialect === 'postgres', (q) => q.forUpdate())
        .execute();
      return work(trx, rows);
    });
  }

  /** Live slots per subject; lapsed ones of these subjects are deleted on the way. */
  async liveSlots(trx: Trx, realmId: string, subjects: readonly string[], now: number): Promise<Map<string, number>> {
    const live = new Map<string, number>();
    if (subjects.length === 0) return live;
    await trx
      .deleteFrom('login_attempt')
      .where('realm_id', '=', realmId)
      .where('subject', 'in', subjects)
      .where('expires_at', '<=', now)
      .execute();
    const rows = await trx
      .selectFrom('login_attempt')
      .select(['subject', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('realm_id', '=', realmId)
      .where('subject', 'in', subjects)
      .groupBy('subject')
      .execute();
    for (const r of rows) live.set(r.subject, Number(r.n));
    return live;
  }

  async takeSlots(
    trx: Trx,
    realmId: string,
    subjects: readonly string[],
    attemptId: string,
    expiresAt: number,
  ): Promise<void> {
    if (subjects.length === 0) return;
    await trx
      .insertInto('login_attempt')
      .values(subjects.map((subject) => ({ realm_id: realmId, subject, attempt_id: attemptId, expires_at: expiresAt })))
      .execute();
  }

  async setCounter(
    trx: Trx,
    realmId: string,
    subject: string,
    values: Pick<LoginFailureTable, 'failures' | 'last_failure_at' | 'locked_until'>,
  ): Promise<void> {
    await trx
      .updateTable('login_failure')
      .set(values)
      .where('realm_id', '=', realmId)
      .where('subject', '=', subject)
      .execute();
  }

  async releaseSlots(realmId: string, attemptId: string): Promise<void> {
    await this.#db
      .deleteFrom('login_attempt')
      .where('realm_id', '=', realmId)
      .where('attempt_id', '=', attemptId)
      .execute();
  }

  /** A success gives back the failure counted in advance — and, as in Keycloak, the others. */
  async resetFailures(realmId: string, subjects: readonly string[]): Promise<void> {
    if (subjects.length === 0) return;
    await this.#db
      .updateTable('login_failure')
      .set({ failures: 0, locked_until: 0 })
      .where('realm_id', '=', realmId)
      .where('subject', 'in', subjects)
      .execute();
  }

  /** Housekeeping: lapsed slots, and counters with nothing left to remember. */
  async deleteExpired(now: number, windowMs: number): Promise<number> {
    await this.#db.deleteFrom('login_attempt').where('expires_at', '<=', now).execute();
    const result = await this.#db
      .deleteFrom('login_failure')
      .where('last_failure_at', '<', now - windowMs)
      .where('locked_until', '<', now)
      .where('in_flight_until', '<', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
