// Every service of a running provider, created once per server (provider.ts). Only the
// composition root (provider.ts, app.ts) knows this whole set: each endpoint and step declares the
// capabilities it uses (`UsesRealms & UsesEvents & …`, see docs/architecture.md), and this object
// satisfies them all. No service here is the database itself: the tables are reached through the
// store that owns each of them.
import type { Logger } from 'pino';
import type { AccessModelCache, AccessStores } from './access/access-model-cache.ts';
import type { AccessWriter } from './access/access-writer.ts';
import type { UserAccessStore } from './access/user-access-store.ts';
import type { AdminStore } from './admin/admin-store.ts';
import type { PasswordVerifier } from './crypto/password.ts';
import type { SigningKeys } from './crypto/signing-keys.ts';
import type { EventLog } from './events/event-log.ts';
import type { MailThrottle } from './login/mail-throttle.ts';
import type { LoginThrottle } from './login/throttle.ts';
import type { OtpCredentialStore } from './login/otp/otp-credential-store.ts';
import type { BackchannelHttp } from './logout/delivery/backchannel-http.ts';
import type { DeliveryStore } from './logout/delivery/delivery-store.ts';
import type { DeliveryWorker } from './logout/delivery/delivery-worker.ts';
import type { LogoutService } from './logout/logout-service.ts';
import type { LogoutStore } from './logout/logout-store.ts';
import type { SsfTransmitter } from './logout/channels/ssf/ssf-transmitter.ts';
import type { CredentialSignals } from './login/required-actions/credential-signals.ts';
import type { RealmRepository } from './realm/repository.ts';
import type { RealmWriter } from './realm/realm-writer.ts';
import type { PasswordHistory } from './realm/password-history.ts';
import type { Mailer } from './mail/mailer.ts';
import type { UsedActionTokens } from './login/action-tokens/used-action-tokens.ts';
import type { RealmImporter } from './realm-import/import-realm.ts';
import type { PendingRequests } from './pending/pending-requests.ts';
import type { AdapterSessionStore } from './sessions/adapter-sessions.ts';
import type { ClientSessionStore } from './sessions/client-session-store.ts';
import type { SeenAuthnRequests } from './saml/login/seen-authn-requests.ts';
import type { RealmSamlKeys } from './saml/realm-saml-keys.ts';
import type { SsoSessionStore } from './sessions/sso-session-store.ts';
import type { SsoSessions } from './sessions/sso-session.ts';
import type { Transact } from './store/executor.ts';
import type { AuthorizationCodeStore } from './tokens/authorization-code-store.ts';
import type { NotBeforeStore } from './tokens/not-before.ts';
import type { RefreshTokenStore } from './tokens/refresh-token-store.ts';
import type { RevokedAccessTokens } from './tokens/revoked-access-tokens.ts';
import type { TokenIssuer } from './tokens/token-issuer.ts';
import type { ProviderUrls } from './provider-urls.ts';
import type { SeenLogoutRequests } from './logout/saml/seen-logout-requests.ts';
import type { SentLogoutRequests } from './logout/saml/sent-logout-requests.ts';
import type { BrokerSessionStore } from './broker/broker-session-store.ts';
import type { BrokerStateStore } from './broker/broker-state-store.ts';
import type { FederatedIdentityStore } from './broker/federated-identity-store.ts';
import type { IdentityProviderStore } from './broker/identity-provider-store.ts';
import type { SeenLogoutTokens } from './broker/seen-logout-tokens.ts';
import type { UpstreamMetadata } from './broker/upstream-metadata.ts';
import type { LoginProviders } from './login/login-providers.ts';
import type { UpstreamLogout } from './logout/upstream-logout.ts';

export interface ProviderContext {
  /** One database transaction over the owners' writes (they take its executor). */
  transact: Transact;
  keys: SigningKeys;
  /** The RS256 keys with their certificates, for SAML signatures and metadata. */
  samlKeys: RealmSamlKeys;
  /** AuthnRequest IDs already accepted (replay refusal). */
  samlAuthnRequests: SeenAuthnRequests;
  realms: RealmRepository;
  sessions: SsoSessions;
  /** The sso_session rows, for checks that need more than a live session. */
  sessionStore: SsoSessionStore;
  clientSessions: ClientSessionStore;
  /** Keycloak adapters' own session ids per client session (admin-URL logout). */
  adapterSessions: AdapterSessionStore;
  refreshTokens: RefreshTokenStore;
  codes: AuthorizationCodeStore;
  revokedAccessTokens: RevokedAccessTokens;
  /** Keycloak's not-before times of realms and clients. */
  notBefore: NotBeforeStore;
  /** The admin API's queries. */
  admin: AdminStore;
  /** The one writer of realms, clients and users. */
  realmWriter: RealmWriter;
  /** Users' earlier password hashes (passwordHistory policy). */
  passwordHistory: PasswordHistory;
  /** Each realm's outgoing mail (its smtpServer, or the log in development). */
  mailer: Mailer;
  /** Action tokens (links by email) already used. */
  usedActionTokens: UsedActionTokens;
  /** Realm import into the running provider. */
  realmImporter: RealmImporter;
  tokens: TokenIssuer;
  events: EventLog;
  throttle: LoginThrottle;
  /** Caps on "Forgot password?" and verification mails per user and per address. */
  mailThrottle: MailThrottle;
  /** Users' one-time-code credentials. */
  otpCredentials: OtpCredentialStore;
  verifyPassword: PasswordVerifier;
  urls: ProviderUrls;
  log: Logger;
  logout: LogoutService;
  deliveries: DeliveryWorker;
  deliveryStore: DeliveryStore;
  /** The logout records: what ended sessions, who started it, which sessions. */
  logouts: LogoutStore;
  /** The Shared Signals transmitter: streams, events, poll (logout/channels/ssf/). */
  ssf: SsfTransmitter;
  /** Who hears of a user's own password change (the Shared Signals transmitter). */
  credentialSignals: CredentialSignals;
  /** The HTTP client of back-channel logout, shared with the doctor check. */
  backchannelHttp: BackchannelHttp;
  /** How long a browser logout waits for the first back-channel attempts (0: not at all). */
  logoutWaitMs: number;
  /** Browser requests waiting for the user (sign-in forms, logout confirmations). */
  pending: PendingRequests;
  /** Front-channel SAML LogoutRequests sent, whose LogoutResponses are checked against them. */
  samlLogoutRequests: SentLogoutRequests;
  /** LogoutRequest IDs SPs sent, to refuse replays. */
  samlSeenRequests: SeenLogoutRequests;
  /** Each realm's authorization model (roles, groups, client scopes, mappers), cached per version. */
  accessModel: AccessModelCache;
  /** The tables of the authorization model (import and admin API). */
  accessStores: AccessStores;
  /** Users' role mappings and groups, read per token. */
  userAccess: UserAccessStore;
  /** Default roles, built-in scopes, new clients' scope links, service accounts. */
  accessWriter: AccessWriter;
  /** Upstream identity providers (broker/, issue 26). */
  identityProviders: IdentityProviderStore;
  /** Users' links to their upstream accounts. */
  federatedIdentities: FederatedIdentityStore;
  /** The upstream session behind each brokered SSO session. */
  brokerSessions: BrokerSessionStore;
  /** Single-use states of round trips to upstreams (sign-in, logout continuation). */
  brokerStates: BrokerStateStore;
  /** Upstream logout tokens already accepted (replay). */
  upstreamLogoutTokens: SeenLogoutTokens;
  /** Upstreams' discovery documents and keys. */
  upstreamMetadata: UpstreamMetadata;
  /** The sign-in form's upstream buttons and kc_idp_hint. */
  loginProviders: LoginProviders;
  /** Where a brokered browser logout goes on: the upstream's end-session endpoint. */
  upstreamLogout: UpstreamLogout;
}
