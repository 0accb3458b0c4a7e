// Public API of @sundown/server for embedding and tests.
export { ConfigError, parseStartConfig, type ServerConfig } from './config.ts';
export { type ProviderContext, ProviderUrls } from './context.ts';
export { hashPassword, OWASP_ARGON2ID, verifyPassword } from './crypto/password.ts';
export { SigningKeys } from './crypto/signing-keys.ts';
export * from './errors.ts';
export { createProvider, type Provider, type ProviderOptions } from './provider.ts';
export { type ImportResult, importRealm, importRealmFile } from './realm/import-realm.ts';
export { parseRealmJson, RealmImportError } from './realm/realm-json.ts';
export { type RunningServer, startServer } from './server.ts';
export { openStore, type Store, type StoreConfig } from './store/database.ts';
