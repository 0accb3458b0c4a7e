// @sundown/rp: receive OpenID Connect back-channel logout and Shared Signals (CAEP/RISC) events,
// end sessions on every instance, refuse their access tokens at APIs, and tell their open tabs.
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
  BearerTokenError,
  JwksRefetchCooldownError,
  LogoutTokenError,
  SecurityEventTokenError,
  TemporarilyUnavailableError,
  type BearerTokenErrorCode,
  type ClaimCause,
  type LogoutTokenErrorCode,
  type SecurityEventTokenErrorCode,
  type SetErrorCode,
  type TemporarilyUnavailableErrorCode,
} from './errors.ts';
export {
  applyLogout,
  DEFAULT_MARKER_TTL_SECONDS,
  endSessions,
  isLoggedOut,
  type LogoutEvent,
  type SessionIdentity,
} from './session-state.ts';
export { MemoryLogoutStore } from './stores/memory-store.ts';
export type { LogoutBroadcast, LogoutMarker, LogoutStore, ReplayStore, SessionKey } from './stores/store.ts';
export {
  createLogoutTokenValidator,
  validateLogoutToken,
  type LogoutTokenClaims,
  type LogoutTokenValidator,
} from './validate-logout-token.ts';
export { ACCEPT_JWT_TYP, type CompatibilityOption, type ValidationOptions } from './validation/options.ts';
export { BACKCHANNEL_LOGOUT_EVENT } from './validation/steps.ts';
export {
  ACCOUNT_DISABLED,
  ACCOUNT_ENABLED,
  ACCOUNT_PURGED,
  CREDENTIAL_CHANGE,
  POLL_DELIVERY,
  PUSH_DELIVERY,
  SESSION_REVOKED,
  SSF_STREAM_UPDATED,
  SSF_VERIFICATION,
} from './security-events/event-types.ts';
export {
  createSecurityEventTokenValidator,
  type SecurityEvent,
  type SecurityEventTokenValidator,
  type SetValidationOptions,
} from './security-events/validate-set.ts';
export type { ComplexSubject, RevokedTarget, SimpleSubject, SubjectIdentifier } from './security-events/subject.ts';
export {
  createSecurityEventReceiver,
  type SecurityEventReceiver,
  type SecurityEventReceiverOptions,
  type SessionRevokedEvent,
} from './security-events/receiver.ts';
export {
  createPushPartsHandler,
  createSetPushHandler,
  setErrorResponse,
  type PushPartsHandler,
  type PushRequestParts,
  type SetPushOptions,
} from './security-events/push-handler.ts';
export {
  createSetPoller,
  PollRequestError,
  type PollResult,
  type SetPoller,
  type SetPollerOptions,
} from './security-events/poller.ts';
export {
  discoverTransmitter,
  registerStream,
  requestVerification,
  ssfConfigurationUrl,
  StreamRegistrationError,
  type RegisteredStream,
  type RegisterStreamOptions,
  type StreamConfiguration,
  type StreamDelivery,
  type TransmitterMetadata,
} from './security-events/register-stream.ts';
export {
  ACCEPT_KEYCLOAK_ACCESS_TOKENS,
  bearerRefusal,
  createBearerGuard,
  withBearerToken,
  type AccessTokenClaims,
  type BearerCompatibilityOption,
  type BearerGuard,
  type BearerGuardOptions,
  type BearerOutcome,
} from './bearer/bearer-guard.ts';
export type { IntrospectionOptions, IntrospectionResult } from './bearer/introspection.ts';
export { bearerChallenge } from './bearer/www-authenticate.ts';
export {
  createTabRelayHandler,
  TabRelay,
  type TabConnection,
  type TabRelayHandlerOptions,
  type TabRelayOptions,
} from './tabs/tab-relay.ts';
export { TAB_RELAY_SCRIPT, tabRelayScriptResponse } from './tabs/browser-script.ts';
