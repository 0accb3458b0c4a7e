// Runs the provider as an HTTP server: open the store, import realms, listen, shut down cleanly.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from 'pino';
import { CONSOLE_OFF_HINT, ensureBootstrapAdmin, ensureConsoleClient } from './admin/bootstrap.ts';
import type { ServerConfig } from './config.ts';
import { createProvider, type Provider } from './provider.ts';
import { importRealmFiles, newSecretsWarning } from './realm-import/import-realm.ts';
import { acceptsLegacyLogoutRedirectUri, allowsHttpBackchannel, REALM_ATTRIBUTE } from './realm/attributes.ts';
import { RealmRepository } from './realm/repository.ts';
import { type DataDirLock, lockDataDir } from './store/data-dir-lock.ts';
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

/**
 * `print` receives each realm import's report as readable text (the command line writes it to
 * the terminal); the log gets one short line per realm.
 */
export async function startServer(
  config: ServerConfig,
  log: Logger,
  print: (report: string) => void = () => {},
): Promise<RunningServer> {
  // The embedded store belongs to one server process: taken before anything is opened or
  // imported (store/data-dir-lock.ts).
  const lock: DataDirLock | null = config.store.kind === 'sqlite' ? await lockDataDir(config.store.dataDir) : null;
  let store: Store;
  try {
    store = await openStore(config.store, log);
  } catch (err) {
    lock?.release();
    throw err;
  }
  try {
    for (const { result, files, report } of await importRealmFiles(store.db, config.importRealms)) {
      log.info(
        {
          realm: result.realm,
          clients: result.clients,
          users: result.users,
          files,
          warnings: result.warnings.length,
          notUsed: result.ignored.length,
        },
        `imported realm ${result.realm}`,
      );
      print(report);
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
      trustedProxyHeader: config.trustedProxyHeader,
      mailWithoutSmtp: config.mailWithoutSmtp,
      mailRate: config.mailRate,
    });
    if (config.mailWithoutSmtp === 'log')
      log.warn(
        'mail of realms without an SMTP server is written to this log (--mail-without-smtp log): for development only',
      );
    if (!(await ensureConsoleClient(store.db, provider.ctx.urls.consoleUrl)))
      log.info(
        `admin console ${provider.ctx.urls.consoleUrl} is off (no master realm); to turn it on, ${CONSOLE_OFF_HINT}`,
      );
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
        lock?.release();
      },
    };
  } catch (err) {
    await store.close();
    lock?.release();
    throw err;
  }
}
