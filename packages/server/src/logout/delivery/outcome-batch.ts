// The answer batch: the attempts answered since the last round, recorded together when the next
// round starts — the successes in one UPDATE per HTTP status (usually one), the rest one by one
// (each has its own error and next attempt), all their events in one multi-row INSERT, in one
// transaction (on SQLite one WAL commit) — then each attempt is settled and its slot freed.
import type { EventLog } from '../../events/event-log.ts';
import type { Executor, Transact } from '../../store/executor.ts';
import type { Answer } from './delivery-attempt.ts';
import type { DeliveryStore } from './delivery-store.ts';
import { whileClaimed } from './while-claimed.ts';

export interface OutcomeBatchOptions {
  store: DeliveryStore;
  events: EventLog;
  /** Runs a round's writes in one transaction; without it they are written one by one. */
  transact?: Transact;
}

interface Queued extends Answer {
  /** Called once the answer is recorded (err undefined) or could not be. */
  settle: (err: unknown) => void;
}

export class OutcomeBatch {
  readonly #o: OutcomeBatchOptions;
  readonly #queued: () => void;
  readonly #retrying: (dueAt: number) => void;
  #answered: Queued[] = [];

  /** `queued`: an answer waits (start a round); `retrying`: a recorded retry is due at `dueAt`. */
  constructor(options: OutcomeBatchOptions, queued: () => void, retrying: (dueAt: number) => void) {
    this.#o = options;
    this.#queued = queued;
    this.#retrying = retrying;
  }

  /** Answers wait to be recorded. */
  get waiting(): boolean {
    return this.#answered.length > 0;
  }

  /** Hands an answered attempt to the next round, which records it with the others. */
  queue(answer: Answer, settle: (err: unknown) => void): void {
    this.#answered.push({ ...answer, settle });
    this.#queued();
  }

  /**
   * Records the answers waiting, repeated while the store cannot be reached and every claim
   * lasts (while-claimed.ts); then settles each with the failure, if any.
   */
  async write(): Promise<void> {
    if (this.#answered.length === 0) return;
    const batch = this.#answered.splice(0);
    const now = Date.now();
    const until = Math.min(...batch.map((a) => a.d.locked_until));
    let failure: unknown;
    try {
      const transact = this.#o.transact;
      await whileClaimed(until, () =>
        transact ? transact((tx) => this.#write(batch, now, tx)) : this.#write(batch, now),
      );
    } catch (err) {
      // Not recorded: the claims run out and the deliveries are attempted again then.
      failure = err ?? new Error('recording failed');
    }
    for (const a of batch) {
      if (failure === undefined && a.values.status === 'retrying') this.#retrying(a.values.next_attempt_at);
      a.settle(failure);
    }
  }

  async #write(batch: Queued[], now: number, db?: Executor): Promise<void> {
    // One UPDATE per (HTTP status, receipt): receipts differ only in their count, so few groups.
    const delivered = new Map<string, Queued[]>();
    for (const a of batch)
      if (a.values.status === 'delivered') {
        const key = JSON.stringify([a.values.last_status, a.values.receipt ?? null]);
        delivered.set(key, [...(delivered.get(key) ?? []), a]);
      }
    for (const group of delivered.values()) {
      const values = {
        status: 'delivered' as const,
        next_attempt_at: now,
        last_status: group[0]!.values.last_status,
        last_error: null,
        finished_at: now,
        receipt: group[0]!.values.receipt ?? null,
      };
      await this.#o.store.recordMany(
        group.map((a) => ({ id: a.d.id, attempt: a.d.attempts })),
        values,
        db,
      );
    }
    for (const a of batch) {
      if (a.values.status !== 'delivered') await this.#o.store.record(a.d.id, a.d.attempts, a.values, db);
    }
    await this.#o.events.recordMany(
      batch.map((a) => a.event),
      now,
      db,
    );
  }
}
