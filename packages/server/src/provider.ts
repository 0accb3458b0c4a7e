// Assembles the provider's services over an open store, with its background work: the
// back-channel delivery worker and the expiry sweeper.
import { type Logger, pino } from 'pino';
import { createApp } from './app.ts';
import type { ProviderContext } from './context.ts';
import { ProviderUrls } from './provider-urls.ts';
import { type PasswordVerifier, verifyStoredPassword } from './crypto/password.ts';
import { SigningKeys } from './crypto/signing-keys.ts';
import { EventLog } from './events/event-log.ts';
import { CidrList } from './http/cidr.ts';
import type { TrustedProxyHeader } from './http/client-address.ts';
import { LoginAttemptStore } from './login/login-attempt-store.ts';
import { MailThrottle, type MailRatePolicy } from './login/mail-throttle.ts';
import { LoginThrottle, type ThrottlePolicy } from './login/throttle.ts';
import { OtpCredentialStore } from './login/otp/otp-credential-store.ts';
import { BackchannelHttp } from './logout/delivery/backchannel-http.ts';
import { DeliveryStore } from './logout/delivery/delivery-store.ts';
import { DeliveryWorker } from './logout/delivery/delivery-worker.ts';
import { CHANNELS } from './logout/channels/registry.ts';
import { HousekeepingSweeper } from './housekeeping/sweeper.ts';
import { LogoutService } from './logout/logout-service.ts';
import { LogoutStore } from './logout/logout-store.ts';
import { SsfStreamStore } from './logout/channels/ssf/stream-store.ts';
import { SsfTransmitter } from './logout/channels/ssf/ssf-transmitter.ts';
import { passwordChanged } from './logout/channels/ssf/account-events.ts';
import { DEFAULT_LOGOUT_OPTIONS, type LogoutOptions } from './logout/logout-options.ts';
import { RealmRepository } from './realm/repository.ts';
import { newId } from './crypto/random.ts';
import { AdminStore } from './admin/admin-store.ts';
import { RealmImporter } from './realm-import/import-realm.ts';
import { RealmWriter } from './realm/realm-writer.ts';
import { PasswordHistory } from './realm/password-history.ts';
import { Mailer, type MailWithoutSmtp } from './mail/mailer.ts';
import { UsedActionTokens } from './login/action-tokens/used-action-tokens.ts';
import { PendingRequests } from './pending/pending-requests.ts';
import { SeenAuthnRequests } from './saml/login/seen-authn-requests.ts';
import { SeenLogoutRequests } from './logout/saml/seen-logout-requests.ts';
import { SentLogoutRequests } from './logout/saml/sent-logout-requests.ts';
import { realmSamlKeysOf } from './saml/realm-signing-key.ts';
import { AdapterSessionStore } from './sessions/adapter-sessions.ts';
import { ClientSessionStore } from './sessions/client-session-store.ts';
import { SsoSessionStore } from './sessions/sso-session-store.ts';
import { SsoSessions } from './sessions/sso-session.ts';
import { transactor } from './store/executor.ts';
import { AuthorizationCodeStore } from './tokens/authorization-code-store.ts';
import { NotBeforeStore } from './tokens/not-before.ts';
import { RefreshTokenStore } from './tokens/refresh-token-store.ts';
import { RevokedAccessTokens } from './tokens/revoked-access-tokens.ts';
import type { Store } from './store/database.ts';
import { RefreshTokenKeys } from './tokens/refresh-token-key.ts';
import { TokenIssuer } from './tokens/token-issuer.ts';
import { AccessModelCache } from './access/access-model-cache.ts';
import { accessStoresOver } from './access/access-stores.ts';
import { runAccessUpgrade } from './access/access-upgrade.ts';
import { AccessWriter } from './access/access-writer.ts';
import { UserAccessStore } from './access/user-access-store.ts';
import { BrokerSessionStore } from './broker/broker-session-store.ts';
import { BrokerStateStore } from './broker/broker-state-store.ts';
import { FederatedIdentityStore } from './broker/federated-identity-store.ts';
import { IdentityProviderStore } from './broker/identity-provider-store.ts';
import { BrokerLoginProviders } from './broker/login-buttons.ts';
import { SeenLogoutTokens } from './broker/seen-logout-tokens.ts';
import { UpstreamMetadata } from './broker/upstream-metadata.ts';
import { BrokerUpstreamLogout } from './broker/upstream-end-session.ts';
import { BrokerUpstreamSessions } from './broker/upstream-backchannel-targets.ts';

export interface ProviderOptions {
  publicUrl: string;
  httpRelativePath?: string;
  log?: Logger;
  throttle?: Partial<ThrottlePolicy>;
  /** Caps on "Forgot password?" and verification mails (login/mail-throttle.ts; defaults DEFAULT_MAIL_RATE). */
  mailRate?: Partial<MailRatePolicy>;
  /** The mail caps' clock; tests move it past the window instead of sleeping (default Date.now). */
  mailRateClock?: () => number;
  /** How logins verify passwords (default argon2id); tests wrap it to count verifications. */
  verifyPassword?: PasswordVerifier;
  logout?: Partial<LogoutOptions>;
  /** Sign-in forms kept per realm; default 10,000 (see pending/pending-requests.ts). */
  maxPendingLogins?: number;
  /** Reverse proxies whose forwarding headers name the client (default: none). */
  trustedProxies?: CidrList;
  /** The forwarding header those proxies write (default null: either; see http/client-address.ts). */
  trustedProxyHeader?: TrustedProxyHeader | null;
  /** Run the delivery worker and sweeper in this process (default true). */
  background?: boolean;
  /** A realm without an SMTP server: its mail is written to the log (development) or not sent (default). */
  mailWithoutSmtp?: MailWithoutSmtp;
}

export interface Provider {
  ctx: ProviderContext;
  sweeper: HousekeepingSweeper;
  deliveryStore: DeliveryStore;
  http: BackchannelHttp;
  /** Web-standard request handler: `fetch(request)` → response. */
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
  /** Stops background work and waits for deliveries in flight. */
  close(): Promise<void>;
}

export const DELIVERY_CHANNEL = 'sundown_logout_delivery';
export const KEYS_CHANNEL = 'sundown_signing_keys';

export async function createProvider(store: Store, options: ProviderOptions): Promise<Provider> {
  const logoutOptions = { ...DEFAULT_LOGOUT_OPTIONS, ...options.logout };
  const log = options.log ?? pino({ level: 'silent' });
  // A key created or rotated by one process is announced so the others drop their cached view.
  const keys = new SigningKeys(store.db, {
    announce: () =>
      void store
        .notify(KEYS_CHANNEL)
        .catch((err: unknown) => log.warn({ err: String(err) }, 'could not notify other processes of a key change')),
  });
  const realms = new RealmRepository(store.db);
  const events = new EventLog(store.db);
  const urls = new ProviderUrls(options.publicUrl, options.httpRelativePath ?? '');
  const http = new BackchannelHttp(logoutOptions.http);
  const deliveryStore = new DeliveryStore(store.db, store.dialect);
  const deliveries = new DeliveryWorker({
    store: deliveryStore,
    // SQLite serves one server process; the poll catches work a CLI process wrote.
    pollIntervalMs: store.dialect === 'sqlite' ? 1000 : 5000,
    keys,
    realms,
    events,
    urls,
    http,
    retry: logoutOptions.retry,
    log,
    channels: CHANNELS,
    concurrency: logoutOptions.concurrency,
    perClientConcurrency: logoutOptions.perClientConcurrency,
    attemptTimeoutMs: logoutOptions.http.connectTimeoutMs + logoutOptions.http.responseTimeoutMs,
    transact: transactor(store.db),
  });
  const transact = transactor(store.db);
  const sessionStore = new SsoSessionStore(store.db);
  const clientSessions = new ClientSessionStore(store.db);
  const adapterSessions = new AdapterSessionStore(store.db);
  const refreshTokens = new RefreshTokenStore(store.db);
  const codes = new AuthorizationCodeStore(store.db);
  const revokedAccessTokens = new RevokedAccessTokens(store.db);
  // Cached, checked by the realm cache's counter (one read per request for both).
  const notBefore = new NotBeforeStore(store.db, () => realms.configGeneration());
  const pending = new PendingRequests(store.db, options.maxPendingLogins);
  const logouts = new LogoutStore(store.db);
  const identityProviders = new IdentityProviderStore(store.db);
  const brokerSessions = new BrokerSessionStore(store.db);
  const logout = new LogoutService(
    {
      transact,
      sessions: sessionStore,
      clientSessions,
      adapterSessions,
      refreshTokens,
      events,
      logouts,
      // A brokered session's upstream is told server to server where it offers that (issue 26).
      upstream: new BrokerUpstreamSessions(brokerSessions, identityProviders),
    },
    () => {
      deliveries.wake();
      void store
        .notify(DELIVERY_CHANNEL)
        .catch((err: unknown) => log.warn({ err: String(err) }, 'could not notify other processes'));
    },
    deliveries,
  );
  // The Shared Signals transmitter (issue 25): its session-revoked SETs join every session end.
  const ssf = new SsfTransmitter({
    streams: new SsfStreamStore(store.db),
    deliveries: deliveryStore,
    realms,
    urls,
    keys,
    enqueue: (rows) => logout.enqueue(rows),
    wake: () => deliveries.wake(),
    ...(logoutOptions.ssfLongPollMs !== undefined ? { longPollMs: logoutOptions.ssfLongPollMs } : {}),
  });
  logout.addPlanner(ssf);
  const throttle = new LoginThrottle(store.db, store.dialect, options.throttle);
  const realmWriter = new RealmWriter(store.db, newId);
  // Realms stored before migration 0015 get Keycloak's built-in scopes and default role first.
  const upgraded = await runAccessUpgrade(store.db, realmWriter);
  if (upgraded.length > 0)
    log.info({ realms: upgraded }, 'realms given the built-in client scopes and default role (migration 0015)');
  const accessStores = accessStoresOver(store.db);
  const userAccess = new UserAccessStore(store.db);
  const brokerStates = new BrokerStateStore(store.db);
  const upstreamLogoutTokens = new SeenLogoutTokens(store.db);
  const upstreamMetadata = new UpstreamMetadata();
  const ctx: ProviderContext = {
    transact,
    keys,
    samlKeys: realmSamlKeysOf(keys),
    samlAuthnRequests: new SeenAuthnRequests(store.db),
    realms,
    sessions: new SsoSessions(sessionStore, clientSessions, logout),
    sessionStore,
    clientSessions,
    adapterSessions,
    refreshTokens,
    codes,
    revokedAccessTokens,
    notBefore,
    admin: new AdminStore(store.db),
    realmWriter,
    passwordHistory: new PasswordHistory(store.db),
    mailer: new Mailer({ withoutSmtp: options.mailWithoutSmtp ?? 'refuse', log }),
    usedActionTokens: new UsedActionTokens(store.db),
    realmImporter: new RealmImporter(store.db, logout),
    tokens: new TokenIssuer(keys, new RefreshTokenKeys(store.db)),
    events,
    throttle,
    mailThrottle: new MailThrottle(
      new LoginAttemptStore(store.db, store.dialect),
      options.mailRate,
      options.mailRateClock,
    ),
    otpCredentials: new OtpCredentialStore(store.db),
    verifyPassword: options.verifyPassword ?? verifyStoredPassword,
    urls,
    log,
    logout,
    deliveries,
    deliveryStore,
    logouts,
    ssf,
    credentialSignals: { passwordChanged: (realm, user) => passwordChanged({ ssf }, realm, user, 'user') },
    backchannelHttp: http,
    logoutWaitMs: logoutOptions.waitMs,
    pending,
    samlLogoutRequests: new SentLogoutRequests(store.db),
    samlSeenRequests: new SeenLogoutRequests(store.db),
    accessModel: new AccessModelCache(realms, accessStores),
    accessStores,
    userAccess,
    accessWriter: new AccessWriter({ ...accessStores, userAccess, realmWriter }),
    identityProviders,
    federatedIdentities: new FederatedIdentityStore(store.db),
    brokerSessions,
    brokerStates,
    upstreamLogoutTokens,
    upstreamMetadata,
    loginProviders: new BrokerLoginProviders(identityProviders, urls),
    upstreamLogout: new BrokerUpstreamLogout({
      identityProviders,
      brokerSessions,
      brokerStates,
      upstreamMetadata,
      urls,
    }),
  };
  const sweeper = new HousekeepingSweeper({
    realms,
    logout,
    pending,
    revokedAccessTokens,
    codes,
    events,
    throttle,
    expiring: [brokerStates, upstreamLogoutTokens],
    log,
    intervalMs: logoutOptions.sweepIntervalMs,
    eventsRetentionDays: logoutOptions.eventsRetentionDays,
  });
  const unlisten: Array<() => Promise<void>> = [];
  if (options.background !== false) {
    // Also called after the listening connection was re-established: a catch-up claim and a
    // fresh read of the keys cover whatever was notified while it was down.
    unlisten.push(await store.listen(DELIVERY_CHANNEL, () => deliveries.wake()));
    unlisten.push(await store.listen(KEYS_CHANNEL, () => keys.invalidate()));
    deliveries.start();
    sweeper.start();
  }
  const app = createApp(ctx, {
    trustedProxies: options.trustedProxies ?? CidrList.of([]),
    trustedProxyHeader: options.trustedProxyHeader ?? null,
  });
  return {
    ctx,
    sweeper,
    deliveryStore,
    http,
    fetch: (request, env) => app.fetch(request, env),
    async close() {
      await Promise.all(unlisten.map((stop) => stop()));
      await sweeper.stop();
      await deliveries.stop();
      // Deferred events (client credentials) are written before the store closes.
      await events
        .close()
        .catch((err: unknown) => log.warn({ err: String(err) }, 'could not write the last deferred events'));
      http.close();
      ctx.mailer.close();
    },
  };
}
