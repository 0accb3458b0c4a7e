// Ending sessions everywhere: a validated logout token becomes "logged out" markers in a
// shared store, checked cheaply on every request (standards §7). Works for server-side and
// for stateless cookie/JWT sessions alike.
import { type Clock, epochMillis, rejectLegacyNow } from './clock.ts';
import type { LogoutTokenClaims } from './validate-logout-token.ts';
import type { LogoutMarker, LogoutStore, SessionKey } from './stores/store.ts';

/** What an app keeps about a signed-in session to be able to tell whether it was logged out. */
export interface SessionIdentity extends SessionKey {
  /** When the app's session began (epoch ms): a session started after a logout stays valid. */
  createdAt: number;
}

/** Default marker lifetime: longer than the longest session most providers allow (14 days). */
export const DEFAULT_MARKER_TTL_SECONDS = 14 * 86_400;

/**
 * Whether the session was ended by a back-channel logout. A `sid` marker ends that session;
 * a `sub`-only marker ends every session of the user that began before it.
 */
export async function isLoggedOut(store: LogoutStore, session: SessionIdentity): Promise<boolean> {
  const markers = await store.markersFor(session);
  if (markers.sid !== undefined) return true;
  return markers.sub !== undefined && session.createdAt <= markers.sub;
}

export interface LogoutEvent {
  claims: LogoutTokenClaims;
  /** App session ids found in the index for this logout (express-session integration). */
  appSessionIds: string[];
}

/**
 * Records the logout so every instance sees it, then gives the app's hook the indexed
 * server-side sessions to delete. BCL §2.7: with sid, that session; with only sub, all of them.
 */
export async function applyLogout(
  store: LogoutStore,
  claims: LogoutTokenClaims,
  options: {
    markerTtlSeconds?: number;
    /** Its result (a number: the sessions it ended) goes into the receipt. */
    onLogout?: (event: LogoutEvent) => unknown;
    clock?: Clock;
  } = {},
): Promise<LogoutEvent & { sessionsEnded: unknown }> {
  rejectLegacyNow(options);
  // The same clock as the token checks: the marker's time is the session cut-off.
  const at = epochMillis(options.clock);
  const key: SessionKey = { iss: claims.iss, ...(claims.sid ? { sid: claims.sid } : { sub: claims.sub }) };
  const appSessionIds = await endSessions(store, { ...key, at }, options.markerTtlSeconds);
  const event: LogoutEvent = { claims, appSessionIds };
  const sessionsEnded: unknown = await options.onLogout?.(event);
  return { ...event, sessionsEnded };
}

/**
 * The shared part of every logout signal (back-channel logout token, CAEP session-revoked):
 * the marker every instance checks (sessions, bearer guards), the broadcast that tells open
 * tabs, and the indexed app sessions, taken from the index for the app to delete.
 */
export async function endSessions(
  store: LogoutStore,
  marker: LogoutMarker,
  markerTtlSeconds = DEFAULT_MARKER_TTL_SECONDS,
): Promise<string[]> {
  await store.markLoggedOut(marker, markerTtlSeconds);
  // Best effort: the marker is the truth, and a tab that reconnects checks it.
  await store.publishLogout?.(marker).catch(() => undefined);
  const key: SessionKey = {
    iss: marker.iss,
    ...(marker.sid !== undefined ? { sid: marker.sid } : { sub: marker.sub }),
  };
  return store.takeIndexedSessions(key);
}
