// Public API of @sundown/server: run the provider in your process (`startServer`), or mount its
// web-standard handler in your own HTTP server (`openStore` + `createProvider`). Named exports
// only; the services behind a provider (ProviderContext and the rest) are internal, so the
// `Provider` and `RunningServer` seen here show only what an embedder may rely on.
import type { Logger } from 'pino';
import type { ServerConfig } from './config.ts';
import { createProvider as createProviderInternal, type ProviderOptions } from './provider.ts';
import { startServer as startServerInternal } from './server.ts';
import type { Store } from './store/database.ts';

export { ConfigError, parseStartConfig, type ServerConfig } from './config.ts';
export { ProviderUrls } from './provider-urls.ts';
export { type Argon2Params, hashPassword, OWASP_ARGON2ID, verifyPassword } from './crypto/password.ts';
export { OAuthError } from './errors.ts';
export type { LogoutOptions } from './logout/logout-options.ts';
export type { ProviderOptions } from './provider.ts';
export { type ImportResult, importRealm, importRealmFile } from './realm-import/import-realm.ts';
export { type ParsedRealm, parseRealmJson, RealmImportError } from './realm-import/realm-json.ts';
export { ListenError } from './server.ts';
export { checkDataDir, DataDirInUse } from './store/data-dir-lock.ts';
export { openStore, type Store, type StoreConfig } from './store/database.ts';
export type { DialectName } from './store/dialect-name.ts';

/** An OpenID Provider over an open store, as a web-standard request handler. */
export interface Provider {
  /** Answers every Sundown route (`/realms/…`, `/admin/…`): `fetch(request)` → response. */
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
  /** Stops the back-channel delivery worker and the expiry sweeper, waiting for deliveries in flight. */
  close(): Promise<void>;
}

/** A provider listening on a port, as `sundown start` runs it. */
export interface RunningServer {
  /** The public origin, e.g. `http://localhost:8080` (or `--public-url`). */
  url: string;
  /** The bound port (useful with port 0). */
  port: number;
  provider: Provider;
  store: Store;
  /** Stops listening, then the provider, then closes the store. */
  close(): Promise<void>;
}

/**
 * Creates the provider over `store` (see `openStore`) and, unless `options.background` is
 * false, starts its back-channel delivery worker and expiry sweeper. Mount `provider.fetch`
 * in any server that speaks web-standard Request/Response (Hono, `@hono/node-server`, Bun).
 */
export const createProvider: (store: Store, options: ProviderOptions) => Promise<Provider> = createProviderInternal;

/**
 * Opens the store, imports `config.importRealms`, creates the bootstrap admin, listens on
 * `config.host:config.port` and serves the provider: what `sundown start` does.
 * `config` comes from `parseStartConfig(argv, env)`.
 */
export const startServer: (config: ServerConfig, log: Logger) => Promise<RunningServer> = startServerInternal;
