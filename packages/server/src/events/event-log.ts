// Persisted audit events with Keycloak's names and fields.
import type { Executor } from '../store/executor.ts';

export const EVENT_TYPES = [
  'LOGIN',
  'LOGIN_ERROR',
  'CODE_TO_TOKEN',
  'CODE_TO_TOKEN_ERROR',
  'REFRESH_TOKEN',
  'REFRESH_TOKEN_ERROR',
  'LOGOUT',
  'LOGOUT_ERROR',
  'CLIENT_LOGIN',
  'REVOKE_GRANT',
  'BACKCHANNEL_LOGOUT_DELIVERED',
  'BACKCHANNEL_LOGOUT_RETRYING',
  'BACKCHANNEL_LOGOUT_FAILED',
  'BACKCHANNEL_LOGOUT_REJECTED',
  // Keycloak's event of the UPDATE_PASSWORD required action.
  'UPDATE_PASSWORD',
  // Keycloak's identity-brokering events (broker/).
  'IDENTITY_PROVIDER_LOGIN',
  'IDENTITY_PROVIDER_FIRST_LOGIN',
  'IDENTITY_PROVIDER_LOGIN_ERROR',
  'FEDERATED_IDENTITY_LINK',
  // Keycloak's events of CONFIGURE_TOTP, UPDATE_PROFILE and TERMS_AND_CONDITIONS (accepted, declined).
  'UPDATE_TOTP',
  'UPDATE_PROFILE',
  'CUSTOM_REQUIRED_ACTION',
  'CUSTOM_REQUIRED_ACTION_ERROR',
  // Issue 22, Keycloak's names: the forgot-password mail, the reset, email verification,
  // the admin's execute-actions mail, self-registration.
  'SEND_RESET_PASSWORD',
  'SEND_RESET_PASSWORD_ERROR',
  'RESET_PASSWORD',
  'SEND_VERIFY_EMAIL',
  'SEND_VERIFY_EMAIL_ERROR',
  'VERIFY_EMAIL',
  'EXECUTE_ACTIONS',
  'EXECUTE_ACTION_TOKEN_ERROR',
  'REGISTER',
  'REGISTER_ERROR',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface EventInput {
  realmId: string;
  type: EventType;
  clientId?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  ipAddress?: string | null;
  error?: string | null;
  details?: Record<string, unknown>;
}

export interface EventFilter {
  type?: EventType;
  types?: EventType[];
  userId?: string;
  clientId?: string;
  sessionId?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  to?: number;
  first?: number;
  max?: number;
}

/**
 * Deferred events wait at most this long before their batch is written: a grant whose only write
 * is its event (client credentials) costs a share of one multi-row INSERT instead of a statement
 * of its own — on PostgreSQL a round trip, on SQLite a commit.
 */
const FLUSH_DELAY_MS = 5;
/** Rows per INSERT (well inside both stores' bound-parameter limits: 9 columns each). */
const BATCH_ROWS = 500;
/** Queued events beyond which a deferred record waits for the write (backpressure on an outage). */
const MAX_QUEUED = 10_000;
/** After a failed write (store outage), the next attempt. */
const RETRY_MS = 500;

type EventRow = ReturnType<typeof eventRow>;

export class EventLog {
  readonly #db: Executor;
  readonly #queue: EventRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #closed = false;
  constructor(db: Executor) {
    this.#db = db;
  }

  async record(e: EventInput, db: Executor = this.#db): Promise<void> {
    await db.insertInto('event').values(eventRow(e, Date.now())).execute();
  }

  /**
   * Records an event that no transaction needs to commit with: queued, and written within a few
   * milliseconds in one INSERT with the others queued meanwhile. A clean shutdown (`close`)
   * writes what is queued; only a crash can lose the last few milliseconds' events, the same
   * window as an event recorded just before the crash. A failed write keeps the rows queued and
   * is retried; past MAX_QUEUED rows the caller waits for the store (and sees its error).
   */
  async recordDeferred(e: EventInput): Promise<void> {
    this.#queue.push(eventRow(e, Date.now()));
    // After close (a request finishing during shutdown) nothing would write it later.
    if (this.#closed || this.#queue.length >= MAX_QUEUED) return this.flush();
    this.#schedule(FLUSH_DELAY_MS);
  }

  /** Writes every queued event; the admin event list and shutdown call it first. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#writing) await this.#writing;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, BATCH_ROWS);
      this.#writing = this.#db
        .insertInto('event')
        .values(batch)
        .execute()
        .then(
          () => undefined,
          (err: unknown) => {
            // Kept, in order, for the next attempt.
            this.#queue.unshift(...batch);
            throw err;
          },
        )
        .finally(() => {
          this.#writing = undefined;
        });
      await this.#writing;
    }
  }

  /** Writes what is queued (a clean shutdown loses no event); stops the retries. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    this.#timer ??= setTimeout(() => void this.flush().catch(() => this.#schedule(RETRY_MS)), delayMs);
    // A process that is shutting down waits for close(), not for this timer.
    this.#timer.unref();
  }

  /** Many events of one moment in one statement (a batch of ended sessions). */
  async recordMany(events: readonly EventInput[], time: number, db: Executor = this.#db): Promise<void> {
    if (events.length === 0) return;
    await db
      .insertInto('event')
      .values(events.map((e) => eventRow(e, time)))
      .execute();
  }

  /** Housekeeping: events past their retention. */
  async deleteOlderThan(time: number): Promise<void> {
    await this.#db.deleteFrom('event').where('time', '<', time).execute();
  }

  /**
   * The delivery events of one logout (their details name it), oldest first, from `from` on: its
   * timeline across channels. Events past their retention are gone; the trace then shows the
   * deliveries' own last state.
   */
  async ofLogout(realmId: string, logoutId: string, from: number) {
    await this.flush();
    return this.#db
      .selectFrom('event')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where('time', '>=', from)
      .where('type', 'in', [
        'BACKCHANNEL_LOGOUT_DELIVERED',
        'BACKCHANNEL_LOGOUT_RETRYING',
        'BACKCHANNEL_LOGOUT_FAILED',
        'BACKCHANNEL_LOGOUT_REJECTED',
      ])
      .where('details', 'like', `%"logoutId":${JSON.stringify(logoutId)}%`)
      .orderBy('time')
      .orderBy('id')
      .limit(TRACE_EVENTS)
      .execute();
  }

  /** Newest first, filtered like Keycloak's event query (type, client, user, time range, paging). */
  async list(realmId: string, filter: EventFilter = {}) {
    await this.flush();
    return this.#db
      .selectFrom('event')
      .selectAll()
      .where('realm_id', '=', realmId)
      .$if(filter.types !== undefined && filter.types.length > 0, (q) => q.where('type', 'in', filter.types!))
      .$if(filter.type !== undefined, (q) => q.where('type', '=', filter.type!))
      .$if(filter.userId !== undefined, (q) => q.where('user_id', '=', filter.userId!))
      .$if(filter.clientId !== undefined, (q) => q.where('client_id', '=', filter.clientId!))
      .$if(filter.sessionId !== undefined, (q) => q.where('session_id', '=', filter.sessionId!))
      .$if(filter.from !== undefined, (q) => q.where('time', '>=', filter.from!))
      .$if(filter.to !== undefined, (q) => q.where('time', '<=', filter.to!))
      .orderBy('time', 'desc')
      .orderBy('id', 'desc')
      .offset(filter.first ?? 0)
      .limit(Math.min(filter.max ?? 100, 1000))
      .execute();
  }
}

/** The most delivery events one logout's trace reads. */
const TRACE_EVENTS = 5000;

function eventRow(e: EventInput, time: number) {
  return {
    realm_id: e.realmId,
    type: e.type,
    time,
    client_id: e.clientId ?? null,
    user_id: e.userId ?? null,
    session_id: e.sessionId ?? null,
    ip_address: e.ipAddress ?? null,
    error: e.error ?? null,
    details: e.details ? JSON.stringify(e.details) : null,
  };
}
