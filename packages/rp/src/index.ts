// @sundown/rp: receive OpenID Connect back-channel logout and end sessions on every instance.
export {
  createBackchannelLogoutHandler,
  createLogoutFormHandler,
  readLogoutToken,
  type BackchannelLogoutOptions,
  type LogoutFormHandler,
} from './backchannel-handler.ts';
export type { Clock } from './clock.ts';
export type { LogoutReceipt } from './logout-receipt.ts';
export { buildEndSessionUrl, type EndSessionUrlOptions } from './end-session-url.ts';
export {
  JwksRefetchCooldownError,
  LogoutTokenError,
  TemporarilyUnavailableError,
  type ClaimCause,
  type LogoutTokenErrorCode,
  type TemporarilyUnavailableErrorCode,
} from './errors.ts';
export {
  applyLogout,
  DEFAULT_MARKER_TTL_SECONDS,
  isLoggedOut,
  type LogoutEvent,
  type SessionIdentity,
} from './session-state.ts';
export { MemoryLogoutStore } from './stores/memory-store.ts';
export type { LogoutMarker, LogoutStore, ReplayStore, SessionKey } from './stores/store.ts';
export {
  createLogoutTokenValidator,
  validateLogoutToken,
  type LogoutTokenClaims,
  type LogoutTokenValidator,
} from './validate-logout-token.ts';
export { ACCEPT_JWT_TYP, type CompatibilityOption, type ValidationOptions } from './validation/options.ts';
export { BACKCHANNEL_LOGOUT_EVENT } from './validation/steps.ts';
