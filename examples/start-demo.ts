// Starts the whole demo in one process: the Sundown server on the embedded store with the
// demo realm, and the four example apps (three OIDC, one SAML). Used by `npm start` and by the browser tests.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { type Logger, pino } from 'pino';
import {
  importRealm,
  parseRealmJson,
  parseStartConfig,
  ProviderUrls,
  type RunningServer,
  startServer,
} from '@sundown/server';
import { startAppOne } from './app-one-express/app.ts';
import { startAppTwo } from './app-two-hono/app.ts';
import { startAppThree } from './app-three-spa/app.ts';
import { startAppFour } from './app-four-saml/app.ts';

export interface DemoOptions {
  serverPort: number;
  appOnePort: number;
  appTwoPort: number;
  /** App Three, the keycloak-js single-page app (default: App Two's port + 1). */
  appThreePort?: number;
  /** App Four, the SAML service provider (default: App Three's port + 1). */
  appFourPort?: number;
  dataDir: string;
  log?: Logger;
  /** Change the demo realm before import (tests use it for other client setups). */
  editRealm?: (realm: DemoRealm) => void;
}

export interface DemoRealm {
  realm: string;
  clients: Array<{ clientId: string; frontchannelLogout?: boolean; attributes: Record<string, string> }>;
  [key: string]: unknown;
}

export interface Demo {
  server: RunningServer;
  issuer: string;
  /** The admin console's URL. */
  console: string;
  appOne: string;
  appTwo: string;
  appThree: string;
  appFour: string;
  close(): Promise<void>;
}

export class DemoPortError extends Error {}

async function ensureFree(port: number, what: string, flag: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () =>
      reject(
        new DemoPortError(
          `Port ${port} (${what}) is already in use. Stop whatever uses it, or choose another port with ${flag}.`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** The admin console's demo login; a real deployment sets SUNDOWN_ADMIN_* itself. */
export const DEMO_ADMIN = { username: 'admin', password: 'admin-password' };

/** The demo realm with its URLs moved to the chosen ports. */
export function demoRealm(
  appOnePort: number,
  appTwoPort: number,
  appThreePort = appTwoPort + 1,
  appFourPort = appThreePort + 1,
): DemoRealm {
  const text = readFileSync(new URL('./realms/demo-realm.json', import.meta.url), 'utf8');
  return JSON.parse(
    text
      .replaceAll('localhost:3001', `localhost:${appOnePort}`)
      .replaceAll('localhost:3002', `localhost:${appTwoPort}`)
      .replaceAll('localhost:3003', `localhost:${appThreePort}`)
      .replaceAll('localhost:3004', `localhost:${appFourPort}`),
  ) as DemoRealm;
}

export async function startDemo(o: DemoOptions): Promise<Demo> {
  await ensureFree(o.serverPort, 'Sundown server', '--port');
  await ensureFree(o.appOnePort, 'App One', '--app-one-port');
  await ensureFree(o.appTwoPort, 'App Two', '--app-two-port');
  const appThreePort = o.appThreePort ?? o.appTwoPort + 1;
  await ensureFree(appThreePort, 'App Three', '--app-three-port');
  const appFourPort = o.appFourPort ?? appThreePort + 1;
  await ensureFree(appFourPort, 'App Four', '--app-four-port');
  const log = o.log ?? pino({ level: 'warn' });
  const config = parseStartConfig(['--port', String(o.serverPort), '--data-dir', o.dataDir], {
    SUNDOWN_ADMIN_USERNAME: DEMO_ADMIN.username,
    SUNDOWN_ADMIN_PASSWORD: DEMO_ADMIN.password,
  });
  const server = await startServer(config, log);
  // Whatever started is stopped again if a later part cannot start (a port taken meanwhile).
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const realm = demoRealm(o.appOnePort, o.appTwoPort, appThreePort, appFourPort);
    o.editRealm?.(realm);
    await importRealm(server.store.db, parseRealmJson(realm));
    const issuer = `${server.url}/realms/${realm.realm}`;
    const secret = (id: string) => `${id}-secret`;
    const one = await startAppOne({ issuer, clientId: 'app-one', clientSecret: secret('app-one'), port: o.appOnePort });
    started.push(one);
    const two = await startAppTwo({ issuer, clientId: 'app-two', clientSecret: secret('app-two'), port: o.appTwoPort });
    started.push(two);
    const urls = new ProviderUrls(server.url, config.httpRelativePath);
    const three = await startAppThree({
      sundownUrl: urls.publicUrl + urls.relativePath,
      realm: realm.realm,
      clientId: 'app-three',
      port: appThreePort,
    });
    started.push(three);
    const four = await startAppFour({ issuer, port: appFourPort });
    started.push(four);
    return {
      server,
      issuer,
      console: urls.consoleUrl,
      appOne: one.url,
      appTwo: two.url,
      appThree: three.url,
      appFour: four.url,
      async close() {
        await Promise.all(started.map((s) => s.close()));
        await server.close();
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.close()));
    await server.close();
    throw err;
  }
}
