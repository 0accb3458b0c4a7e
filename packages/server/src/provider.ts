// Assembles the provider's services over an open store, with its background work: the
// back-channel delivery worker and the expiry sweeper.
import { type Logger, pino } from 'pino';
import { createApp } from './app.ts';
import { type ProviderContext, ProviderUrls } from './context.ts';
import { type PasswordVerifier, verifyStoredPassword } from './crypto/password.ts';
import { SigningKeys } from './crypto/signing-keys.ts';
import { PendingLogins } from './oidc/authorize/pending-logins.ts';
import { EventLog } from './events/event-log.ts';
import { CidrList } from './http/cidr.ts';
import { LoginThrottle, type ThrottlePolicy } from './login/throttle.ts';
import { BackchannelHttp, type BackchannelHttpOptions, DEFAULT_HTTP_OPTIONS } from './logout/backchannel-http.ts';
import { DeliveryStore } from './logout/delivery-store.ts';
import { DeliveryWorker } from './logout/delivery-worker.ts';
import { ExpirySweeper } from './logout/expiry-sweeper.ts';
import { LogoutService } from './logout/logout-service.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './logout/retry-policy.ts';
import { RealmRepository } from './realm/repository.ts';
import { SsoSessions } from './sessions/sso-session.ts';
import type { Store } from './store/database.ts';
import { RefreshTokenKeys } from './tokens/refresh-token-key.ts';
import { TokenIssuer } from './tokens/token-issuer.ts';

export interface LogoutOptions {
  /** Bounded wait of a browser logout for the first back-channel attempts; default 2000 ms. */
  waitMs: number;
  retry: RetryPolicy;
  http: BackchannelHttpOptions;
  sweepIntervalMs: number;
  eventsRetentionDays: number;
  /** Deliveries in flight per process and per client. */
  concurrency: number;
  perClientConcurrency: number;
}

export const DEFAULT_LOGOUT_OPTIONS: LogoutOptions = {
  waitMs: 2000,
  retry: DEFAULT_RETRY_POLICY,
  http: DEFAULT_HTTP_OPTIONS,
  sweepIntervalMs: 30_000,
  eventsRetentionDays: 30,
  concurrency: 64,
  perClientConcurrency: 8,
};

export interface ProviderOptions {
  publicUrl: string;
  httpRelativePath?: string;
  log?: Logger;
  throttle?: Partial<ThrottlePolicy>;
  /** How logins verify passwords (default argon2id); tests wrap it to count verifications. */
  verifyPassword?: PasswordVerifier;
  logout?: Partial<LogoutOptions>;
  /** Sign-in forms kept per realm; default 10,000 (see oidc/authorize/pending-logins.ts). */
  maxPendingLogins?: number;
  /** Reverse proxies whose forwarding headers name the client (default: none). */
  trustedProxies?: CidrList;
  /** Run the delivery worker and sweeper in this process (default true). */
  background?: boolean;
}

export interface Provider {
  ctx: ProviderContext;
  sweeper: ExpirySweeper;
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
    announce: () => void store.notify(KEYS_CHANNEL).catch((err: unknown) => log.warn({ err: String(err) }, 'could not notify other processes of a key change')),
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
    concurrency: logoutOptions.concurrency,
    perClientConcurrency: logoutOptions.perClientConcurrency,
    attemptTimeoutMs: logoutOptions.http.connectTimeoutMs + logoutOptions.http.responseTimeoutMs,
  });
  const logout = new LogoutService(store.db, () => {
    deliveries.wake();
    void store.notify(DELIVERY_CHANNEL).catch((err: unknown) => log.warn({ err: String(err) }, 'could not notify other processes'));
  });
  const throttle = new LoginThrottle(store.db, store.dialect, options.throttle);
  const ctx: ProviderContext = {
    db: store.db,
    keys,
    realms,
    sessions: new SsoSessions(store.db, logout),
    tokens: new TokenIssuer(keys, new RefreshTokenKeys(store.db)),
    events,
    throttle,
    verifyPassword: options.verifyPassword ?? verifyStoredPassword,
    urls,
    log,
    logout,
    deliveries,
    deliveryStore,
    backchannelHttp: http,
    logoutWaitMs: logoutOptions.waitMs,
    pendingLogins: new PendingLogins(store.db, options.maxPendingLogins),
  };
  const sweeper = new ExpirySweeper({ db: store.db, logout, throttle, log, intervalMs: logoutOptions.sweepIntervalMs, eventsRetentionDays: logoutOptions.eventsRetentionDays });
  const unlisten: Array<() => Promise<void>> = [];
  if (options.background !== false) {
    // Also called after the listening connection was re-established: a catch-up claim and a
    // fresh read of the keys cover whatever was notified while it was down.
    unlisten.push(await store.listen(DELIVERY_CHANNEL, () => deliveries.wake()));
    unlisten.push(await store.listen(KEYS_CHANNEL, () => keys.invalidate()));
    deliveries.start();
    sweeper.start();
  }
  const app = createApp(ctx, { trustedProxies: options.trustedProxies ?? CidrList.of([]) });
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
      http.close();
    },
  };
}
