// A realm whose clients send back-channel logout to test receivers, imported into a fresh store.
import type { ProviderOptions } from '../../src/provider.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { createProvider } from '../../src/provider.ts';
import { openStore } from '../../src/store/database.ts';
import type { TestDatabase } from './databases.ts';
import { ISSUER_BASE, TEST_REALM_JSON, type TestProvider } from './provider.ts';

export interface LogoutClients {
  /** Back-channel URL of rp1 (RS256, sid required). */
  rp1: string;
  /** Back-channel URL of rp2 (ES256). */
  rp2: string;
  /** Back-channel URL of rp4, which also has a front-channel URL. */
  rp4?: string;
  extraClients?: Record<string, unknown>[];
  realmAttributes?: Record<string, string>;
}

export function logoutRealmJson(c: LogoutClients): unknown {
  const json = structuredClone(TEST_REALM_JSON) as {
    clients: Record<string, unknown>[];
    attributes?: Record<string, string>;
  };
  json.attributes = { backchannelLogoutAllowHttp: 'true', ...c.realmAttributes };
  json.clients.push(
    {
      clientId: 'rp1',
      secret: 'rp1-secret',
      directAccessGrantsEnabled: true,
      redirectUris: ['https://rp1.example/cb'],
      attributes: {
        'backchannel.logout.url': c.rp1,
        'post.logout.redirect.uris': 'https://rp1.example/after##https://rp1.example/bye?from=sso##+',
      },
    },
    {
      clientId: 'rp2',
      secret: 'rp2-secret',
      directAccessGrantsEnabled: true,
      redirectUris: ['https://rp2.example/cb'],
      attributes: { 'backchannel.logout.url': c.rp2, 'id.token.signed.response.alg': 'ES256' },
    },
    {
      clientId: 'rp3',
      secret: 'rp3-secret',
      frontchannelLogout: true,
      redirectUris: ['https://rp3.example/cb'],
      attributes: {
        'frontchannel.logout.url': 'https://rp3.example/frontchannel-logout',
        'post.logout.redirect.uris': '+',
      },
    },
    ...(c.rp4
      ? [
          {
            clientId: 'rp4',
            secret: 'rp4-secret',
            frontchannelLogout: true,
            redirectUris: ['https://rp4.example/cb'],
            attributes: { 'backchannel.logout.url': c.rp4, 'frontchannel.logout.url': 'https://rp4.example/fcl?x=1' },
          },
        ]
      : []),
    ...(c.extraClients ?? []),
  );
  return json;
}

export async function startLogoutProvider(
  database: TestDatabase,
  clients: LogoutClients,
  options: Partial<ProviderOptions> = {},
): Promise<TestProvider> {
  const created = await database.create();
  const store = await openStore(created.config);
  await importRealm(store.db, parseRealmJson(logoutRealmJson(clients)));
  const provider = await createProvider(store, { publicUrl: ISSUER_BASE, ...options });
  return {
    provider,
    store,
    storeConfig: created.config,
    fetch: async (input, init) => provider.fetch(typeof input === 'string' ? new Request(input, init) : input),
    async close() {
      await provider.close();
      await store.close();
      await created.drop();
    },
  };
}
