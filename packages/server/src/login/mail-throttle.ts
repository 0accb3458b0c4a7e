// How many mails a user can make Sundown send: a cap per user and kind of mail ("Forgot
// password?", the VERIFY_EMAIL link) and one per client address over a window, so that nobody can
// mail-bomb a known address or burn the realm's SMTP reputation (OWASP Forgot Password Cheat
// Sheet: rate-limit the requests). Keycloak has no such cap; the answer of the page stays its own.
//
// The counters live in the login throttle's table (login-attempt-store.ts), in rows of their own,
// so that they hold across restarts and across processes on one PostgreSQL:
//   mail:<kind> <user id>   mails of one kind to one user; `perUser` per window
//   mail-ip:<address>       mails of any kind asked for from one address (IPv6 per /64); `perAddress`
// A row's `failures` counts the mails sent in its window, `last_failure_at` is the last one and
// `locked_until` the end of the window, which opens at the first mail (so housekeeping keeps the
// row while the window is open). Both counters are checked and counted in one transaction that
// locks their rows, so parallel requests cannot each pass a check made before the others count.
// A refused mail is not counted: the window ends on time however often one asks.
import { addressKey } from '../http/cidr.ts';
import type { LoginAttemptStore } from './login-attempt-store.ts';

export interface MailRatePolicy {
  /** Mails of one kind to one user per window. */
  perUser: number;
  /** Mails of any kind asked for from one client address per window. */
  perAddress: number;
  /** The window, opened by the first mail of a counter. */
  windowMs: number;
}

export const DEFAULT_MAIL_RATE: MailRatePolicy = {
  perUser: 3,
  perAddress: 10,
  windowMs: 15 * 60_000,
};

/** The kinds of mail a user can ask for without being signed in yet. */
export type ThrottledMail = 'reset-credentials' | 'verify-email';

export class MailThrottle {
  readonly policy: MailRatePolicy;
  readonly #store: LoginAttemptStore;
  readonly #now: () => number;

  /** `now`: the clock (tests move it past the window instead of sleeping). */
  constructor(store: LoginAttemptStore, policy: Partial<MailRatePolicy> = {}, now: () => number = Date.now) {
    this.#store = store;
    this.policy = { ...DEFAULT_MAIL_RATE, ...policy };
    this.#now = now;
  }

  /**
   * Counts one mail of `kind` to `userId`, asked for from `addresses` (none: not counted per
   * address), and answers true — or false, counting nothing, when a counter is full.
   */
  async take(realmId: string, kind: ThrottledMail, userId: string, addresses: readonly string[]): Promise<boolean> {
    const p = this.policy;
    const now = this.#now();
    const counters = [
      { subject: `mail:${kind} ${userId}`, limit: p.perUser },
      ...[...new Set(addresses.map(addressKey))].map((at) => ({ subject: `mail-ip:${at}`, limit: p.perAddress })),
    ].sort((a, b) => (a.subject < b.subject ? -1 : 1)); // one lock order: no deadlock
    return this.#store.locked(
      realmId,
      counters.map((c) => c.subject),
      async (trx, rows) => {
        const sent = (subject: string) => {
          const row = rows.find((r) => r.subject === subject)!;
          return row.locked_until > now ? row : null;
        };
        if (counters.some((c) => (sent(c.subject)?.failures ?? 0) >= c.limit)) return false;
        for (const c of counters) {
          const open = sent(c.subject);
          await this.#store.setCounter(trx, realmId, c.subject, {
            failures: (open?.failures ?? 0) + 1,
            last_failure_at: now,
            locked_until: open?.locked_until ?? now + p.windowMs,
          });
        }
        return true;
      },
    );
  }
}
