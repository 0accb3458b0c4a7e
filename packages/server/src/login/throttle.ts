// Throttling of password logins, kept in the store so that it holds across restarts and
// across server processes on one PostgreSQL.
//
// Every attempt is *reserved* before argon2 runs, in one transaction that locks the counter
// rows (SELECT … FOR UPDATE on PostgreSQL; SQLite runs one writer at a time): the reservation
// counts the attempt as a failure in advance and takes an in-flight slot, or refuses. So N
// parallel guesses cannot all pass a check made before any of them is recorded. A success
// gives the failure back; a crash leaves it counted, and its in-flight slot lapses.
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
//   ip:<address>                  no failure limit; caps the verifications in flight per address.
// IPv6 addresses count per /64, the block one subscriber usually holds.
import { type Kysely, sql } from 'kysely';
import { TooManyRequests } from '../errors.ts';
import { addressKey } from '../http/cidr.ts';
import type { DialectName } from '../store/dialect-name.ts';
import type { Database } from '../store/schema.ts';

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
};

/** Thrown inside the reservation when a counter's in-flight slots are all taken. */
class SlotsTaken extends Error {}

interface Counter {
  subject: string;
  /** Failures before the counter starts delaying; Infinity: it does not count failures. */
  limit: number;
  baseMs: number;
  maxMs: number;
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

export class LoginThrottle {
  readonly policy: ThrottlePolicy;
  readonly #db: Kysely<Database>;
  readonly #dialect: DialectName;

  constructor(db: Kysely<Database>, dialect: DialectName, policy: Partial<ThrottlePolicy> = {}) {
    this.#db = db;
    this.#dialect = dialect;
    this.policy = { ...DEFAULT_THROTTLE, ...policy };
  }

  #counters(username: string, address: string | null): Counter[] {
    const p = this.policy;
    const name = username.toLowerCase().slice(0, MAX_USERNAME_KEY);
    const at = address === null ? 'unknown' : addressKey(address);
    // Sorted, so that concurrent reservations lock rows in one order and cannot deadlock.
    return [
      { subject: `ip-user:${at} ${name}`, limit: p.userFailures, baseMs: p.baseLockoutMs, maxMs: p.maxLockoutMs, concurrency: Infinity },
      { subject: `ip:${at}`, limit: Infinity, baseMs: 0, maxMs: 0, concurrency: p.addressConcurrency },
      { subject: `user:${name}`, limit: p.userFailuresAnyAddress, baseMs: p.baseSlowdownMs, maxMs: p.maxSlowdownMs, concurrency: p.userConcurrency },
    ].sort((a, b) => (a.subject < b.subject ? -1 : 1));
  }

  /**
   * Reserves one verification for `username` from `address`, or throws TooManyRequests (with
   * the seconds to wait) while a counter is locked or its in-flight slots are taken.
   */
  async reserve(realmId: string, username: string, address: string | null, now = Date.now()): Promise<LoginAttempt> {
    const counters = this.#counters(username, address);
    const waitUntil = now + this.policy.inFlightWaitMs;
    for (let at = now; ; at = Math.max(Date.now(), now)) {
      try {
        await this.#reserveOnce(realmId, counters, at);
        break;
      } catch (err) {
        if (!(err instanceof SlotsTaken)) throw err;
        if (Date.now() >= waitUntil) throw new TooManyRequests('Too many sign-in attempts at once. Try again in a moment.', 1);
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 40));
      }
    }
    let finished = false;
    return {
      finish: async (outcome) => {
        if (finished) return;
        finished = true;
        await this.#finish(realmId, counters, outcome);
      },
    };
  }

  async #reserveOnce(realmId: string, counters: Counter[], now: number): Promise<void> {
    const p = this.policy;
    await this.#db.transaction().execute(async (trx) => {
      // Inserting first makes this a writing transaction at once (SQLite takes its write lock
      // here, not on a later upgrade) and gives PostgreSQL rows to lock, in subject order.
      await trx
        .insertInto('login_failure')
        .values(counters.map((c) => ({ realm_id: realmId, subject: c.subject, failures: 0, last_failure_at: 0, locked_until: 0, in_flight: 0, in_flight_until: 0 })))
        .onConflict((oc) => oc.columns(['realm_id', 'subject']).doNothing())
        .execute();
      const rows = await trx
        .selectFrom('login_failure')
        .selectAll()
        .where('realm_id', '=', realmId)
        .where('subject', 'in', counters.map((c) => c.subject))
        .orderBy('subject')
        .$if(this.#dialect === 'postgres', (q) => q.forUpdate())
        .execute();
      // A lock answers at once; only full in-flight slots are worth waiting for.
      for (const row of rows) {
        if (row.locked_until > now) {
          const wait = seconds(row.locked_until - now);
          throw new TooManyRequests(`Too many failed login attempts. Try again in ${wait} second${wait === 1 ? '' : 's'}.`, wait);
        }
      }
      for (const c of counters) {
        const row = rows.find((r) => r.subject === c.subject)!;
        if ((row.in_flight_until > now ? row.in_flight : 0) >= c.concurrency) throw new SlotsTaken();
      }
      for (const c of counters) {
        const row = rows.find((r) => r.subject === c.subject)!;
        const counts = Number.isFinite(c.limit);
        const failures = counts ? (now - row.last_failure_at < p.windowMs ? row.failures : 0) + 1 : 0;
        const over = failures - c.limit;
        await trx
          .updateTable('login_failure')
          .set({
            failures,
            last_failure_at: counts ? now : row.last_failure_at,
            locked_until: over >= 0 ? now + Math.min(c.maxMs, c.baseMs * 2 ** over) : 0,
            in_flight: (row.in_flight_until > now ? row.in_flight : 0) + 1,
            in_flight_until: now + p.inFlightLeaseMs,
          })
          .where('realm_id', '=', realmId)
          .where('subject', '=', c.subject)
          .execute();
      }
    });
  }

  async #finish(realmId: string, counters: Counter[], outcome: 'success' | 'failure'): Promise<void> {
    const release = sql<number>`case when in_flight > 0 then in_flight - 1 else 0 end`;
    const subjects = counters.map((c) => c.subject);
    // A success gives back the failure counted in advance — and, as in Keycloak, the others.
    const reset = outcome === 'success' ? counters.filter((c) => Number.isFinite(c.limit)).map((c) => c.subject) : [];
    const kept = subjects.filter((s) => !reset.includes(s));
    if (reset.length > 0) {
      await this.#db
        .updateTable('login_failure')
        .set({ failures: 0, locked_until: 0, in_flight: release })
        .where('realm_id', '=', realmId)
        .where('subject', 'in', reset)
        .execute();
    }
    await this.#db
      .updateTable('login_failure')
      .set({ in_flight: release })
      .where('realm_id', '=', realmId)
      .where('subject', 'in', kept)
      .execute();
  }

  /** Housekeeping: counters with nothing left to remember. */
  async deleteExpired(now = Date.now()): Promise<number> {
    const result = await this.#db
      .deleteFrom('login_failure')
      .where('last_failure_at', '<', now - this.policy.windowMs)
      .where('locked_until', '<', now)
      .where('in_flight_until', '<', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
