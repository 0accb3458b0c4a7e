// The capabilities this folder offers to the units above it: each is one service, named by what it
// does. A unit declares exactly the ones it uses and composes them with `&`; only the composition
// root (provider.ts) knows them all.
import type { BackchannelHttp } from './delivery/backchannel-http.ts';
import type { DeliveryStore } from './delivery/delivery-store.ts';
import type { DeliveryWorker } from './delivery/delivery-worker.ts';
import type { SeenLogoutRequests } from './saml/seen-logout-requests.ts';
import type { SentLogoutRequests } from './saml/sent-logout-requests.ts';
import type { LogoutService } from './logout-service.ts';
import type { LogoutStore } from './logout-store.ts';
import type { SsfTransmitter } from './channels/ssf/ssf-transmitter.ts';

export interface UsesLogout {
  readonly logout: LogoutService;
}

export interface UsesDeliveryWorker {
  readonly deliveries: DeliveryWorker;
}

/** The logout records (logout-store.ts). */
export interface UsesLogoutStore {
  readonly logouts: LogoutStore;
}

export interface UsesDeliveryStore {
  readonly deliveryStore: DeliveryStore;
}

/** The HTTP client of back-channel logout, shared with the doctor check. */
export interface UsesBackchannelHttp {
  readonly backchannelHttp: BackchannelHttp;
}

/** How long a browser logout waits for the first back-channel attempts (0: not at all). */
export interface UsesLogoutWait {
  readonly logoutWaitMs: number;
}

/** Front-channel SAML LogoutRequests sent, whose LogoutResponses are checked against them. */
export interface UsesSentLogoutRequests {
  readonly samlLogoutRequests: SentLogoutRequests;
}

/** LogoutRequest IDs SPs sent, to refuse replays. */
export interface UsesSeenLogoutRequests {
  readonly samlSeenRequests: SeenLogoutRequests;
}

/** The Shared Signals transmitter (channels/ssf/): streams, events, poll. */
export interface UsesSsfTransmitter {
  readonly ssf: SsfTransmitter;
}
