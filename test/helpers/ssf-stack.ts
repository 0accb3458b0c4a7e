// The whole app of issue 25 on loopback: a Sundown server whose realm is a Shared Signals
// transmitter, an app users sign in to (code flow), and an API that trusts its access tokens,
// run as two instances (Express and Fastify) that share one Redis logout store with the app's
// Shared Signals receiver (@sundown/rp's RFC 8935 push endpoint, or its RFC 8936 poller),
// registered as the receiver client's stream with @sundown/rp's registerStream.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import Fastify from 'fastify';
import { pino } from 'pino';
import { createClient } from 'redis';
import {
  backchannelLogoutRouter,
  requireBearerToken,
  securityEventPushRouter,
} from '../../packages/rp/src/adapters/express.ts';
import { fastifyBearerGuard } from '../../packages/rp/src/adapters/fastify.ts';
import {
  type LogoutStore,
  registerStream,
  type RegisteredStream,
  type SecurityEventReceiverOptions,
} from '../../packages/rp/src/index.ts';
import { RedisLogoutStore } from '../../packages/rp/src/stores/redis-store.ts';
import { parseStartConfig } from '../../packages/server/src/config.ts';
import { importRealm } from '../../packages/server/src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../packages/server/src/realm-import/realm-json.ts';
import { type RunningServer, startServer } from '../../packages/server/src/server.ts';
import { Browser, signIn } from '../../packages/server/test/helpers/browser.ts';
import { basic, pkce } from '../../packages/server/test/helpers/oauth.ts';

export const REDIS_URL = process.env.SUNDOWN_TEST_REDIS_URL;
export const API_AUDIENCE = 'orders-api';
export const WEB_REDIRECT = 'https://web.example/cb';
const SSF_SCOPES = ['ssf.read', 'ssf.manage'];

/** A realm that transmits Shared Signals (Keycloak 26.7's switches) to `receivers`, with app `web`. */
export function ssfRealm(
  name: string,
  receivers: string[],
  web: { backchannelLogoutUrl?: string } = {},
  users = [{ username: 'alice', email: 'alice@example.com', credentials: [{ type: 'password', value: 'alice-pw' }] }],
): Record<string, unknown> {
  return {
    realm: name,
    enabled: true,
    attributes: { 'ssf.transmitterEnabled': 'true', backchannelLogoutAllowHttp: 'true' },
    clientScopes: SSF_SCOPES.map((scope) => ({ name: scope, protocol: 'openid-connect', attributes: {} })),
    clients: [
      {
        clientId: 'web',
        secret: 'web-secret',
        redirectUris: [WEB_REDIRECT],
        directAccessGrantsEnabled: true,
        attributes: {
          'post.logout.redirect.uris': '+',
          ...(web.backchannelLogoutUrl ? { 'backchannel.logout.url': web.backchannelLogoutUrl } : {}),
        },
        // The API's name in the access token's aud, as a Keycloak admin adds it.
        protocolMappers: [
          {
            name: 'orders-api audience',
            protocol: 'openid-connect',
            protocolMapper: 'oidc-audience-mapper',
            config: { 'included.custom.audience': API_AUDIENCE, 'access.token.claim': 'true' },
          },
        ],
      },
      ...receivers.map((clientId) => ({
        clientId,
        secret: `${clientId}-secret`,
        serviceAccountsEnabled: true,
        standardFlowEnabled: false,
        attributes: { 'ssf.enabled': 'true', 'ssf.validPushUrls': 'http://127.0.0.1:*' },
        optionalClientScopes: SSF_SCOPES,
      })),
    ],
    users,
  };
}

export interface Sundown {
  server: RunningServer;
  base: string;
  close(): Promise<void>;
  addRealm(json: Record<string, unknown>): Promise<string>;
}

/** A Sundown server on a loopback port over a fresh SQLite data directory. */
export async function startSundown(): Promise<Sundown> {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-ssf-e2e-'));
  const config = parseStartConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dir], {});
  const server = await startServer(config, pino({ level: 'silent' }));
  return {
    server,
    base: server.url,
    async addRealm(json) {
      await importRealm(server.store.db, parseRealmJson(json));
      return `${server.url}/realms/${String(json.realm)}`;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The web app's sign-in through Sundown's login form (code flow with PKCE): its tokens. */
export async function signInAtWeb(
  issuer: string,
  user = 'alice',
  password = 'alice-pw',
): Promise<{ access_token: string; id_token: string; browser: Browser }> {
  const browser = new Browser((input, init) => fetch(input, init));
  const { verifier, challenge } = pkce();
  const auth = new URL(`${issuer}/protocol/openid-connect/auth`);
  for (const [k, v] of Object.entries({
    client_id: 'web',
    redirect_uri: WEB_REDIRECT,
    response_type: 'code',
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }))
    auth.searchParams.set(k, v);
  const back = await signIn(browser, auth.toString(), user, password);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code: ${back.toString()}`);
  const res = await fetch(`${issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('web', 'web-secret') },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: WEB_REDIRECT,
      code_verifier: verifier,
    }).toString(),
  });
  if (res.status !== 200) throw new Error(`token: HTTP ${res.status} ${await res.text()}`);
  return { ...((await res.json()) as { access_token: string; id_token: string }), browser };
}

/** RP-initiated logout (RPI §2) by the browser that signed in, with the app's ID token as hint. */
export async function rpInitiatedLogout(issuer: string, browser: Browser, idToken: string): Promise<Response> {
  const url = new URL(`${issuer}/protocol/openid-connect/logout`);
  url.searchParams.set('id_token_hint', idToken);
  url.searchParams.set('post_logout_redirect_uri', WEB_REDIRECT);
  const res = await browser.get(url.toString());
  await res.arrayBuffer();
  return res;
}

/** A Redis logout store on its own connection, as a separate instance of the app has. */
export async function redisStore(prefix: string): Promise<{ store: RedisLogoutStore; close(): Promise<void> }> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const store = new RedisLogoutStore(client, { prefix });
  return { store, close: () => client.quit().then(() => undefined) };
}

export interface ApiInstance {
  call(token: string): Promise<{ status: number; challenge: string | null }>;
  close(): Promise<void>;
}

/** The API on Express, guarded by requireBearerToken. */
export async function expressApi(issuer: string, store: LogoutStore): Promise<ApiInstance> {
  const app = express();
  const keys = new URL(`${issuer}/protocol/openid-connect/certs`);
  app.use('/api', requireBearerToken({ issuer, audience: API_AUDIENCE, keys, store }));
  app.get('/api/orders', (_req, res) => void res.json({ orders: [] }));
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/orders`;
  return {
    async call(token) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return { status: res.status, challenge: res.headers.get('www-authenticate') };
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The API on Fastify, guarded by fastifyBearerGuard. */
export async function fastifyApi(issuer: string, store: LogoutStore): Promise<ApiInstance> {
  const app = Fastify();
  const keys = new URL(`${issuer}/protocol/openid-connect/certs`);
  app.addHook('preHandler', fastifyBearerGuard({ issuer, audience: API_AUDIENCE, keys, store }));
  app.get('/api/orders', async () => ({ orders: [] }));
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/api/orders`;
  return {
    async call(token) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return { status: res.status, challenge: res.headers.get('www-authenticate') };
    },
    close: () => app.close(),
  };
}

/** The app's Shared Signals push endpoint (and back-channel logout endpoint), on Express. */
export class ReceiverApp {
  readonly #app = express();
  #server: Server | undefined;
  #port = 0;

  constructor(
    receiver: Omit<SecurityEventReceiverOptions, 'store'> & { store: LogoutStore; authorizationHeader: string },
    backchannel?: { issuer: string; clientId: string },
  ) {
    this.#app.use(securityEventPushRouter({ path: '/ssf/events', ...receiver }));
    if (backchannel)
      this.#app.use(
        backchannelLogoutRouter({
          path: '/backchannel-logout',
          issuer: backchannel.issuer,
          clientId: backchannel.clientId,
          keys: receiver.keys,
          store: receiver.store,
        }),
      );
  }

  async listen(port = this.#port): Promise<void> {
    const server = this.#app.listen(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  get base(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** An outage: the port stops answering (connection refused) until listen() again. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/** registerStream for a push stream to `endpointUrl`, as an app does at start-up. */
export function registerPushStream(
  issuer: string,
  clientId: string,
  endpointUrl: string,
  authorizationHeader: string,
  eventsRequested?: string[],
): Promise<RegisteredStream> {
  return registerStream({
    issuer,
    clientId,
    clientSecret: `${clientId}-secret`,
    delivery: { method: 'push', endpointUrl, authorizationHeader },
    ...(eventsRequested ? { eventsRequested } : {}),
  });
}

/** Polls `check` until it is true; the time it took, in ms. */
export async function until(check: () => Promise<boolean>, ms = 15_000, step = 5): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, step));
  }
  return performance.now() - start;
}

/** The time claims of a JWT, unverified (the test's own token). */
export function claimsOf(jwt: string): { exp: number; iat: number; sid?: string; sub?: string } {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as {
    exp: number;
    iat: number;
    sid?: string;
    sub?: string;
  };
}
