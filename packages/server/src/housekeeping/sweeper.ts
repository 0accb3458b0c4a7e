// Periodic housekeeping: ends SSO sessions that passed their idle or max lifetime — and so sends
// their logout tokens, which Keycloak does not — and deletes expired rows and old events.
import type { Logger } from 'pino';
import type { EventLog } from '../events/event-log.ts';
import type { LoginThrottle } from '../login/throttle.ts';
import type { LogoutService } from '../logout/logout-service.ts';
import type { PendingRequests } from '../pending/pending-requests.ts';
import type { RealmRepository } from '../realm/repository.ts';
import type { AuthorizationCodeStore } from '../tokens/authorization-code-store.ts';
import type { RevokedAccessTokens } from '../tokens/revoked-access-tokens.ts';

export interface SweeperOptions {
  realms: RealmRepository;
  logout: LogoutService;
  /** The owners of the rows that expire: each deletes its own. */
  pending: PendingRequests;
  revokedAccessTokens: RevokedAccessTokens;
  codes: AuthorizationCodeStore;
  events: EventLog;
  /** Its counters past their window are deleted too. */
  throttle: LoginThrottle;
  /** Other owners of expiring rows (the broker's round-trip states and seen upstream logout tokens). */
  expiring?: ReadonlyArray<{ deleteExpired(now: number): Promise<void> }>;
  log: Logger;
  intervalMs: number;
  eventsRetentionDays: number;
}

export class HousekeepingSweeper {
  readonly #o: SweeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(options: SweeperOptions) {
    this.#o = options;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#running ??= this.sweepOnce()
        .then(() => undefined)
        .catch((err: unknown) => this.#o.log.error({ err: String(err) }, 'expiry sweep failed'))
        .finally(() => {
          this.#running = undefined;
        });
    }, this.#o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  async sweepOnce(now = Date.now()): Promise<number> {
    let ended = 0;
    for (const realm of await this.#o.realms.allRealms()) {
      for (const result of await this.#o.logout.endExpired(realm, now)) ended += result.ended.length;
    }
    await this.#o.pending.deleteExpired(now);
    await this.#o.revokedAccessTokens.deleteExpired(now);
    await this.#o.codes.deleteExpired(now);
    await this.#o.throttle.deleteExpired(now);
    for (const owner of this.#o.expiring ?? []) await owner.deleteExpired(now);
    await this.#o.events.deleteOlderThan(now - this.#o.eventsRetentionDays * 86_400_000);
    if (ended > 0) this.#o.log.info({ ended }, 'expired SSO sessions ended');
    return ended;
  }
}
