// A provider over a fresh store with the test realm imported, called in-process.
import { readFileSync } from 'node:fs';
import { createProvider, type Provider, type ProviderOptions } from '../../src/provider.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { openStore, type Store, type StoreConfig } from '../../src/store/database.ts';
import type { TestDatabase } from './databases.ts';

export const ISSUER_BASE = 'https://sso.test';
export const REALM = 'test';
export const ISSUER = `${ISSUER_BASE}/realms/${REALM}`;
export const OIDC = `${ISSUER}/protocol/openid-connect`;

export const TEST_REALM_JSON = JSON.parse(
  readFileSync(new URL('../fixtures/test-realm.json', import.meta.url), 'utf8'),
) as unknown;

export interface TestProvider {
  provider: Provider;
  store: Store;
  /** Where the store is, for a second process or a command over the same database. */
  storeConfig?: StoreConfig;
  fetch: (input: string | Request, init?: RequestInit) => Promise<Response>;
  close(): Promise<void>;
}

export async function startTestProvider(
  database: TestDatabase,
  options: Partial<ProviderOptions> = {},
  realms: unknown[] = [TEST_REALM_JSON],
): Promise<TestProvider> {
  const created = await database.create();
  const store = await openStore(created.config);
  for (const realm of realms) await importRealm(store.db, parseRealmJson(realm));
  const provider = await createProvider(store, { publicUrl: ISSUER_BASE, ...options });
  return {
    provider,
    store,
    fetch: async (input, init) => provider.fetch(typeof input === 'string' ? new Request(input, init) : input),
    async close() {
      await provider.close();
      await store.close();
      await created.drop();
    },
  };
}
