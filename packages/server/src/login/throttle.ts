// Throttling of password logins, kept in the store so that it holds across restarts and
// across server processes on one PostgreSQL.
//
// Every attempt is *reserved* before argon2 runs, in one transaction that locks the counter
// rows (SELECT … FOR UPDATE on PostgreSQL; SQLite runs one writer at a time): the reservation
// counts the attempt as a failure in advance and takes an in-flight slot, or refuses. So N
// parallel guesses cannot all pass a check made before any of them is recorded. A success
// gives the failure back; a crash leaves it counted, and its in-flight slot lapses. Every slot
// is its own lease row (login-attempt-store.ts), so a leaked slot lapses on its own.
//
// An attempt that finds a counter's slots taken waits in this process, in a short queue per
// counter, woken by the `finish` of a local attempt — or, for slots held by another process,
// by a timer every `crossProcessRetryMs` — and only then asks the store again. More waiters
// than `maxWaiters` on one counter are answered 429 at once. So a waiting login costs a few
// store transactions, not one every few milliseconds.
//
// Counters, each per realm:
//   ip-user:<address> <username>  failures of one username from one client address: after
//                                 `userFailures` the pair is locked out (30 s, doubling, ≤ 15 min),
//                                 as Keycloak's brute-force detector locks a user. Keyed on the pair
//                                 so that many users behind one address cannot lock each other out.
//   user:<username>               failures from all addresses together (a distributed attack): after
//                                 `userFailuresAnyAddress` the username is slowed down, not walled
//                                 off — one verification per step (1 s, doubling, ≤ 60 s) — so the
//                                 right password still gets in at the next step (OWASP: prefer
//                                 delays to lockouts an attacker can impose on a victim).
//   device:<username> <device>    replaces user:<username> for a browser with a known-device
//                                 cookie for this username (known-device.ts): its own failures,
//                                 lockout and slots, as for a pair, so a distributed guesser who
//                                 has slowed the username down cannot take this browser's turns.
//   ip:<address>                  no failure limit; caps the verifications in flight per address.
// IPv6 addresses count per /64, the block one subscriber usually holds. An attempt whose
// address is uncertain (a proxy's forwarding headers disagree) has both address counters of
// each kind, so it is refused while either pair is locked and counted against both.
import type { Kysely } from 'kysely';
import { newId } from '../crypto/random.ts';
import { TooManyRequests } from '../errors.ts';
import { addressKey } from '../http/cidr.ts';
import type { DialectName } from '../store/dialect-name.ts';
import type { Database } from '../store/schema.ts';
import { KnownDevices } from './known-device.ts';
import { LoginAttemptStore } from './login-attempt-store.ts';

export interface ThrottlePolicy {
  /** Failures of one username from one address before that pair is locked out. */
  userFailures: number;
  /** Failures of one username from all addresses together before its logins are slowed down. */
  userFailuresAnyAddress: number;
  /** First lockout of an (address, username) pair, doubled at every further failure. */
  baseLockoutMs: number;
  maxLockoutMs: number;
  /** First slowdown step of a username, doubled at every further failure. */
  baseSlowdownMs: number;
  maxSlowdownMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
  /** Password verifications in flight at once, per username and per client address. */
  userConcurrency: number;
  addressConcurrency: number;
  /** An in-flight slot whose process died stops counting after this long. */
  inFlightLeaseMs: number;
  /**
   * How long an attempt waits for a free in-flight slot before it is refused with 429. Waiting
   * (rather than refusing at once) lets a legitimate burst — several apps signing one user in at
   * the same moment — through one after another, while verifications in flight stay capped.
   */
  inFlightWaitMs: number;
  /** Attempts waiting at once for one counter's slots, in one process; more are refused at once. */
  maxWaiters: number;
  /** How often a waiting attempt asks the store again while slots are held by other processes. */
  crossProcessRetryMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  userFailures: 5,
  userFailuresAnyAddress: 20,
  baseLockoutMs: 30_000,
  maxLockoutMs: 15 * 60_000,
  baseSlowdownMs: 1_000,
  maxSlowdownMs: 60_000,
  windowMs: 15 * 60_000,
  userConcurrency: 2,
  addressConcurrency: 8,
  inFlightLeaseMs: 30_000,
  inFlightWaitMs: 2_000,
  maxWaiters: 8,
  crossProcessRetryMs: 250,
};

interface Counter {
  subject: string;
  /** Failures before the counter starts delaying; Infinity: it does not count failures. */
  limit: number;
  baseMs: number;
  maxMs: number;
  /** In-flight slots; Infinity: the counter takes none. */
  concurrency: number;
}

/** A reserved attempt: call `finish` exactly once, after verifying. */
export interface LoginAttempt {
  finish(outcome: 'success' | 'failure'): Promise<void>;
}

const MAX_USERNAME_KEY = 255;

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

const busy = () => new TooManyRequests('Too many sign-in attempts at once. Try again in a moment.', 1);

export class LoginThrottle {
  readonly policy: ThrottlePolicy;
  /** Known-device cookies, issued after a successful form sign-in. */
  readonly devices: KnownDevices;
  readonly #store: LoginAttemptStore;
  /** Per realm and counter: slots held by attempts of this process, and the attempts waiting. */
  readonly #held = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();

  constructor(db: Kysely<Database>, dialect: DialectName, policy: Partial<ThrottlePolicy> = {}) {
    this.#store = new LoginAttemptStore(db, dialect);
    this.devices = new KnownDevices(db);
    this.policy = { ...DEFAULT_THROTTLE, ...policy };
  }

  #counters(username: string, addresses: readonly string[], device: string | null): Counter[] {
    const p = this.policy;
    const name = username.toLowerCase().slice(0, MAX_USERNAME_KEY);
    // Usually one address; two when a proxy's forwarding headers disagree, and then the attempt
    // counts against both and is refused while either is locked (http/client-address.ts).
    const ats = addresses.length === 0 ? ['unknown'] : [...new Set(addresses.map(addressKey))];
    // Sorted, so that concurrent reservations lock rows in one order and cannot deadlock.
    return [
      ...ats.flatMap((at): Counter[] => [
        {
          subject: `ip-user:${at} ${name}`,
          limit: p.userFailures,
          baseMs: p.baseLockoutMs,
          maxMs: p.maxLockoutMs,
          concurrency: Infinity,
        },
        { subject: `ip:${at}`, limit: Infinity, baseMs: 0, maxMs: 0, concurrency: p.addressConcurrency },
      ]),
      device === null
        ? {
            subject: `user:${name}`,
            limit: p.userFailuresAnyAddress,
            baseMs: p.baseSlowdownMs,
            maxMs: p.maxSlowdownMs,
            concurrency: p.userConcurrency,
          }
        : {
            subject: `device:${name} ${device}`,
            limit: p.userFailures,
            baseMs: p.baseLockoutMs,
            maxMs: p.maxLockoutMs,
            concurrency: p.userConcurrency,
          },
    ].sort((a, b) => (a.subject < b.subject ? -1 : 1));
  }

  /**
   * Reserves one verification for `username` from `address` (or from every one of several
   * candidate addresses), or throws TooManyRequests (with the seconds to wait) while a counter
   * is locked or its in-flight slots stay taken. `deviceCookie`: the browser's known-device
   * cookie, if any.
   */
  async reserve(
    realmId: string,
    username: string,
    address: string | null | readonly string[],
    options: { deviceCookie?: string; now?: number } = {},
  ): Promise<LoginAttempt> {
    const now = options.now ?? Date.now();
    const device = await this.devices.recognise(realmId, username, options.deviceCookie, now);
    const addresses = address === null ? [] : typeof address === 'string' ? [address] : address;
    const counters = this.#counters(username, addresses, device);
    const attemptId = newId();
    const waitUntil = Date.now() + this.policy.inFlightWaitMs;
    for (let at = now; ; at = Math.max(Date.now(), now)) {
      const full = await this.#reserveOnce(realmId, counters, attemptId, at);
      if (full === null) break;
      await this.#waitForSlot(`${realmId} ${full.subject}`, full.concurrency, waitUntil);
    }
    const keys = counters.filter((c) => Number.isFinite(c.concurrency)).map((c) => `${realmId} ${c.subject}`);
    for (const key of keys) this.#held.set(key, (this.#held.get(key) ?? 0) + 1);
    let finished = false;
    return {
      finish: async (outcome) => {
        if (finished) return;
        finished = true;
        try {
          await this.#finish(realmId, counters, attemptId, outcome);
        } finally {
          // Woken even when the store failed: the waiter then finds the leaked slot and falls
          // back to the timer until its lease lapses.
          for (const key of keys) this.#release(key);
        }
      },
    };
  }

  /** Waits for a local `finish` on the counter, or the cross-process timer; throws 429 past the deadline or the queue's cap. */
  async #waitForSlot(key: string, concurrency: number, waitUntil: number): Promise<void> {
    const left = waitUntil - Date.now();
    const queue = this.#waiting.get(key) ?? [];
    if (left <= 0 || queue.length >= this.policy.maxWaiters) throw busy();
    // Only when all slots are held here is a wake-up certain; otherwise another process (or a
    // leaked slot) holds one, and the store is asked again now and then.
    const allLocal = (this.#held.get(key) ?? 0) >= concurrency;
    const ms = allLocal ? left : Math.min(left, this.policy.crossProcessRetryMs);
    this.#waiting.set(key, queue);
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        const i = queue.indexOf(wake);
        if (i >= 0) queue.splice(i, 1);
        if (queue.length === 0 && this.#waiting.get(key) === queue) this.#waiting.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      queue.push(wake);
    });
    if (Date.now() >= waitUntil) throw busy();
  }

  #release(key: string): void {
    const n = (this.#held.get(key) ?? 1) - 1;
    if (n > 0) this.#held.set(key, n);
    else this.#held.delete(key);
    this.#waiting.get(key)?.[0]?.();
  }

  /** Takes the slots and counts the failure in advance; returns the counter whose slots are all taken, or null. */
  async #reserveOnce(realmId: string, counters: Counter[], attemptId: string, now: number): Promise<Counter | null> {
    const p = this.policy;
    const subjects = counters.map((c) => c.subject);
    const slotted = counters.filter((c) => Number.isFinite(c.concurrency));
    return this.#store.locked(realmId, subjects, async (trx, rows) => {
      // A lock answers at once; only full in-flight slots are worth waiting for.
      for (const row of rows) {
        if (row.locked_until > now) {
          const wait = seconds(row.locked_until - now);
          throw new TooManyRequests(
            `Too many failed login attempts. Try again in ${wait} second${wait === 1 ? '' : 's'}.`,
            wait,
          );
        }
      }
      const live = await this.#store.liveSlots(
        trx,
        realmId,
        slotted.map((c) => c.subject),
        now,
      );
      const full = slotted.find((c) => (live.get(c.subject) ?? 0) >= c.concurrency);
      if (full) return full;
      await this.#store.takeSlots(
        trx,
        realmId,
        slotted.map((c) => c.subject),
        attemptId,
        now + p.inFlightLeaseMs,
      );
      for (const c of counters.filter((c) => Number.isFinite(c.limit))) {
        const row = rows.find((r) => r.subject === c.subject)!;
        const failures = (now - row.last_failure_at < p.windowMs ? row.failures : 0) + 1;
        const over = failures - c.limit;
        await this.#store.setCounter(trx, realmId, c.subject, {
          failures,
          last_failure_at: now,
          locked_until: over >= 0 ? now + Math.min(c.maxMs, c.baseMs * 2 ** over) : 0,
        });
      }
      return null;
    });
  }

  async #finish(
    realmId: string,
    counters: Counter[],
    attemptId: string,
    outcome: 'success' | 'failure',
  ): Promise<void> {
    try {
      await this.#store.releaseSlots(realmId, attemptId);
    } catch (err) {
      this.#releaseLater(realmId, attemptId);
      throw err;
    }
    if (outcome === 'success')
      await this.#store.resetFailures(
        realmId,
        counters.filter((c) => Number.isFinite(c.limit)).map((c) => c.subject),
      );
  }

  /**
   * The store failed under a release (a restart or failover): keep trying in the background, so
   * the slot is free as soon as the store is back rather than only when its lease lapses — else
   * every sign-in of that user or address would wait and get 429 for the rest of the lease.
   */
  #releaseLater(realmId: string, attemptId: string): void {
    const until = Date.now() + this.policy.inFlightLeaseMs;
    const attempt = (delayMs: number) => {
      setTimeout(() => {
        this.#store.releaseSlots(realmId, attemptId).catch(() => {
          if (Date.now() < until) attempt(Math.min(delayMs * 2, 2_000));
        });
      }, delayMs).unref();
    };
    attempt(100);
  }

  /** Housekeeping: lapsed slots, and counters with nothing left to remember. */
  async deleteExpired(now = Date.now()): Promise<number> {
    return this.#store.deleteExpired(now, this.policy.windowMs);
  }
}
