// The broker's services (issue 26), one capability each (docs/architecture.md).
import type { BrokerSessionStore } from './broker-session-store.ts';
import type { BrokerStateStore } from './broker-state-store.ts';
import type { FederatedIdentityStore } from './federated-identity-store.ts';
import type { IdentityProviderStore } from './identity-provider-store.ts';
import type { SeenLogoutTokens } from './seen-logout-tokens.ts';
import type { UpstreamMetadata } from './upstream-metadata.ts';

export interface UsesIdentityProviders {
  readonly identityProviders: IdentityProviderStore;
}
export interface UsesFederatedIdentities {
  readonly federatedIdentities: FederatedIdentityStore;
}
export interface UsesBrokerSessions {
  readonly brokerSessions: BrokerSessionStore;
}
export interface UsesBrokerStates {
  readonly brokerStates: BrokerStateStore;
}
export interface UsesSeenLogoutTokens {
  readonly upstreamLogoutTokens: SeenLogoutTokens;
}
export interface UsesUpstreamMetadata {
  readonly upstreamMetadata: UpstreamMetadata;
}
