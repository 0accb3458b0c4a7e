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

export class EventLog {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async record(e: EventInput, db: Executor = this.#db): Promise<void> {
    await db.insertInto('event').values(eventRow(e, Date.now())).execute();
  }

  /** Many events of one moment in one statement (a batch of ended sessions). */
  async recordMany(events: readonly EventInput[], time: number, db: Executor = this.#db): Promise<void> {
    if (events.length === 0) return;
    await db.insertInto('event').values(events.map((e) => eventRow(e, time))).execute();
  }

  /** Housekeeping: events past their retention. */
  async deleteOlderThan(time: number): Promise<void> {
    await this.#db.deleteFrom('event').where('time', '<', time).execute();
  }

  /** Newest first, filtered like Keycloak's event query (type, client, user, time range, paging). */
  async list(realmId: string, filter: EventFilter = {}) {
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
