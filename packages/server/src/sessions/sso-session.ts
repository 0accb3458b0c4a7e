// SSO sessions and the client sessions inside them. A client session is recorded the moment
// a client receives tokens in an SSO session: it is the list a logout fans out to (BCL §2.3).
import { randomToken, sha256 } from '../crypto/random.ts';
import type { SessionEnder } from './session-ender.ts';
import type { Realm } from '../realm/model.ts';
import type { ClientSessionTable, SsoSessionTable } from '../store/schema.ts';
import type { ClientSessionInput, ClientSessionStore } from './client-session-store.ts';
import { isSessionLive } from './session-liveness.ts';
import { endSessionsBeyondLimit } from './session-limit.ts';
import type { SsoSessionStore } from './sso-session-store.ts';

export interface SsoSession {
  id: string;
  realmId: string;
  userId: string;
  /** Epoch ms of the last active authentication (OIDC Core `auth_time`, in ms). */
  authTime: number;
  startedAt: number;
  lastSeenAt: number;
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

export class SsoSessions {
  readonly #store: SsoSessionStore;
  readonly #clientSessions: ClientSessionStore;
  readonly #logout: SessionEnder;
  constructor(store: SsoSessionStore, clientSessions: ClientSessionStore, logout: SessionEnder) {
    this.#store = store;
    this.#clientSessions = clientSessions;
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
    userAgent: string | null = null,
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
      user_agent: userAgent?.slice(0, 256) ?? null,
    };
    await this.#store.insert(row);
    await endSessionsBeyondLimit(this.#store, this.#logout, realm, userId, row.id, now);
    return { session: fromRow(row), cookie };
  }

  /** A user's live sessions, most recently active first (their account page). */
  async liveOfUser(realm: Realm, userId: string, now = Date.now()): Promise<SsoSessionTable[]> {
    return this.#store.liveOfUser(realm, userId, now);
  }

  /** The live session a browser cookie points to in this realm, if any. */
  async findByCookie(realm: Realm, cookie: string | undefined, now = Date.now()): Promise<SsoSession | undefined> {
    if (!cookie) return undefined;
    const row = await this.#store.byCookie(realm.id, cookie);
    return row && isSessionLive(row, realm, now) ? fromRow(row) : undefined;
  }

  /** The session by id if it is still live. */
  async findLive(realm: Realm, id: string, now = Date.now()): Promise<SsoSession | undefined> {
    const row = await this.#store.byId(realm.id, id);
    return row && isSessionLive(row, realm, now) ? fromRow(row) : undefined;
  }

  /** Marks activity, which pushes the idle timeout out. */
  async touch(id: string, now = Date.now()): Promise<void> {
    await this.#store.touch(id, now);
  }

  /** Records a fresh authentication in an existing session (prompt=login, max_age). */
  async reauthenticated(id: string, now = Date.now()): Promise<void> {
    await this.#store.reauthenticated(id, now);
  }

  /**
   * Records (or refreshes) that a client received tokens in a session. One row per
   * (session, client, online/offline): a logout finds every client that must be told.
   */
  async recordClientSession(input: ClientSessionInput, now = Date.now()): Promise<string> {
    return this.#clientSessions.record(input, now);
  }

  /** Every live client session of an SSO session: whom a logout must notify. */
  async clientSessionsOf(ssoSessionId: string): Promise<ClientSessionTable[]> {
    return this.#clientSessions.liveOf(ssoSessionId);
  }
}
