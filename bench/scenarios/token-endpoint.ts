// Scenario 3 — the token endpoint: refresh-token and client-credentials grants per second at
// concurrency 16, Sundown on SQLite and on PostgreSQL, and oidc-provider with its in-memory
// adapter; plus authorization-code sign-ins per second end to end.
// Token formats: Sundown issues RS256 JWT access tokens (and rotates refresh tokens);
// oidc-provider issues opaque access tokens by default (and rotates refresh tokens).
import { Worker } from 'node:worker_threads';
import { Jar } from '../lib/jar.ts';
import { peerSignIn, startOidcProvider } from '../lib/oidc-provider.ts';
import { startSundown, sundownSignIn } from '../lib/sundown.ts';

export interface Rate {
  perSecond: number;
  statuses: Record<string, number>;
  firstError?: string;
}

export interface TokenRow {
  target: string;
  refresh: Rate;
  clientCredentials: Rate;
  signIns: Rate;
}

const CONCURRENCY = 16;
const basic = (id: string) => `Basic ${Buffer.from(`${id}:${id}-secret`).toString('base64')}`;

function load(tokenUrl: string, authorization: string, mode: 'client_credentials' | 'refresh_token', refreshTokens: string[], durationMs: number): Promise<Rate> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../lib/grant-worker.ts', import.meta.url), { workerData: { tokenUrl, authorization, mode, refreshTokens, concurrency: CONCURRENCY, durationMs } });
    worker.once('message', (m: { count: number; seconds: number; statuses: Record<string, number>; firstError?: string }) => {
      void worker.terminate();
      resolve({ perSecond: m.count / m.seconds, statuses: m.statuses, ...(m.firstError ? { firstError: m.firstError } : {}) });
    });
    worker.once('error', reject);
  });
}

async function signInRate(durationMs: number, signIn: () => Promise<void>): Promise<Rate> {
  const until = performance.now() + durationMs;
  const started = performance.now();
  let count = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < until) {
        await signIn();
        count++;
      }
    }),
  );
  return { perSecond: count / ((performance.now() - started) / 1000), statuses: { 200: count } };
}

async function sundownRow(store: 'sqlite' | 'postgres', durationMs: number): Promise<TokenRow> {
  const s = await startSundown(
    {
      clients: [
        { clientId: 'svc', secret: 'svc-secret', standardFlowEnabled: false, serviceAccountsEnabled: true },
        { clientId: 'app', secret: 'app-secret', directAccessGrantsEnabled: true, redirectUris: ['https://app.bench/cb'] },
      ],
      users: [{ username: 'u', credentials: [{ value: 'pw' }] }],
    },
    { store },
  );
  const tokenUrl = `${s.issuer}/protocol/openid-connect/token`;
  const refreshTokens: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const res = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('app') }, body: 'grant_type=password&username=u&password=pw&scope=openid' });
    refreshTokens.push(((await res.json()) as { refresh_token: string }).refresh_token);
  }
  await load(tokenUrl, basic('svc'), 'client_credentials', [], 1000); // warm-up
  const refresh = await load(tokenUrl, basic('app'), 'refresh_token', refreshTokens, durationMs);
  const clientCredentials = await load(tokenUrl, basic('svc'), 'client_credentials', [], durationMs);
  const signIns = await signInRate(durationMs, async () => void (await sundownSignIn(new Jar(), s.issuer, 'app', 'https://app.bench/cb', 'u', 'pw')));
  await s.close();
  return { target: `Sundown (${store}, JWT RS256 access tokens)`, refresh, clientCredentials, signIns };
}

async function peerRow(durationMs: number): Promise<TokenRow> {
  const peer = await startOidcProvider(
    [
      { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
      { client_id: 'app', client_secret: 'app-secret', grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://app.bench/cb'] },
    ],
    { clientCredentials: { enabled: true } },
    { issueRefreshToken: async () => true, scopes: ['openid', 'offline_access'] },
  );
  const tokenUrl = `${peer.issuer}/token`;
  const refreshTokens: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) refreshTokens.push((await peerSignIn(new Jar(), peer.issuer, 'app', 'https://app.bench/cb', 'openid offline_access')).refresh_token!);
  // Refresh first: the quick-start in-memory adapter is an LRU that thousands of client
  // credentials tokens would evict the grants from.
  const refresh = await load(tokenUrl, basic('app'), 'refresh_token', refreshTokens, durationMs);
  const clientCredentials = await load(tokenUrl, basic('svc'), 'client_credentials', [], durationMs);
  const signIns = await signInRate(durationMs, async () => void (await peerSignIn(new Jar(), peer.issuer, 'app', 'https://app.bench/cb')));
  await peer.close();
  return { target: 'oidc-provider (in-memory adapter, opaque access tokens, no password hashing)', refresh, clientCredentials, signIns };
}

export async function runTokenEndpoint(opts: { durationMs: number; postgres: boolean }): Promise<TokenRow[]> {
  const rows = [await sundownRow('sqlite', opts.durationMs)];
  if (opts.postgres) rows.push(await sundownRow('postgres', opts.durationMs));
  rows.push(await peerRow(opts.durationMs));
  return rows;
}
