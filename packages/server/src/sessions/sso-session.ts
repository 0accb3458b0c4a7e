// SSO sessions and the client sessions inside them. A client session is recorded the moment
// a client receives tokens in an SSO session: it is the list a logout fans out to (BCL §2.3).
import type { Kysely } from 'kysely';
import { newId, randomToken, sha256 } from '../crypto/random.ts';
import type { LogoutService } from '../logout/logout-service.ts';
import type { Realm } from '../realm/model.ts';
import type { Database, SsoSessionTable } from '../store/schema.ts';
import { endSessionsBeyondLimit } from './session-limit.ts';

export interface SsoSession {
  id: string;
  realmId: string;
  userId: string;
  /** Epoch ms of the last active authentication (OIDC Core `auth_time`, in ms). */
  authTime: number;
  startedAt: number;
  lastSeenAt: number;
}

export interface ClientSessionInput {
  ssoSessionId: string;
  realmId: string;
  clientId: string;
  userId: string;
  scope: string;
  offline: boolean;
}

function fromRow(row: SsoSessionTable): SsoSession {
  return {
    id: row.id,
    realmId: row.realm_id,
    userId: row.user_id,
    authTime: row.auth_time,
    startedAt: row.started_at,
    lastSeenAt: row.last_seen_at,
  };
}

/** Whether a session row is within the realm's idle and max lifetimes and not ended. */
export function isSessionLive(
  row: Pick<SsoSessionTable, 'ended_at' | 'started_at' | 'last_seen_at'>,
  realm: Realm,
  now: number,
): boolean {
  return (
    row.ended_at === null &&
    now - row.last_seen_at < realm.ssoSessionIdleTimeout * 1000 &&
    now - row.started_at < realm.ssoSessionMaxLifespan * 1000
  );
}

export class SsoSessions {
  readonly #db: Kysely<Database>;
  readonly #logout: LogoutService;
  constructor(db: Kysely<Database>, logout: LogoutService) {
    this.#db = db;
    this.#logout = logout;
  }

  /**
   * Starts a session; returns it with the secret cookie value (only its hash is stored). The
   * user's oldest sessions beyond the realm's cap are ended, with logout tokens.
   */
  async create(
    realm: Realm,
    userId: string,
    ipAddress: string | null,
    now = Date.now(),
  ): Promise<{ session: SsoSession; cookie: string }> {
    // The sid is shown to every RP, so the browser cookie is a separate secret.
    const cookie = randomToken();
    const row: SsoSessionTable = {
      id: randomToken(24),
      realm_id: realm.id,
      user_id: userId,
      cookie_hash: sha256(cookie),
      auth_time: now,
      started_at: now,
      last_seen_at: now,
      ip_address: ipAddress,
      ended_at: null,
      end_reason: null,
    };
    await this.#db.insertInto('sso_session').values(row).execute();
    await endSessionsBeyondLimit(this.#db, this.#logout, realm, userId, row.id, now);
    return { session: fromRow(row), cookie };
  }

  /** The live session a browser cookie points to in this realm, if any. */
  async findByCookie(
    realm: Realm,
    cookie: string | undefined,
    now = Date.now(),
  ): Promise<SsoSession | undefined> {
    if (!cookie) return undefined;
    const row = await this.#db
      .selectFrom('sso_session')
      .selectAll()
      .where('cookie_hash', '=', sha256(cookie))
      .where('realm_id', '=', realm.id)
      .executeTakeFirst();
    return row && isSessionLive(row, realm, now) ? fromRow(row) : undefined;
  }

  /** The session by id if it is still live. */
  async findLive(realm: Realm, id: string, now = Date.now()): Promise<SsoSession | undefined> {
    const row = await this.#db
      .selectFrom('sso_session')
      .selectAll()
      .where('id', '=', id)
      .where('realm_id', '=', realm.id)
      .executeTakeFirst();
    return row && isSessionLive(row, realm, now) ? fromRow(row) : undefined;
  }

  /** Marks activity, which pushes the idle timeout out. */
  async touch(id: string, now = Date.now()): Promise<void> {
    await this.#db.updateTable('sso_session').set({ last_seen_at: now }).where('id', '=', id).execute();
  }

  /** Records a fresh authentication in an existing session (prompt=login, max_age). */
  async reauthenticated(id: string, now = Date.now()): Promise<void> {
    await this.#db
      .updateTable('sso_session')
      .set({ auth_time: now, last_seen_at: now })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Records (or refreshes) that a client received tokens in a session. One row per
   * (session, client, online/offline): a logout finds every client that must be told.
   */
  async recordClientSession(
    input: ClientSessionInput,
    db: Kysely<Database> = this.#db,
    now = Date.now(),
  ): Promise<string> {
    const offline = input.offline ? 1 : 0;
    const existing = await db
      .selectFrom('client_session')
      .select(['id', 'scope'])
      .where('sso_session_id', '=', input.ssoSessionId)
      .where('client_id', '=', input.clientId)
      .where('offline', '=', offline)
      .executeTakeFirst();
    if (existing) {
      const scope = mergeScopes(existing.scope, input.scope);
      await db
        .updateTable('client_session')
        .set({ last_token_at: now, scope, ended_at: null })
        .where('id', '=', existing.id)
        .execute();
      return existing.id;
    }
    const inserted = await db
      .insertInto('client_session')
      .values({
        id: newId(),
        realm_id: input.realmId,
        sso_session_id: input.ssoSessionId,
        client_id: input.clientId,
        user_id: input.userId,
        scope: input.scope,
        offline,
        first_token_at: now,
        last_token_at: now,
        ended_at: null,
      })
      // A concurrent token request for the same client may have inserted the row first.
      .onConflict((oc) =>
        oc
          .columns(['sso_session_id', 'client_id', 'offline'])
          .doUpdateSet({ last_token_at: now, ended_at: null }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    return inserted.id;
  }

  /** Every live client session of an SSO session: whom a logout must notify. */
  async clientSessionsOf(ssoSessionId: string) {
    return this.#db
      .selectFrom('client_session')
      .selectAll()
      .where('sso_session_id', '=', ssoSessionId)
      .where('ended_at', 'is', null)
      .execute();
  }
}

function mergeScopes(a: string, b: string): string {
  return [...new Set([...a.split(' '), ...b.split(' ')].filter(Boolean))].join(' ');
}
