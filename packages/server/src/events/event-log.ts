// Persisted audit events with Keycloak's names and fields.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

export type EventType =
  | 'LOGIN'
  | 'LOGIN_ERROR'
  | 'CODE_TO_TOKEN'
  | 'CODE_TO_TOKEN_ERROR'
  | 'REFRESH_TOKEN'
  | 'REFRESH_TOKEN_ERROR'
  | 'LOGOUT'
  | 'LOGOUT_ERROR'
  | 'CLIENT_LOGIN'
  | 'REVOKE_GRANT'
  | 'BACKCHANNEL_LOGOUT_DELIVERED'
  | 'BACKCHANNEL_LOGOUT_RETRYING'
  | 'BACKCHANNEL_LOGOUT_FAILED'
  | 'BACKCHANNEL_LOGOUT_REJECTED';

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

export class EventLog {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async record(e: EventInput, db: Kysely<Database> = this.#db): Promise<void> {
    await db
      .insertInto('event')
      .values({
        realm_id: e.realmId,
        type: e.type,
        time: Date.now(),
        client_id: e.clientId ?? null,
        user_id: e.userId ?? null,
        session_id: e.sessionId ?? null,
        ip_address: e.ipAddress ?? null,
        error: e.error ?? null,
        details: e.details ? JSON.stringify(e.details) : null,
      })
      .execute();
  }

  async list(
    realmId: string,
    filter: { type?: EventType; userId?: string; clientId?: string; max?: number } = {},
  ) {
    let q = this.#db.selectFrom('event').selectAll().where('realm_id', '=', realmId);
    if (filter.type) q = q.where('type', '=', filter.type);
    if (filter.userId) q = q.where('user_id', '=', filter.userId);
    if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
    return q
      .orderBy('id', 'desc')
      .limit(filter.max ?? 100)
      .execute();
  }
}
