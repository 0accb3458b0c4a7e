// Periodic housekeeping: ends SSO sessions that passed their idle or max lifetime — and so sends
// their logout tokens, which Keycloak does not — and deletes expired rows and old events.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { LoginThrottle } from '../login/throttle.ts';
import { realmFromRow } from '../realm/model.ts';
import type { Database } from '../store/schema.ts';
import type { LogoutService } from '../logout/logout-service.ts';

export interface SweeperOptions {
  db: Kysely<Database>;
  logout: LogoutService;
  /** Its counters past their window are deleted too. */
  throttle: LoginThrottle;
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
    const realms = await this.#o.db.selectFrom('realm').selectAll().execute();
    for (const row of realms) {
      const result = await this.#o.logout.endExpired(realmFromRow(row), now);
      ended += result.ended.length;
    }
    const db = this.#o.db;
    await db.deleteFrom('auth_request').where('expires_at', '<', now).execute();
    await db.deleteFrom('logout_request').where('expires_at', '<', now).execute();
    await db.deleteFrom('revoked_access_token').where('expires_at', '<', now).execute();
    await db.deleteFrom('authorization_code').where('expires_at', '<', now - 3_600_000).execute();
    await this.#o.throttle.deleteExpired(now);
    await db.deleteFrom('event').where('time', '<', now - this.#o.eventsRetentionDays * 86_400_000).execute();
    if (ended > 0) this.#o.log.info({ ended }, 'expired SSO sessions ended');
    return ended;
  }
}
