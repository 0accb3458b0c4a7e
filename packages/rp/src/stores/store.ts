// What the SDK remembers, shared by every instance of the app: seen logout-token `jti`s,
// "logged out" markers per (issuer, sid) and (issuer, sub), and an optional index from those
// to the app's own server-side session ids.

/** Remembers seen `jti`s (BCL §2.6 step 8). */
export interface ReplayStore {
  /** Records `jti` for `ttlSeconds`; false when it was already recorded (a replay). */
  rememberJti(iss: string, jti: string, ttlSeconds: number): Promise<boolean>;
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
  close(): Promise<void>;
}
