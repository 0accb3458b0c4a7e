// Sends the outbox: claims due deliveries, POSTs a freshly signed message for each in parallel
// (a logout token, or a Keycloak admin action: the kind's sender in senders/ builds it), and
// records the outcome with an event (standards §4). Runs in every server process; a new
// delivery is attempted at once (in-process wake, PostgreSQL NOTIFY across processes), retries
// wait exactly until they are due.
//
// The work runs in rounds, each started from `setImmediate` so that requests interleave with a
// mass logout's drain: a round first writes the outcomes answered since the last one (one
// UPDATE for the successes, one multi-row event INSERT), which frees their slots, then claims
// per client only as many rows as the client has free slots (nothing is claimed to be handed
// back). Signing and sending happen between rounds, outside any transaction.
import type { Logger } from 'pino';
import type { ProviderUrls } from '../../provider-urls.ts';
import type { SigningKeys } from '../../crypto/signing-keys.ts';
import type { EventInput, EventLog, EventType } from '../../events/event-log.ts';
import { backchannelCa } from '../../realm/attributes.ts';
import type { RealmRepository } from '../../realm/repository.ts';
import type { LogoutDeliveryTable } from '../../store/schema.ts';
import type { Executor, Transact } from '../../store/executor.ts';
import { isStoreUnavailable } from '../../store/unavailable.ts';
import { type BackchannelHttp, DeliveryNetworkError } from './backchannel-http.ts';
import { bodyExcerpt } from './body-excerpt.ts';
import type { DeliveryStore } from './delivery-store.ts';
import { SENDERS } from './senders/index.ts';
import { classifyStatus, nextDelay, parseRetryAfter, type RetryPolicy } from './retry-policy.ts';

export interface DeliveryWorkerOptions {
  store: DeliveryStore;
  keys: SigningKeys;
  realms: RealmRepository;
  events: EventLog;
  urls: ProviderUrls;
  http: BackchannelHttp;
  retry: RetryPolicy;
  log: Logger;
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

export interface AttemptResult {
  id: string;
  status: LogoutDeliveryTable['status'];
  httpStatus: number | null;
  error: string | null;
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

/** An answered attempt: what its round records. */
interface Answer {
  d: LogoutDeliveryTable;
  values: Parameters<DeliveryStore['record']>[2];
  event: EventInput;
  result: AttemptResult;
}

interface Queued extends Answer {
  /** Called once the answer is recorded (err undefined) or could not be. */
  settle: (err: unknown) => void;
}

/** A claim outlives the longest attempt by this margin; then another worker may take the row. */
const LEASE_MARGIN_MS = 10_000;

/** Store writes of a claimed delivery stop being repeated this long before the claim runs out. */
const CLAIM_SAFETY_MS = 2000;

/** A reserved row whose transaction rolled back: it does not exist, and nothing was sent. */
const NOT_WRITTEN = Symbol('not written');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DeliveryWorker {
  readonly #o: Required<Omit<DeliveryWorkerOptions, 'transact'>>;
  readonly #transact: Transact | undefined;
  readonly #inFlight = new Map<string, number>();
  readonly #waiters = new Map<string, Array<() => void>>();
  #total = 0;
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
  /** Attempts answered, waiting for the next round to record them. */
  #answered: Queued[] = [];
  readonly #idle = new Set<() => void>();
  /** Realm and client rows, briefly cached: a mass logout sends thousands for the same few. */
  readonly #cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(options: DeliveryWorkerOptions) {
    this.#o = { concurrency: 64, perClientConcurrency: 8, pollIntervalMs: 5000, ...options };
    this.#transact = options.transact;
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
    if (this.#total > 0) await new Promise<void>((resolve) => this.#idle.add(resolve));
  }

  /** Something may be due now: claim and send without waiting for the poll. */
  wake(): void {
    if (!this.#running) return;
    this.#wanted = true;
    this.#kick();
  }

  /** Runs a round soon, after the I/O already waiting (one at a time; a running round re-kicks). */
  #kick(): void {
    if (this.#looping || this.#tick) return;
    this.#tick = setImmediate(() => {
      this.#tick = undefined;
      this.#looping = this.#round().finally(() => {
        this.#looping = undefined;
        if ((this.#wanted && this.#running) || this.#answered.length > 0) this.#kick();
      });
    });
  }

  /**
   * Resolves once each delivery has had its first attempt recorded (by any process), or
   * after `timeoutMs` — the bounded wait of the browser's logout (standards §4).
   */
  async waitForFirstAttempts(ids: string[], timeoutMs: number): Promise<void> {
    if (ids.length === 0 || timeoutMs <= 0) return;
    const deadline = Date.now() + timeoutMs;
    const local = Promise.all(ids.map((id) => new Promise<void>((resolve) => this.#waiters.set(id, [...(this.#waiters.get(id) ?? []), resolve]))));
    let done = false;
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    // Another process may deliver them (PostgreSQL): look at the store now and then. A store
    // that cannot answer just means waiting on: the sessions have ended already.
    const poll = (async () => {
      while (!done && Date.now() < deadline) {
        await sleep(100);
        if (!done && (await this.#o.store.unattempted(ids).catch(() => -1)) === 0) return;
      }
    })();
    await Promise.race([local, timer, poll]);
    done = true;
    for (const id of ids) this.#waiters.delete(id);
  }

  async #round(): Promise<void> {
    if (this.#answered.length > 0) await this.#writeAnswers(this.#answered.splice(0));
    if (!this.#wanted || !this.#running) return;
    this.#wanted = false;
    const perClient = this.#o.perClientConcurrency;
    try {
      for (;;) {
        if (!this.#running) return;
        const free = this.#o.concurrency - this.#total;
        // Every slot is taken: the next answer starts a round.
        if (free <= 0) {
          this.#backlog = true;
          return;
        }
        const saturated = [...this.#inFlight].filter(([, n]) => n >= perClient).map(([id]) => id);
        const freeSlots = new Map([...this.#inFlight].map(([id, n]) => [id, perClient - n]));
        const claimed = await this.#o.store.claimDue(free, this.#o.attemptTimeoutMs + LEASE_MARGIN_MS, saturated, Date.now(), freeSlots, perClient);
        for (const d of claimed) this.#dispatch(d);
        // Fewer than asked and no client newly at its limit: every due row of the other
        // clients was claimed (see claimDue). Otherwise claim again, skipping the full clients.
        const capped = claimed.some((d) => (this.#inFlight.get(d.client_id) ?? 0) >= perClient);
        if (claimed.length === 0 || (claimed.length < free && !capped)) {
          // Only rows of clients at their limit can still be due; their answers claim them.
          this.#backlog = saturated.length > 0;
          break;
        }
        // Requests waiting on the event loop go first.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      // With deliveries in flight, their answers start the next rounds (and a retry written
      // then arms the timer); idle, sleep until the next delivery is due.
      if (this.#total === 0) await this.#scheduleNext();
    } catch (err) {
      this.#o.log.error({ err: String(err) }, 'delivery worker: claiming failed; retrying shortly');
      this.#wakeIn(1000);
    }
  }

  async #scheduleNext(): Promise<void> {
    const at = await this.#o.store.nextDueAt();
    clearTimeout(this.#wakeTimer);
    this.#wakeAt = Infinity;
    if (at === null || !this.#running) return;
    this.#wakeIn(at - Date.now());
  }

  /** Wakes in `ms` (at least 10), unless a wake-up is already set for earlier. */
  #wakeIn(ms: number): void {
    if (!this.#running) return;
    const delay = Math.max(10, Math.min(ms, 2_147_000_000));
    if (Date.now() + delay >= this.#wakeAt) return;
    clearTimeout(this.#wakeTimer);
    this.#wakeAt = Date.now() + delay;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeAt = Infinity;
      this.wake();
    }, delay);
  }

  #dispatch(d: LogoutDeliveryTable): void {
    // One delivery claimed, per client counted: the next claim gives this client fewer rows.
    this.#inFlight.set(d.client_id, (this.#inFlight.get(d.client_id) ?? 0) + 1);
    this.#total++;
    this.#sendClaimed(d);
  }

  /** Attempts a claimed row whose slot is counted already; with `gate`, sends once it says true. */
  #sendClaimed(d: LogoutDeliveryTable, gate?: Promise<boolean>): void {
    const settle = (err: unknown) => {
      if (err !== undefined && err !== NOT_WRITTEN) this.#o.log.error({ err: String(err), delivery: d.id }, 'delivery worker: attempt failed unexpectedly');
      this.#free(d);
    };
    this.#send(d, gate).then((answer) => this.#queue(answer, settle), settle);
  }

  /** The slot of a delivery whose attempt is over (recorded, or failed unexpectedly). */
  #free(d: LogoutDeliveryTable): void {
    const n = (this.#inFlight.get(d.client_id) ?? 1) - 1;
    if (n <= 0) this.#inFlight.delete(d.client_id);
    else this.#inFlight.set(d.client_id, n);
    this.#total--;
    for (const resolve of this.#waiters.get(d.id) ?? []) resolve();
    this.#waiters.delete(d.id);
    if (this.#total === 0) {
      for (const resolve of this.#idle) resolve();
      this.#idle.clear();
    }
    if (this.#running && this.#backlog) {
      this.#wanted = true;
      this.#kick();
    }
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
    if (this.#running) {
      for (const d of rows) {
        if (this.#total >= this.#o.concurrency) break;
        const n = this.#inFlight.get(d.client_id) ?? 0;
        if (d.status !== 'pending' || n >= this.#o.perClientConcurrency) continue;
        this.#inFlight.set(d.client_id, n + 1);
        this.#total++;
        d.attempts += 1;
        d.locked_until = now + this.#o.attemptTimeoutMs + LEASE_MARGIN_MS;
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
    for (const d of taken) this.#sendClaimed(d, gate);
    return { rest, committed: () => commit(true), rolledBack: () => commit(false) };
  }

  /** Hands an answered attempt to the next round, which records it with the others. */
  #queue(answer: Answer, settle: (err: unknown) => void): void {
    this.#answered.push({ ...answer, settle });
    this.#kick();
  }

  /** One attempt of one claimed delivery: sign a fresh token, POST it, record what happened. */
  attempt(d: LogoutDeliveryTable): Promise<AttemptResult> {
    return this.#send(d).then(
      (answer) => new Promise((resolve, reject) => this.#queue(answer, (err) => (err === undefined ? resolve(answer.result) : reject(err)))),
    );
  }

  /** Signs and sends one attempt; resolves with what to record (the next round writes it). */
  async #send(d: LogoutDeliveryTable, gate?: Promise<boolean>): Promise<Answer> {
    const now = Date.now();
    const [realm, client] = await this.#whileClaimed(d, () =>
      Promise.all([
        this.#cached(`r:${d.realm_id}`, () => this.#o.realms.realmById(d.realm_id)),
        this.#cached(`c:${d.client_id}`, () => this.#o.realms.clientById(d.client_id)),
      ]),
    );
    // The kind's sender builds a freshly signed request per attempt (logout/delivery/senders/).
    const sender = SENDERS[d.kind] ?? SENDERS.backchannel;
    const request = realm && client ? await this.#whileClaimed(d, () => sender.build({ keys: this.#o.keys, urls: this.#o.urls, realm, client }, d)) : null;
    const answer = (
      status: LogoutDeliveryTable['status'],
      type: EventType,
      httpStatus: number | null,
      error: string | null,
      at: number,
      nextAttemptAt?: number,
    ): Answer => ({
      d,
      values: { status, next_attempt_at: nextAttemptAt ?? at, last_status: httpStatus, last_error: error, finished_at: status === 'retrying' ? null : at },
      event: {
        realmId: realm?.id ?? d.realm_id,
        type,
        clientId: request ? (client?.clientId ?? null) : null,
        userId: d.user_id || null,
        sessionId: d.sso_session_id || null,
        error,
        details: { deliveryId: d.id, kind: d.kind, attempt: d.attempts, httpStatus, ...(nextAttemptAt ? { nextAttemptAt } : {}) },
      },
      result: { id: d.id, status, httpStatus, error },
    });
    if (gate && !(await gate)) throw NOT_WRITTEN;
    if (!realm || !client || !request) return answer('failed', 'BACKCHANNEL_LOGOUT_FAILED', null, `Client or its ${sender.targetName} no longer exists`, now);
    const ca = backchannelCa(client, realm);

    let httpStatus: number | null = null;
    let error: string | null = null;
    let retryAfterMs: number | null = null;
    let outcome: 'delivered' | 'rejected' | 'retry';
    try {
      const res = await this.#o.http.send(request.url, request, { ca });
      httpStatus = res.status;
      outcome = classifyStatus(res.status);
      // Only a short escaped excerpt of the body is kept (SSRF: no reading internal services).
      const excerpt = bodyExcerpt(res.body);
      if (outcome !== 'delivered') error = `HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}`;
      retryAfterMs = parseRetryAfter(res.retryAfter);
      // A kind whose answer body carries the result (SAML SOAP LogoutResponse) decides itself.
      const verdict = request.judge?.(res);
      if (verdict) ({ outcome, error } = verdict);
    } catch (err) {
      // Every network failure is retried, address_denied and ca_invalid too: nothing is sent,
      // and a corrected URL, DNS record or CA file is picked up by the next attempt.
      outcome = 'retry';
      error = err instanceof DeliveryNetworkError ? `${err.kind}: ${err.message}` : `network: ${String(err)}`;
    }

    const done = Date.now();
    if (outcome === 'delivered') return answer('delivered', 'BACKCHANNEL_LOGOUT_DELIVERED', httpStatus, null, done);
    if (outcome === 'rejected') {
      this.#o.log.warn({ delivery: d.id, client: client.clientId, status: httpStatus, error }, 'back-channel logout rejected by the receiver');
      return answer('rejected', 'BACKCHANNEL_LOGOUT_REJECTED', httpStatus, error, done);
    }
    const next = done + nextDelay(this.#o.retry, { attempts: d.attempts, ageMs: done - d.created_at, retryAfterMs });
    if (next - d.created_at > this.#o.retry.maxAgeMs) {
      this.#o.log.error({ delivery: d.id, client: client.clientId, attempts: d.attempts, error }, 'back-channel logout failed: giving up');
      return answer('failed', 'BACKCHANNEL_LOGOUT_FAILED', httpStatus, error, done);
    }
    this.#o.log.warn(
      { delivery: d.id, client: client.clientId, attempt: d.attempts, error, nextAttemptAt: new Date(next).toISOString() },
      'back-channel logout failed; will retry',
    );
    return answer('retrying', 'BACKCHANNEL_LOGOUT_RETRYING', httpStatus, error, done, next);
  }

  /**
   * Records the answers of a round: the successes in one UPDATE per HTTP status (usually one),
   * the rest one by one (each has its own error and next attempt), and all their events in one
   * INSERT — repeated while the store cannot be reached and every claim lasts (see
   * #whileClaimed). Then each attempt is over and its slot free.
   */
  async #writeAnswers(batch: Queued[]): Promise<void> {
    const now = Date.now();
    const until = Math.min(...batch.map((a) => a.d.locked_until));
    let failure: unknown;
    try {
      const delivered = new Map<number | null, Queued[]>();
      for (const a of batch) if (a.values.status === 'delivered') delivered.set(a.values.last_status, [...(delivered.get(a.values.last_status) ?? []), a]);
      const write = async (db?: Executor) => {
        for (const [httpStatus, group] of delivered) {
          const values = { status: 'delivered' as const, next_attempt_at: now, last_status: httpStatus, last_error: null, finished_at: now };
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
      };
      const transact = this.#transact;
      await this.#whileStoreDown(until, () => (transact ? transact((tx) => write(tx)) : write()));
    } catch (err) {
      // Not recorded: the claims run out and the deliveries are attempted again then.
      failure = err ?? new Error('recording failed');
    }
    for (const a of batch) {
      if (failure === undefined && a.values.status === 'retrying') this.#wakeIn(a.values.next_attempt_at - Date.now());
      a.settle(failure);
    }
  }

  /**
   * Runs a store operation of a claimed delivery, repeating it while the store cannot be reached
   * and the claim lasts. A token the receiver has accepted is so recorded once the database is
   * back (a restart, a failover, a terminated connection) instead of being sent again when the
   * claim runs out.
   */
  async #whileClaimed<T>(d: LogoutDeliveryTable, op: () => Promise<T>): Promise<T> {
    return this.#whileStoreDown(d.locked_until, op);
  }

  async #whileStoreDown<T>(lockedUntil: number, op: () => Promise<T>): Promise<T> {
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      try {
        return await op();
      } catch (err) {
        if (!isStoreUnavailable(err) || Date.now() + wait > lockedUntil - CLAIM_SAFETY_MS) throw err;
        await sleep(wait);
      }
    }
  }

  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.#cache.get(key);
    // Short enough that a changed logout URL or CA file is used within a second.
    if (hit && now - hit.at < 1000) return hit.value as Promise<T>;
    const value = load();
    const entry = { at: now, value };
    this.#cache.set(key, entry);
    // A failed read is not remembered: the next attempt reads again.
    value.catch(() => {
      if (this.#cache.get(key) === entry) this.#cache.delete(key);
    });
    if (this.#cache.size > 10_000) this.#cache.clear();
    return value;
  }
}
