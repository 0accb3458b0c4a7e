// A brokered session's upstream (broker/, a floor above) is told of a browser logout after every
// app here was: the logout floor declares only this, and the composition root plugs the broker in.
// Sundown ends the local session and tells the apps first, then sends the browser upstream with
// its own continuation record — so an upstream that never sends the browser back leaves the user
// signed out here anyway (keycloak#14451 is the other order).
import type { Realm } from '../realm/model.ts';

export interface UpstreamLogout {
  /**
   * The upstream end-session URL the browser visits once `ssoSessionId` (about to end) has ended,
   * carrying a state that names `continueTo` (where the browser goes when the upstream sends it
   * back); null when the session is not brokered or its upstream has no logout URL.
   */
  browserLogout(realm: Realm, ssoSessionId: string, continueTo: string | null): Promise<string | null>;
}

export interface UsesUpstreamLogout {
  readonly upstreamLogout: UpstreamLogout;
}
