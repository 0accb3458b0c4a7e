// The capabilities this folder offers to the units above it: each is one service, named by what it
// does. A unit declares exactly the ones it uses and composes them with `&`; only the composition
// root (provider.ts) knows them all.
import type { AdapterSessionStore } from './adapter-sessions.ts';
import type { ClientSessionStore } from './client-session-store.ts';
import type { SsoSessionStore } from './sso-session-store.ts';
import type { SsoSessions } from './sso-session.ts';

export interface UsesSsoSessions {
  readonly sessions: SsoSessions;
}

/** The sso_session rows, for checks that need more than a live session. */
export interface UsesSsoSessionStore {
  readonly sessionStore: SsoSessionStore;
}

export interface UsesClientSessions {
  readonly clientSessions: ClientSessionStore;
}

/** Keycloak adapters' own session ids per client session (admin-URL logout). */
export interface UsesAdapterSessions {
  readonly adapterSessions: AdapterSessionStore;
}
