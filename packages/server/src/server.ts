// Runs the provider as an HTTP server: open the store, import realms, listen, shut down cleanly.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from 'pino';
import { ensureBootstrapAdmin, ensureConsoleClient } from './admin/bootstrap.ts';
import type { ServerConfig } from './config.ts';
import { createProvider, type Provider } from './provider.ts';
import { importNotes, importRealmFile, newSecretsWarning } from './realm-import/import-realm.ts';
import { acceptsLegacyLogoutRedirectUri, allowsHttpBackchannel, REALM_ATTRIBUTE } from './realm/attributes.ts';
import { RealmRepository } from './realm/repository.ts';
import { openStore, type Store } from './store/database.ts';

export interface RunningServer {
  url: string;
  port: number;
  provider: Provider;
  store: Store;
  close(): Promise<void>;
}

export class ListenError extends Error {}

/** Dangerous realm opt-outs are logged once at start-up, so nobody runs them by accident. */
async function warnAboutOptOuts(store: Store, log: Logger): Promise<void> {
  for (const realm of await new RealmRepository(store.db).allRealms()) {
    if (allowsHttpBackchannel(realm)) {
      log.warn(
        `realm ${realm.name}: http logout URLs (back-channel, admin URL, SAML SOAP) are allowed for confidential clients (${REALM_ATTRIBUTE.allowHttpBackchannel}); use https in production`,
      );
    }
    if (acceptsLegacyLogoutRedirectUri(realm)) {
      log.warn(
        `realm ${realm.name}: the legacy logout redirect_uri parameter is accepted (${REALM_ATTRIBUTE.legacyLogoutRedirectUri})`,
      );
    }
  }
}

export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const store = await openStore(config.store, log);
  try {
    for (const file of config.importRealms) {
      const result = await importRealmFile(store.db, file);
      log.info(
        { realm: result.realm, clients: result.clients, users: result.users, file },
        `imported realm ${result.realm}`,
      );
      if (result.ignored.length > 0)
        log.warn(`realm ${result.realm}: ignored unsupported fields: ${result.ignored.join(', ')}`);
      for (const line of importNotes(result)) log.warn(line);
      if (result.newSecrets.length > 0)
        log.warn(
          { realm: result.realm, newSecrets: result.newSecrets },
          newSecretsWarning(result.realm, result.newSecrets, config.httpRelativePath),
        );
    }
    if (config.bootstrapAdmin && (await ensureBootstrapAdmin(store.db, config.bootstrapAdmin))) {
      log.info({ username: config.bootstrapAdmin.username }, 'created the master realm admin');
    }
    await warnAboutOptOuts(store, log);
    // The issuer may depend on the bound port (port 0), so the provider is made after listen;
    // no request can be handled before the continuation below runs.
    const ready: { provider?: Provider } = {};
    const server = createAdaptorServer({ fetch: (req, env) => ready.provider!.fetch(req, env) }) as Server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') {
          reject(
            new ListenError(
              `Port ${config.port} on ${config.host} is already in use. Stop the other process or choose another port with --port (or SUNDOWN_PORT).`,
            ),
          );
        } else reject(new ListenError(`Cannot listen on ${config.host}:${config.port}: ${err.message}`));
      });
      server.listen(config.port, config.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const publicUrl = config.publicUrl ?? `http://localhost:${port}`;
    const provider = await createProvider(store, {
      publicUrl,
      httpRelativePath: config.httpRelativePath,
      log,
      logout: config.logout,
      trustedProxies: config.trustedProxies,
    });
    await ensureConsoleClient(store.db, provider.ctx.urls.consoleUrl);
    ready.provider = provider;
    return {
      url: publicUrl,
      port,
      provider,
      store,
      async close() {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await provider.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
