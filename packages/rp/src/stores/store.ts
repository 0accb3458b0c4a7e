// What the SDK remembers, shared by every instance of the app: seen logout-token `jti`s,
// "logged out" markers per (issuer, sid) and (issuer, sub), and an optional index from those
// to the app's own server-side session ids.

/** Remembers seen `jti`s (BCL §2.6 step 8). */
export interface ReplayStore {
  /** Records `jti` for `ttlSeconds`; false when it was already recorded (a replay). */
  rememberJti(iss: string, jti: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Forgets a `jti` recorded by rememberJti, when what it carried could not be applied (the store
   * failed half-way): the sender's retry of the same token is then applied, not refused as a replay.
   */
  forgetJti?(iss: string, jti: string): Promise<void>;
}

export interface SessionKey {
  iss: string;
  sid?: string;
  sub?: string;
}

export interface LogoutMarker extends SessionKey {
  /** When the logout happened, epoch ms. */
  at: number;
}

export interface LogoutStore extends ReplayStore {
  /** Records that the session `sid` — or, without sid, every session of `sub` so far — ended. */
  markLoggedOut(marker: LogoutMarker, ttlSeconds: number): Promise<void>;
  /** Logout times (epoch ms) recorded for this session's sid and sub, if any. */
  markersFor(key: SessionKey): Promise<{ sid?: number; sub?: number }>;
  /** Indexes one of the app's server-side session ids under its sid and sub. */
  indexSession(key: SessionKey, appSessionId: string, ttlSeconds: number): Promise<void>;
  /** The app session ids under `sid` (or, without sid, under `sub`), removed from the index. */
  takeIndexedSessions(key: SessionKey): Promise<string[]>;
  /** Tells every instance's subscribers (tab relays) that a session ended; see LogoutBroadcast. */
  publishLogout?(marker: LogoutMarker): Promise<void>;
  /** Listens for logouts published by any instance; resolves to an unsubscribe function. */
  subscribeLogouts?(listener: (marker: LogoutMarker) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Publish/subscribe of logouts across the app's instances (Redis pub/sub, PostgreSQL
 * LISTEN/NOTIFY, in-process for memory): what feeds the open-tabs relay. The markers stay the
 * truth; a message lost while an instance was down is made good by the marker check a tab's
 * reconnect runs.
 */
export type LogoutBroadcast = Required<Pick<LogoutStore, 'publishLogout' | 'subscribeLogouts'>>;

/** The store's broadcast, or a clear error when a custom store has none. */
export function broadcastOf(store: LogoutStore): LogoutBroadcast {
  if (typeof store.publishLogout !== 'function' || typeof store.subscribeLogouts !== 'function')
    throw new TypeError('This LogoutStore has no publishLogout/subscribeLogouts: the tab relay needs them');
  return store as LogoutBroadcast;
}

/** Parses a broadcast message; anything that is not a marker is dropped. */
export function parseMarker(text: string): LogoutMarker | undefined {
  try {
    const m = JSON.parse(text) as Partial<LogoutMarker>;
    if (typeof m.iss !== 'string' || typeof m.at !== 'number') return undefined;
    return {
      iss: m.iss,
      at: m.at,
      ...(typeof m.sid === 'string' ? { sid: m.sid } : {}),
      ...(typeof m.sub === 'string' ? { sub: m.sub } : {}),
    };
  } catch {
    return undefined;
  }
}
