// When this process claims due outbox rows. The work runs in rounds, each started from
// `setImmediate` so that requests interleave with a mass logout's drain: a round first records
// the answers since the last one (outcome-batch.ts), which frees their slots, then claims per
// client only as many rows as the client has free slots (nothing is claimed to be handed back).
// Signing and sending happen between rounds, outside any transaction (delivery-attempt.ts).
// A round is started by `wake` (a new delivery in this process, or a PostgreSQL NOTIFY from
// another: provider.ts), by a timer set for exactly when the next retry is due, by a freed slot
// while due rows wait for one, and by a safety-net poll.
import type { Logger } from 'pino';
import type { LogoutDeliveryTable } from '../../store/schema.ts';
import type { DeliverySlots } from './delivery-slots.ts';
import type { DeliveryStore } from './delivery-store.ts';
import type { OutcomeBatch } from './outcome-batch.ts';

export interface SchedulerOptions {
  store: DeliveryStore;
  log: Logger;
  /** Safety-net poll for work written by other processes when no notification arrives. */
  pollIntervalMs: number;
  /** How long a claim lasts: the longest attempt and a margin. */
  leaseMs: number;
}

export class DeliveryScheduler {
  readonly #o: SchedulerOptions;
  readonly #slots: DeliverySlots;
  readonly #batch: OutcomeBatch;
  /** Starts the attempt of a claimed row whose slot is taken. */
  readonly #dispatch: (d: LogoutDeliveryTable) => void;
  #running = false;
  #wakeTimer: NodeJS.Timeout | undefined;
  /** When #wakeTimer fires (epoch ms); Infinity when none is set. */
  #wakeAt = Infinity;
  #pollTimer: NodeJS.Timeout | undefined;
  #tick: NodeJS.Immediate | undefined;
  #looping: Promise<void> | undefined;
  /** Something may be claimable: the next round claims. */
  #wanted = false;
  /**
   * Due rows may be waiting for a slot (a client was at its limit, or every slot was taken):
   * a freed slot then starts a claim. False once a claim found every due row claimed.
   */
  #backlog = true;

  constructor(
    options: SchedulerOptions,
    slots: DeliverySlots,
    batch: OutcomeBatch,
    dispatch: (d: LogoutDeliveryTable) => void,
  ) {
    this.#o = options;
    this.#slots = slots;
    this.#batch = batch;
    this.#dispatch = dispatch;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#pollTimer = setInterval(() => this.wake(), this.#o.pollIntervalMs);
    this.#pollTimer.unref();
    this.wake();
  }

  /** Stops claiming new work and waits for deliveries in flight (and their outcome writes). */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#wakeTimer);
    this.#wakeAt = Infinity;
    await this.#looping;
    await this.#slots.idle();
  }

  /** Something may be due now: claim and send without waiting for the poll. */
  wake(): void {
    if (!this.#running) return;
    this.#wanted = true;
    this.kick();
  }

  /** Runs a round soon, after the I/O already waiting (one at a time; a running round re-kicks). */
  kick(): void {
    if (this.#looping || this.#tick) return;
    this.#tick = setImmediate(() => {
      this.#tick = undefined;
      this.#looping = this.#round().finally(() => {
        this.#looping = undefined;
        if ((this.#wanted && this.#running) || this.#batch.waiting) this.kick();
      });
    });
  }

  /** A slot was freed: due rows waiting for one are claimed. */
  slotFreed(): void {
    if (this.#running && this.#backlog) {
      this.#wanted = true;
      this.kick();
    }
  }

  /** Wakes at `at` (at least 10 ms from now), unless a wake-up is already set for earlier. */
  wakeAt(at: number): void {
    if (!this.#running) return;
    const delay = Math.max(10, Math.min(at - Date.now(), 2_147_000_000));
    if (Date.now() + delay >= this.#wakeAt) return;
    clearTimeout(this.#wakeTimer);
    this.#wakeAt = Date.now() + delay;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeAt = Infinity;
      this.wake();
    }, delay);
  }

  async #round(): Promise<void> {
    await this.#batch.write();
    if (!this.#wanted || !this.#running) return;
    this.#wanted = false;
    try {
      const drained = await this.#claim();
      // With deliveries in flight, their answers start the next rounds (and a retry written
      // then arms the timer); idle, sleep until the next delivery is due.
      if (drained && this.#slots.total === 0) await this.#scheduleNext();
    } catch (err) {
      this.#o.log.error({ err: String(err) }, 'delivery worker: claiming failed; retrying shortly');
      this.wakeAt(Date.now() + 1000);
    }
  }

  /**
   * Claims due rows into the free slots, per client only its free ones. True once every due row
   * a free slot could take is claimed; false when stopped or every slot is taken.
   */
  async #claim(): Promise<boolean> {
    const perClient = this.#slots.perClient;
    for (;;) {
      if (!this.#running) return false;
      const free = this.#slots.free;
      // Every slot is taken: the next answer starts a round.
      if (free <= 0) {
        this.#backlog = true;
        return false;
      }
      const busy = this.#slots.byClient();
      const claimed = await this.#o.store.claimDue(
        free,
        this.#o.leaseMs,
        busy.saturated,
        Date.now(),
        busy.free,
        perClient,
      );
      for (const d of claimed) {
        this.#slots.take(d);
        this.#dispatch(d);
      }
      // Fewer than asked and no client newly at its limit: every due row of the other
      // clients was claimed (see claimDue). Otherwise claim again, skipping the full clients.
      const capped = claimed.some((d) => this.#slots.atLimit(d.client_id));
      if (claimed.length === 0 || (claimed.length < free && !capped)) {
        // Only rows of clients at their limit can still be due; their answers claim them.
        this.#backlog = busy.saturated.length > 0;
        return true;
      }
      // Requests waiting on the event loop go first.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async #scheduleNext(): Promise<void> {
    const at = await this.#o.store.nextDueAt();
    clearTimeout(this.#wakeTimer);
    this.#wakeAt = Infinity;
    if (at === null || !this.#running) return;
    this.wakeAt(at);
  }
}
