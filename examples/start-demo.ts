// Starts the whole demo in one process: the Sundown server on the embedded store with the
// demo realm, its upstream identity provider (a second realm, upstream-provider.ts), and the four
// example apps (three OIDC, one SAML). Used by `npm start` and by the browser tests.
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { type Logger, pino } from 'pino';
import {
  checkDataDir,
  importRealm,
  ListenError,
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
import { upstreamIdentityProvider, upstreamRealm } from './upstream-provider.ts';

/** Ports; 0 picks a free one. */
export interface DemoOptions {
  serverPort: number;
  appOnePort: number;
  appTwoPort: number;
  /** App Three, the keycloak-js single-page app (default: App Two's port + 1, or 0). */
  appThreePort?: number;
  /** App Four, the SAML service provider (default: App Three's port + 1, or 0). */
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

interface PortUse {
  port: number;
  what: string;
  flag: string;
}

const inUse = (p: PortUse) =>
  `Port ${p.port} (${p.what}) is already in use. Stop whatever uses it, or choose another port with ${p.flag}.`;

/** Binds `port` (0: a free one) on loopback and keeps it, for the app to take over; null when it is taken. */
async function reserve(port: number): Promise<Server | null> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Whether the server's port is free now; only for naming it among the others (startServer binds it). */
async function free(port: number): Promise<boolean> {
  if (port === 0) return true;
  const probe = await reserve(port);
  await new Promise<void>((resolve) => (probe ? probe.close(() => resolve()) : resolve()));
  return probe !== null;
}

const next = (port: number) => (port === 0 ? 0 : port + 1);

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
  // A running demo on the same folder says so first: its ports are taken too, and its pid is
  // the useful answer.
  checkDataDir(o.dataDir);
  const appThreePort = o.appThreePort ?? next(o.appTwoPort);
  const appFourPort = o.appFourPort ?? next(appThreePort);
  const apps: PortUse[] = [
    { port: o.appOnePort, what: 'App One', flag: '--app-one-port' },
    { port: o.appTwoPort, what: 'App Two', flag: '--app-two-port' },
    { port: appThreePort, what: 'App Three', flag: '--app-three-port' },
    { port: appFourPort, what: 'App Four', flag: '--app-four-port' },
  ];
  const server: PortUse = { port: o.serverPort, what: 'Sundown server', flag: '--port' };
  // The apps' ports go into the realm before the apps start: each is bound now and kept until
  // its app takes the socket over, so nothing else can take it in between.
  const reserved = await Promise.all(apps.map((a) => reserve(a.port)));
  const taken = [...((await free(server.port)) ? [] : [server]), ...apps.filter((_, i) => reserved[i] === null)];
  if (taken.length > 0) {
    await Promise.all(reserved.map((r) => r && new Promise((resolve) => r.close(resolve))));
    throw new DemoPortError(taken.map(inUse).join('\n'));
  }
  const [one, two, three, four] = reserved.map((r) => ({ listener: r!, port: (r!.address() as AddressInfo).port }));
  const log = o.log ?? pino({ level: 'warn' });
  const config = parseStartConfig(['--port', String(o.serverPort), '--data-dir', o.dataDir], {
    SUNDOWN_ADMIN_USERNAME: DEMO_ADMIN.username,
    SUNDOWN_ADMIN_PASSWORD: DEMO_ADMIN.password,
  });
  let sundown: RunningServer;
  try {
    sundown = await startServer(config, log);
  } catch (err) {
    await Promise.all(reserved.map((r) => new Promise((resolve) => r!.close(resolve))));
    throw err instanceof ListenError && o.serverPort !== 0 ? new DemoPortError(inUse(server)) : err;
  }
  // Whatever started is stopped again if a later part cannot start; the sockets not yet taken
  // over are closed.
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const urls = new ProviderUrls(sundown.url, config.httpRelativePath);
    const serverUrl = urls.publicUrl + urls.relativePath;
    // The upstream realm first: the demo realm's "upstream" identity provider points at it.
    await importRealm(sundown.store.db, parseRealmJson(upstreamRealm(serverUrl)));
    const realm = demoRealm(one!.port, two!.port, three!.port, four!.port);
    realm.identityProviders = [upstreamIdentityProvider(serverUrl)];
    o.editRealm?.(realm);
    await importRealm(sundown.store.db, parseRealmJson(realm));
    const issuer = `${sundown.url}/realms/${realm.realm}`;
    const secret = (id: string) => `${id}-secret`;
    const appOne = await startAppOne({ issuer, clientId: 'app-one', clientSecret: secret('app-one'), ...one! });
    started.push(appOne);
    const appTwo = await startAppTwo({ issuer, clientId: 'app-two', clientSecret: secret('app-two'), ...two! });
    started.push(appTwo);
    const appThree = await startAppThree({
      sundownUrl: serverUrl,
      realm: realm.realm,
      clientId: 'app-three',
      ...three!,
    });
    started.push(appThree);
    const appFour = await startAppFour({ issuer, ...four! });
    started.push(appFour);
    return {
      server: sundown,
      issuer,
      console: urls.consoleUrl,
      appOne: appOne.url,
      appTwo: appTwo.url,
      appThree: appThree.url,
      appFour: appFour.url,
      async close() {
        await Promise.all(started.map((s) => s.close()));
        await sundown.close();
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.close()));
    await Promise.allSettled(reserved.slice(started.length).map((r) => new Promise((resolve) => r!.close(resolve))));
    await sundown.close();
    throw err;
  }
}
