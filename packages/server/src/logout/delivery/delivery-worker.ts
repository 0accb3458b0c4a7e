// Sends the outbox: claims due deliveries, POSTs a freshly signed message for each in parallel
// (a logout token, or a Keycloak admin action: the kind's sender in senders/ builds it), and
// records the outcome with an event (standards §4). Runs in every server process; a new
// delivery is attempted at once (in-process wake, PostgreSQL NOTIFY across processes), retries
// wait exactly until they are due.
import type { Logger } from 'pino';
import type { ProviderUrls } from '../../provider-urls.ts';
import type { SigningKeys } from '../../crypto/signing-keys.ts';
import type { EventLog, EventType } from '../../events/event-log.ts';
import { backchannelCa } from '../../realm/attributes.ts';
import type { Realm } from '../../realm/model.ts';
import type { RealmRepository } from '../../realm/repository.ts';
import type { LogoutDeliveryTable } from '../../store/schema.ts';
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
}

export interface AttemptResult {
  id: string;
  status: LogoutDeliveryTable['status'];
  httpStatus: number | null;
  error: string | null;
}

/** A claim outlives the longest attempt by this margin; then another worker may take the row. */
const LEASE_MARGIN_MS = 10_000;

/** Store writes of a claimed delivery stop being repeated this long before the claim runs out. */
const CLAIM_SAFETY_MS = 2000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DeliveryWorker {
  readonly #o: Required<DeliveryWorkerOptions>;
  readonly #inFlight = new Map<string, number>();
  readonly #waiters = new Map<string, Array<() => void>>();
  #total = 0;
  #running = false;
  #wakeTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #looping: Promise<void> | undefined;
  #again = false;
  readonly #idle = new Set<() => void>();
  /** Realm and client rows, briefly cached: a mass logout sends thousands for the same few. */
  readonly #cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(options: DeliveryWorkerOptions) {
    this.#o = { concurrency: 64, perClientConcurrency: 8, pollIntervalMs: 5000, ...options };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#pollTimer = setInterval(() => this.wake(), this.#o.pollIntervalMs);
    this.#pollTimer.unref();
    this.wake();
  }

  /** Stops claiming new work and waits for deliveries in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#wakeTimer);
    await this.#looping;
    if (this.#total > 0) await new Promise<void>((resolve) => this.#idle.add(resolve));
  }

  /** Something may be due now: claim and send without waiting for the poll. */
  wake(): void {
    if (!this.#running) return;
    if (this.#looping) {
      this.#again = true;
      return;
    }
    this.#looping = this.#loop().finally(() => {
      this.#looping = undefined;
      if (this.#again) {
        this.#again = false;
        this.wake();
      }
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

  async #loop(): Promise<void> {
    try {
      for (;;) {
        if (!this.#running) return;
        const free = this.#o.concurrency - this.#total;
        if (free <= 0) return;
        const saturated = [...this.#inFlight].filter(([, n]) => n >= this.#o.perClientConcurrency).map(([id]) => id);
        const claimed = await this.#o.store.claimDue(Math.min(free, 32), this.#o.attemptTimeoutMs + LEASE_MARGIN_MS, saturated);
        if (claimed.length === 0) break;
        for (const d of claimed) this.#dispatch(d);
        if (claimed.length < Math.min(free, 32)) break;
      }
      await this.#scheduleNext();
    } catch (err) {
      this.#o.log.error({ err: String(err) }, 'delivery worker: claiming failed; retrying shortly');
      clearTimeout(this.#wakeTimer);
      this.#wakeTimer = setTimeout(() => this.wake(), 1000);
    }
  }

  async #scheduleNext(): Promise<void> {
    const at = await this.#o.store.nextDueAt();
    clearTimeout(this.#wakeTimer);
    if (at === null || !this.#running) return;
    const delay = Math.max(10, Math.min(at - Date.now(), 2_147_000_000));
    this.#wakeTimer = setTimeout(() => this.wake(), delay);
  }

  #dispatch(d: LogoutDeliveryTable): void {
    // One delivery claimed, per client counted: the next claim skips saturated clients.
    const clientCount = this.#inFlight.get(d.client_id) ?? 0;
    if (clientCount >= this.#o.perClientConcurrency) {
      // Claimed in the same batch as others of this client: hand it back as due now. If the store
      // cannot take it back, the claim simply runs out and the row is due again then.
      this.#o.store
        .release(d.id, d.attempts)
        .catch((err: unknown) => this.#o.log.warn({ err: String(err), delivery: d.id }, 'delivery worker: could not release a claim; it expires by itself'))
        .finally(() => this.wake());
      return;
    }
    this.#inFlight.set(d.client_id, clientCount + 1);
    this.#total++;
    void this.attempt(d)
      .catch((err: unknown) => this.#o.log.error({ err: String(err), delivery: d.id }, 'delivery worker: attempt failed unexpectedly'))
      .finally(() => {
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
        this.wake();
      });
  }

  /** One attempt of one claimed delivery: sign a fresh token, POST it, record what happened. */
  async attempt(d: LogoutDeliveryTable): Promise<AttemptResult> {
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
    if (!realm || !client || !request) {
      const error = `Client or its ${sender.targetName} no longer exists`;
      await this.#record(d, { status: 'failed', next_attempt_at: now, last_status: null, last_error: error, finished_at: now });
      await this.#event(d, realm, 'BACKCHANNEL_LOGOUT_FAILED', error, null);
      return { id: d.id, status: 'failed', httpStatus: null, error };
    }
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
    if (outcome === 'delivered') {
      await this.#record(d, { status: 'delivered', next_attempt_at: done, last_status: httpStatus, last_error: null, finished_at: done });
      await this.#event(d, realm, 'BACKCHANNEL_LOGOUT_DELIVERED', null, httpStatus, client.clientId);
      return { id: d.id, status: 'delivered', httpStatus, error: null };
    }
    if (outcome === 'rejected') {
      await this.#record(d, { status: 'rejected', next_attempt_at: done, last_status: httpStatus, last_error: error, finished_at: done });
      await this.#event(d, realm, 'BACKCHANNEL_LOGOUT_REJECTED', error, httpStatus, client.clientId);
      this.#o.log.warn({ delivery: d.id, client: client.clientId, status: httpStatus, error }, 'back-channel logout rejected by the receiver');
      return { id: d.id, status: 'rejected', httpStatus, error };
    }
    const next = done + nextDelay(this.#o.retry, { attempts: d.attempts, ageMs: done - d.created_at, retryAfterMs });
    if (next - d.created_at > this.#o.retry.maxAgeMs) {
      await this.#record(d, { status: 'failed', next_attempt_at: done, last_status: httpStatus, last_error: error, finished_at: done });
      await this.#event(d, realm, 'BACKCHANNEL_LOGOUT_FAILED', error, httpStatus, client.clientId);
      this.#o.log.error({ delivery: d.id, client: client.clientId, attempts: d.attempts, error }, 'back-channel logout failed: giving up');
      return { id: d.id, status: 'failed', httpStatus, error };
    }
    await this.#record(d, { status: 'retrying', next_attempt_at: next, last_status: httpStatus, last_error: error, finished_at: null });
    await this.#event(d, realm, 'BACKCHANNEL_LOGOUT_RETRYING', error, httpStatus, client.clientId, next);
    this.#o.log.warn({ delivery: d.id, client: client.clientId, attempt: d.attempts, error, nextAttemptAt: new Date(next).toISOString() }, 'back-channel logout failed; will retry');
    return { id: d.id, status: 'retrying', httpStatus, error };
  }

  /** Records an attempt's outcome, repeated while the store is unreachable (see #whileClaimed). */
  async #record(d: LogoutDeliveryTable, values: Parameters<DeliveryStore['record']>[2]): Promise<void> {
    await this.#whileClaimed(d, () => this.#o.store.record(d.id, d.attempts, values));
  }

  /**
   * Runs a store operation of a claimed delivery, repeating it while the store cannot be reached
   * and the claim lasts. A token the receiver has accepted is so recorded once the database is
   * back (a restart, a failover, a terminated connection) instead of being sent again when the
   * claim runs out.
   */
  async #whileClaimed<T>(d: LogoutDeliveryTable, op: () => Promise<T>): Promise<T> {
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      try {
        return await op();
      } catch (err) {
        if (!isStoreUnavailable(err) || Date.now() + wait > d.locked_until - CLAIM_SAFETY_MS) throw err;
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

  async #event(d: LogoutDeliveryTable, realm: Realm | undefined, type: EventType, error: string | null, httpStatus: number | null, clientId?: string, nextAttemptAt?: number): Promise<void> {
    await this.#whileClaimed(d, () => this.#o.events.record({
      realmId: realm?.id ?? d.realm_id,
      type,
      clientId: clientId ?? null,
      userId: d.user_id || null,
      sessionId: d.sso_session_id || null,
      error,
      details: { deliveryId: d.id, kind: d.kind, attempt: d.attempts, httpStatus, ...(nextAttemptAt ? { nextAttemptAt } : {}) },
    }));
  }
}
