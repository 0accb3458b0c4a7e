// Apps → Sundown → upstream (keycloak-brokering.md "Keycloak → upstream"): after a brokered
// session ended here and every app was told, the browser visits the upstream's end-session
// endpoint (RP-Initiated Logout 1.0 §2) with id_token_hint (sendIdTokenOnLogout), client_id
// (sendClientIdOnLogout), post_logout_redirect_uri = …/broker/{alias}/endpoint/logout_response
// and a state naming Sundown's own continuation record (broker_state), which logout-response.ts
// reads when the upstream sends the browser back. Keycloak's state is the session id, looked up
// after the fact (keycloak#45536); ours names only where to continue.
import { randomToken } from '../crypto/random.ts';
import type { UpstreamLogout } from '../logout/upstream-logout.ts';
import type { ProviderUrls } from '../provider-urls.ts';
import type { Realm } from '../realm/model.ts';
import type { BrokerSessionStore } from './broker-session-store.ts';
import type { BrokerStateStore } from './broker-state-store.ts';
import { brokerLogoutResponse } from './broker-urls.ts';
import type { IdentityProviderStore } from './identity-provider-store.ts';
import type { UpstreamMetadata } from './upstream-metadata.ts';

/** How long the continuation waits for the upstream to send the browser back. */
export const LOGOUT_CONTINUATION_MS = 30 * 60_000;

/** What a logout's continuation record keeps. */
export interface LogoutContinuation {
  continueTo: string | null;
}

interface UpstreamLogoutStores {
  identityProviders: IdentityProviderStore;
  brokerSessions: BrokerSessionStore;
  brokerStates: BrokerStateStore;
  upstreamMetadata: UpstreamMetadata;
  urls: ProviderUrls;
}

export class BrokerUpstreamLogout implements UpstreamLogout {
  readonly #deps: UpstreamLogoutStores;
  constructor(deps: UpstreamLogoutStores) {
    this.#deps = deps;
  }

  async browserLogout(realm: Realm, ssoSessionId: string, continueTo: string | null): Promise<string | null> {
    const d = this.#deps;
    const brokered = await d.brokerSessions.of(ssoSessionId);
    if (!brokered) return null;
    const idp = await d.identityProviders.byAlias(realm.id, brokered.alias);
    if (!idp?.enabled) return null;
    let logoutUrl: string | null;
    try {
      logoutUrl = (await d.upstreamMetadata.endpoints(idp)).logoutUrl;
    } catch {
      // The upstream's metadata is unreachable: the local logout is done; the browser continues.
      return null;
    }
    if (!logoutUrl) return null;
    const state = randomToken();
    const record: LogoutContinuation = { continueTo };
    await d.brokerStates.save(state, realm.id, idp.alias, 'logout', record, LOGOUT_CONTINUATION_MS);
    const url = new URL(logoutUrl);
    url.searchParams.set('post_logout_redirect_uri', brokerLogoutResponse(d.urls, realm.name, idp.alias));
    url.searchParams.set('state', state);
    if (idp.config.sendIdTokenOnLogout) url.searchParams.set('id_token_hint', brokered.idToken);
    if (idp.config.sendClientIdOnLogout) url.searchParams.set('client_id', idp.config.clientId);
    return url.toString();
  }
}
