// Throttling of failed logins, per username and per client IP, kept in the store so that it
// holds across restarts and across server processes.
import type { Kysely } from 'kysely';
import { TooManyRequests } from '../errors.ts';
import type { Database } from '../store/schema.ts';

export interface ThrottlePolicy {
  /** Failures allowed per username before a lockout starts. */
  userFailures: number;
  /** Failures allowed per IP address (many users behind one NAT) before a lockout starts. */
  ipFailures: number;
  /** First lockout, doubled at every further failure. */
  baseLockoutMs: number;
  maxLockoutMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  userFailures: 5,
  ipFailures: 30,
  baseLockoutMs: 30_000,
  maxLockoutMs: 15 * 60_000,
  windowMs: 15 * 60_000,
};

export class LoginThrottle {
  readonly #db: Kysely<Database>;
  readonly #policy: ThrottlePolicy;

  constructor(db: Kysely<Database>, policy: ThrottlePolicy = DEFAULT_THROTTLE) {
    this.#db = db;
    this.#policy = policy;
  }

  static subjects(username: string, ip: string | null): string[] {
    return [`user:${username.toLowerCase()}`, ...(ip ? [`ip:${ip}`] : [])];
  }

  /** Throws TooManyRequests while any of the subjects is locked out. */
  async check(realmId: string, subjects: string[], now = Date.now()): Promise<void> {
    const rows = await this.#db
      .selectFrom('login_failure')
      .select(['locked_until'])
      .where('realm_id', '=', realmId)
      .where('subject', 'in', subjects)
      .execute();
    const until = Math.max(0, ...rows.map((r) => r.locked_until));
    if (until > now) {
      const seconds = Math.ceil((until - now) / 1000);
      throw new TooManyRequests(`Too many failed login attempts. Try again in ${seconds} seconds.`, seconds);
    }
  }

  async recordFailure(realmId: string, subjects: string[], now = Date.now()): Promise<void> {
    for (const subject of subjects) {
      const limit = subject.startsWith('ip:') ? this.#policy.ipFailures : this.#policy.userFailures;
      await this.#db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('login_failure')
          .selectAll()
          .where('realm_id', '=', realmId)
          .where('subject', '=', subject)
          .executeTakeFirst();
        const failures = row && now - row.last_failure_at < this.#policy.windowMs ? row.failures + 1 : 1;
        const over = failures - limit;
        const lockedUntil =
          over >= 0 ? now + Math.min(this.#policy.maxLockoutMs, this.#policy.baseLockoutMs * 2 ** over) : 0;
        await trx
          .insertInto('login_failure')
          .values({ realm_id: realmId, subject, failures, last_failure_at: now, locked_until: lockedUntil })
          .onConflict((oc) =>
            oc
              .columns(['realm_id', 'subject'])
              .doUpdateSet({ failures, last_failure_at: now, locked_until: lockedUntil }),
          )
          .execute();
      });
    }
  }

  async recordSuccess(realmId: string, username: string): Promise<void> {
    await this.#db
      .deleteFrom('login_failure')
      .where('realm_id', '=', realmId)
      .where('subject', '=', `user:${username.toLowerCase()}`)
      .execute();
  }
}
