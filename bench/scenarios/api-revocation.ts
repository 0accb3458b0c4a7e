// Scenario 7 — a logout reaches the APIs (issue 25): a realm transmitting Shared Signals, an app
// whose @sundown/rp receiver registered a push stream (registerStream), and its API run as two
// instances (Express) with @sundown/rp's bearer guard, each on its own Redis connection.
//  1. Per round: a user signs in through the login form (code flow), both API instances accept the
//     access token; then the time from sending the RP-initiated logout until both instances refuse
//     the old token (401 invalid_token), p50 and p95 over N logouts — once through the CAEP
//     session-revoked SET (no back-channel URL) and once through the back-channel logout token
//     (no stream). Next to it: what a Keycloak user waits today, the token's remaining lifetime,
//     up to the default accessTokenLifespan of 300 s (keycloak#37144: "JWTs cannot be revoked").
//  2. Mass logout: S sessions ended by the admin's logout-all, one session-revoked SET each,
//     pushed to one stream (a loopback receiver in a worker thread that only counts); SETs pushed
//     per second until the last arrived, next to the 1-core RS256 signing rate measured in the
//     same run (every SET is signed when sent: the physical bound, lib/signing-bound.ts).
// The APIs and the receiver share the server's process (on loopback), as in an integration test.
// Alone: node --conditions=source bench/scenarios/api-revocation.ts [--rounds 100] [--sessions 5000]
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import express from 'express';
import { createClient } from 'redis';
import { importRealm, parseRealmJson } from '@sundown/server';
import { type LogoutStore, registerStream, SESSION_REVOKED } from '@sundown/rp';
import { backchannelLogoutRouter, requireBearerToken, securityEventPushRouter } from '@sundown/rp/express';
import { RedisLogoutStore } from '@sundown/rp/redis';
import { Jar } from '../lib/jar.ts';
import { percentile, startReceivers } from '../lib/receivers.ts';
import { adminLogoutAll, ADMIN_ENV, seedRealmSessions } from '../lib/sessions.ts';
import { type SigningRate, signingRate } from '../lib/signing-bound.ts';
import { startSundown, sundownSignIn } from '../lib/sundown.ts';

/** Keycloak's default access-token lifespan (realm accessTokenLifespan, seconds). */
export const KEYCLOAK_ACCESS_TOKEN_LIFESPAN_S = 300;
const API = 'orders-api';
const SECRET = 'Bearer bench-stream-secret';
const CB = 'https://web.bench/cb';
const SCOPES = ['ssf.read', 'ssf.manage'];
const now = () => performance.timeOrigin + performance.now();

export interface ApiRevocationRow {
  rounds: number;
  /** ms from the logout request until both API instances refuse the token. */
  viaSet: { p50: number; p95: number };
  viaBackchannel: { p50: number; p95: number };
  keycloakWaitMs: number;
  mass: { sessions: number; setsPerSecond: number; secondsToLastSet: number };
  signing: SigningRate;
}

function realm(o: { receiver?: boolean; backchannelUrl?: string }) {
  return {
    attributes: { backchannelLogoutAllowHttp: 'true', ...(o.receiver ? { 'ssf.transmitterEnabled': 'true' } : {}) },
    clientScopes: SCOPES.map((name) => ({ name, protocol: 'openid-connect', attributes: {} })),
    clients: [
      {
        clientId: 'web',
        secret: 'web-secret',
        redirectUris: [CB],
        attributes: o.backchannelUrl ? { 'backchannel.logout.url': o.backchannelUrl } : {},
        protocolMappers: [
          {
            name: 'api audience',
            protocol: 'openid-connect',
            protocolMapper: 'oidc-audience-mapper',
            config: { 'included.custom.audience': API, 'access.token.claim': 'true' },
          },
        ],
      },
      ...(o.receiver
        ? [
            {
              clientId: 'signals',
              secret: 'signals-secret',
              serviceAccountsEnabled: true,
              standardFlowEnabled: false,
              attributes: { 'ssf.enabled': 'true', 'ssf.validPushUrls': 'http://127.0.0.1:*' },
              optionalClientScopes: SCOPES,
            },
          ]
        : []),
    ],
    users: [{ username: 'u', credentials: [{ value: 'pw' }] }],
  };
}

async function listen(app: express.Express): Promise<{ base: string; close(): Promise<void> }> {
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function redisStore(url: string, prefix: string) {
  const client = createClient({ url });
  await client.connect();
  return { store: new RedisLogoutStore(client, { prefix }), close: () => client.quit().then(() => undefined) };
}

/** The app: its receiver (push endpoint and back-channel endpoint) and two API instances. */
async function startApp(issuer: string, redisUrl: string) {
  const prefix = `bench:api:${process.pid}:${Math.random().toString(36).slice(2)}:`;
  const stores = [
    await redisStore(redisUrl, prefix),
    await redisStore(redisUrl, prefix),
    await redisStore(redisUrl, prefix),
  ];
  const keys = new URL(`${issuer}/protocol/openid-connect/certs`);
  const receiverApp = express();
  const receiverStore: LogoutStore = stores[2]!.store;
  receiverApp.use(
    securityEventPushRouter({
      path: '/ssf/events',
      issuer,
      audience: 'signals',
      keys,
      store: receiverStore,
      authorizationHeader: SECRET,
    }),
  );
  receiverApp.use(backchannelLogoutRouter({ issuer, clientId: 'web', keys, store: receiverStore }));
  const receiver = await listen(receiverApp);
  const apis: Array<{ base: string; close(): Promise<void> }> = [];
  for (const s of stores.slice(0, 2)) {
    const app = express();
    app.use('/api', requireBearerToken({ issuer, audience: API, keys, store: s.store }));
    app.get('/api/orders', (_req, res) => void res.json({ orders: [] }));
    apis.push(await listen(app));
  }
  const call = async (base: string, token: string) => {
    const res = await fetch(`${base}/api/orders`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  };
  return {
    receiver,
    async bothAccept(token: string) {
      for (const api of apis)
        if ((await call(api.base, token)) !== 200) throw new Error('an API instance refused a live token');
    },
    async bothRefuse(token: string) {
      for (const api of apis) if ((await call(api.base, token)) !== 401) return false;
      return true;
    },
    async close() {
      for (const api of apis) await api.close();
      await receiver.close();
      for (const s of stores) await s.close();
    },
  };
}

/** p50/p95 of the time from the logout request until both API instances refuse the token. */
async function measureRevocation(rounds: number, channel: 'set' | 'backchannel', redisUrl: string) {
  // The realm needs the app's URL, and the app the issuer: start the server, then both.
  const s = await startSundown({ clients: [], users: [] }, { args: [] });
  try {
    const name = `rev${channel}`;
    const issuer = `${s.server.url}/realms/${name}`;
    const app = await startApp(issuer, redisUrl);
    try {
      await importRealm(
        s.server.store.db,
        parseRealmJson({
          ...realm(
            channel === 'set' ? { receiver: true } : { backchannelUrl: `${app.receiver.base}/backchannel-logout` },
          ),
          realm: name,
        }),
      );
      if (channel === 'set')
        await registerStream({
          issuer,
          clientId: 'signals',
          clientSecret: 'signals-secret',
          delivery: { method: 'push', endpointUrl: `${app.receiver.base}/ssf/events`, authorizationHeader: SECRET },
          eventsRequested: [SESSION_REVOKED],
        });
      const samples: number[] = [];
      const warmup = Math.min(5, Math.ceil(rounds / 10));
      for (let r = 0; r < rounds + warmup; r++) {
        const jar = new Jar();
        const tokens = await sundownSignIn(jar, issuer, 'web', CB, 'u', 'pw');
        await app.bothAccept(tokens.access_token!);
        const started = now();
        const res = await jar.fetch(
          `${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tokens.id_token! })}`,
        );
        await res.arrayBuffer();
        while (!(await app.bothRefuse(tokens.access_token!)))
          if (now() - started > 30_000) throw new Error('the APIs still accept the token after 30 s');
        if (r >= warmup) samples.push(now() - started);
      }
      samples.sort((a, b) => a - b);
      return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
    } finally {
      await app.close();
    }
  } finally {
    await s.close();
  }
}

/** SETs pushed per second when logout-all ends `sessions` sessions of a realm with one push stream. */
async function measureMassSets(sessions: number) {
  const receivers = await startReceivers(1);
  const s = await startSundown(realm({ receiver: true }), {
    env: ADMIN_ENV,
    configure: (config) => void (config.logout = { ...config.logout, concurrency: 64, perClientConcurrency: 32 }),
  });
  try {
    await registerStream({
      issuer: s.issuer,
      clientId: 'signals',
      clientSecret: 'signals-secret',
      delivery: { method: 'push', endpointUrl: receivers.urls[0]! },
      eventsRequested: [SESSION_REVOKED],
    });
    const logoutAll = await adminLogoutAll(s.server, s.realm);
    // Warm-up, not measured: one session's SET, so the realm's key and the connection exist.
    await seedRealmSessions(s.server.store, s.realm, 'warm', 1);
    await logoutAll();
    await receivers.waitForTotal(1, 30_000);
    receivers.arrivals.length = 0;
    await seedRealmSessions(s.server.store, s.realm, 'mass', sessions);
    const t0 = now();
    const ended = await logoutAll();
    if (ended !== sessions) throw new Error(`logout-all ended ${ended} sessions, expected ${sessions}`);
    await receivers.waitForTotal(sessions);
    const last = Math.max(...receivers.arrivals.map((a) => a.at));
    return { sessions, setsPerSecond: sessions / ((last - t0) / 1000), secondsToLastSet: (last - t0) / 1000 };
  } finally {
    await s.close();
    await receivers.close();
  }
}

export async function runApiRevocation(o: {
  rounds: number;
  sessions: number;
  redisUrl?: string;
}): Promise<ApiRevocationRow> {
  const redisUrl = o.redisUrl ?? process.env.SUNDOWN_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const viaSet = await measureRevocation(o.rounds, 'set', redisUrl);
  const viaBackchannel = await measureRevocation(o.rounds, 'backchannel', redisUrl);
  const mass = await measureMassSets(o.sessions);
  const signing = await signingRate('RS256', 1);
  return {
    rounds: o.rounds,
    viaSet,
    viaBackchannel,
    keycloakWaitMs: KEYCLOAK_ACCESS_TOKEN_LIFESPAN_S * 1000,
    mass,
    signing,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '100' }, sessions: { type: 'string', default: '5000' } },
  });
  const r = await runApiRevocation({ rounds: Number(values.rounds), sessions: Number(values.sessions) });
  const f = (x: number) => x.toFixed(1);
  console.log(`\nAPI revocation (issue 25), ${r.rounds} logouts, Node ${process.version}\n`);
  console.log('| measure | Sundown | Keycloak today / bound | ratio |');
  console.log('|---|---|---|---|');
  for (const [label, v] of [
    ['session-revoked SET', r.viaSet],
    ['back-channel logout', r.viaBackchannel],
  ] as const)
    console.log(
      `| logout → both API instances refuse the token (${label}), p50 ms (p95) | ${f(v.p50)} (${f(v.p95)}) | ${r.keycloakWaitMs} (token lifetime, up to) | ${(v.p95 / r.keycloakWaitMs).toExponential(1)} |`,
    );
  console.log(
    `| mass logout ${r.mass.sessions} sessions: session-revoked SETs pushed/s vs 1-core RS256 signing/s | ${r.mass.setsPerSecond.toFixed(0)} | ${r.signing.perSecond.toFixed(0)} (bound) | ${(r.mass.setsPerSecond / r.signing.perSecond).toFixed(2)} |`,
  );
  process.exit(0);
}
