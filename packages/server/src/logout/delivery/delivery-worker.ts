// Sends the outbox (standards §4): claims due deliveries, POSTs a freshly signed message for each
// in parallel (a logout token, a Keycloak admin action or a SAML LogoutRequest: the kind's sender
// in channels/ builds it), and records the outcome with an event. Runs in every server process; a
// new delivery is attempted at once, retries wait exactly until they are due. Its parts:
//   delivery-scheduler.ts  when to claim: rounds, wake-ups (NOTIFY, timers, poll), stop
//   delivery-slots.ts      what is in flight, in all and per client, and who waits for it
//   delivery-attempt.ts    one attempt of one row: build, send, judge the answer
//   outcome-batch.ts       a round's answers recorded together, in one transaction
// This file assembles them, and takes new rows straight from a session end's transaction (reserve).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ProviderUrls } from '../../provider-urls.ts';
import type { SigningKeys } from '../../crypto/signing-keys.ts';
import type { EventLog } from '../../events/event-log.ts';
import type { RealmRepository } from '../../realm/repository.ts';
import type { LogoutDeliveryTable } from '../../store/schema.ts';
import type { Transact } from '../../store/executor.ts';
import type { BackchannelHttp } from './backchannel-http.ts';
import { type AttemptResult, DeliveryAttempt, NOT_WRITTEN } from './delivery-attempt.ts';
import { DeliveryScheduler } from './delivery-scheduler.ts';
import { DeliverySlots } from './delivery-slots.ts';
import type { DeliveryStore } from './delivery-store.ts';
import { OutcomeBatch } from './outcome-batch.ts';
import type { RetryPolicy } from './retry-policy.ts';
import type { ChannelRegistry } from '../channels/registry.ts';

export type { AttemptResult } from './delivery-attempt.ts';

export interface DeliveryWorkerOptions {
  store: DeliveryStore;
  keys: SigningKeys;
  realms: RealmRepository;
  events: EventLog;
  urls: ProviderUrls;
  http: BackchannelHttp;
  retry: RetryPolicy;
  log: Logger;
  /** The delivery channels (channels/registry.ts): the sender of each row's kind. */
  channels: ChannelRegistry;
  /** Deliveries in flight in this process. */
  concurrency?: number;
  /** In flight per client, so one dead receiver cannot take every slot. */
  perClientConcurrency?: number;
  /** Safety-net poll for work written by other processes when no notification arrives. */
  pollIntervalMs?: number;
  /** The longest one attempt can take (connect + response timeouts). */
  attemptTimeoutMs: number;
  /**
   * Runs a round's outcome and event writes in one transaction: they are recorded together, and
   * on SQLite that is one WAL commit instead of two. Without it they are written one by one.
   */
  transact?: Transact;
}

/** New deliveries taken by the worker before their insert (see DeliveryWorker.reserve). */
export interface DeliveryReservation {
  /** The rows the worker did not take: they wait for a claim round. */
  rest: LogoutDeliveryTable[];
  /** The insert committed: send the taken rows now. */
  committed(): void;
  /** The insert did not happen: give their slots back. */
  rolledBack(): void;
}

/** A claim outlives the longest attempt by this margin; then another worker may take the row. */
const LEASE_MARGIN_MS = 10_000;

export class DeliveryWorker {
  readonly #store: DeliveryStore;
  readonly #log: Logger;
  readonly #leaseMs: number;
  readonly #slots: DeliverySlots;
  readonly #attempt: DeliveryAttempt;
  readonly #batch: OutcomeBatch;
  readonly #scheduler: DeliveryScheduler;

  constructor(options: DeliveryWorkerOptions) {
    const { store, log, concurrency = 64, perClientConcurrency = 8, pollIntervalMs = 5000 } = options;
    this.#store = store;
    this.#log = log;
    this.#leaseMs = options.attemptTimeoutMs + LEASE_MARGIN_MS;
    this.#slots = new DeliverySlots(concurrency, perClientConcurrency);
    this.#attempt = new DeliveryAttempt(options);
    this.#batch = new OutcomeBatch(
      options,
      () => this.#scheduler.kick(),
      (dueAt) => this.#scheduler.wakeAt(dueAt),
    );
    this.#scheduler = new DeliveryScheduler(
      { store, log, pollIntervalMs, leaseMs: this.#leaseMs },
      this.#slots,
      this.#batch,
      (d) => this.#run(d),
    );
  }

  start(): void {
    this.#scheduler.start();
  }

  /** Stops claiming new work and waits for deliveries in flight (and their outcome writes). */
  stop(): Promise<void> {
    return this.#scheduler.stop();
  }

  /** Something may be due now: claim and send without waiting for the poll. */
  wake(): void {
    this.#scheduler.wake();
  }

  /**
   * Resolves once each delivery has had its first attempt recorded (by any process), or
   * after `timeoutMs` — the bounded wait of the browser's logout (standards §4).
   */
  async waitForFirstAttempts(ids: string[], timeoutMs: number): Promise<void> {
    if (ids.length === 0 || timeoutMs <= 0) return;
    const deadline = Date.now() + timeoutMs;
    const local = Promise.all(ids.map((id) => this.#slots.attempted(id)));
    let done = false;
    const timer = sleep(timeoutMs, undefined, { ref: false });
    // Another process may deliver them (PostgreSQL): look at the store now and then. A store
    // that cannot answer just means waiting on: the sessions have ended already.
    const poll = (async () => {
      while (!done && Date.now() < deadline) {
        await sleep(100);
        if (!done && (await this.#store.unattempted(ids).catch(() => -1)) === 0) return;
      }
    })();
    await Promise.race([local, timer, poll]);
    done = true;
    this.#slots.forget(ids);
  }

  /**
   * Takes new deliveries straight from the transaction that writes them (the session end), as
   * far as free slots allow: each taken row is marked claimed before it is inserted, so it is
   * written already leased to this process, and the worker sends it right after the commit with
   * no claim query in between (a crash before the send leaves a claim that runs out: the row is
   * then sent by whoever claims it next). The rest stay for the claim rounds.
   */
  reserve(rows: LogoutDeliveryTable[], now = Date.now()): DeliveryReservation {
    const taken: LogoutDeliveryTable[] = [];
    if (this.#scheduler.running) {
      for (const d of rows) {
        if (this.#slots.free <= 0) break;
        if (d.status !== 'pending' || this.#slots.atLimit(d.client_id)) continue;
        this.#slots.take(d);
        d.attempts += 1;
        d.locked_until = now + this.#leaseMs;
        d.last_attempt_at = now;
        taken.push(d);
      }
    }
    const takenSet = new Set(taken);
    const rest = rows.filter((d) => !takenSet.has(d));
    // Signing starts now, beside the rest of the transaction; nothing is sent before the commit
    // (a logout token for a session end that rolled back would log the user out of the RP).
    let commit: (committed: boolean) => void = () => {};
    const gate = new Promise<boolean>((resolve) => (commit = resolve));
    for (const d of taken) this.#run(d, gate);
    return { rest, committed: () => commit(true), rolledBack: () => commit(false) };
  }

  /** One attempt of one claimed delivery: sign a fresh token, POST it, record what happened. */
  attempt(d: LogoutDeliveryTable): Promise<AttemptResult> {
    return this.#attempt
      .send(d)
      .then(
        (answer) =>
          new Promise((resolve, reject) =>
            this.#batch.queue(answer, (err) => (err === undefined ? resolve(answer.result) : reject(err))),
          ),
      );
  }

  /** Attempts a claimed row whose slot is counted already; with `gate`, sends once it says true. */
  #run(d: LogoutDeliveryTable, gate?: Promise<boolean>): void {
    const settle = (err: unknown) => {
      if (err !== undefined && err !== NOT_WRITTEN)
        this.#log.error({ err: String(err), delivery: d.id }, 'delivery worker: attempt failed unexpectedly');
      this.#slots.release(d);
      this.#scheduler.slotFreed();
    };
    this.#attempt.send(d, gate).then((answer) => this.#batch.queue(answer, settle), settle);
  }
}
