// Scenario 3 — the token endpoint: client-credentials and refresh-token grants per second at
// concurrency 16; Sundown on SQLite and on PostgreSQL (a throwaway database), issuing RS256 JWT
// access tokens (and an RS256 ID token on refresh, so two signatures), next to oidc-provider
// configured to issue RS256 JWT access tokens too (resource indicators, accessTokenFormat 'jwt',
// a default resource, useGrantedResource — like with like) and, as a second line, oidc-provider
// issuing opaque access tokens (its default). Also the SQL statements per grant (counted at the
// drivers, see lib/statements.ts) and authorization-code sign-ins per second end to end.
import { Jar } from '../lib/jar.ts';
import { load, type Rate } from '../lib/grant-load.ts';
import { peerSignIn, startOidcProvider } from '../lib/oidc-provider.ts';
import { profiled } from '../lib/profile.ts';
import { statementsPer } from '../lib/statements.ts';
import { startSundown, sundownSignIn } from '../lib/sundown.ts';

export interface TokenRow {
  target: string;
  kind: 'sundown-sqlite' | 'sundown-postgres' | 'peer-jwt' | 'peer-opaque';
  refresh: Rate;
  clientCredentials: Rate;
  signIns?: Rate;
  statements?: {
    clientCredentials: { perOp: number; byKind: Record<string, number> };
    refresh: { perOp: number; byKind: Record<string, number> };
  };
}

const CONCURRENCY = 16;
const basic = (id: string) => `Basic ${Buffer.from(`${id}:${id}-secret`).toString('base64')}`;
const RESOURCE = 'https://api.bench';

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
  return {
    perSecond: count / ((performance.now() - started) / 1000),
    p50: Number.NaN,
    p99: Number.NaN,
    statuses: { 200: count },
  };
}

async function grant(tokenUrl: string, authorization: string, body: string): Promise<Record<string, string>> {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    body,
  });
  const json = (await res.json()) as Record<string, string>;
  if (!res.ok) throw new Error(`grant answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

async function sundownRow(store: 'sqlite' | 'postgres', durationMs: number, signIns: boolean): Promise<TokenRow> {
  const s = await startSundown(
    {
      clients: [
        { clientId: 'svc', secret: 'svc-secret', standardFlowEnabled: false, serviceAccountsEnabled: true },
        {
          clientId: 'app',
          secret: 'app-secret',
          directAccessGrantsEnabled: true,
          redirectUris: ['https://app.bench/cb'],
        },
      ],
      users: [{ username: 'u', credentials: [{ value: 'pw' }] }],
    },
    { store },
  );
  const tokenUrl = `${s.issuer}/protocol/openid-connect/token`;
  const password = () => grant(tokenUrl, basic('app'), 'grant_type=password&username=u&password=pw&scope=openid');
  const refreshTokens: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) refreshTokens.push((await password()).refresh_token!);
  await load({ tokenUrl, authorization: basic('svc'), mode: 'client_credentials', durationMs: 1000 }); // warm-up
  const clientCredentials = await profiled(`token-${store}-client-credentials`, () =>
    load({ tokenUrl, authorization: basic('svc'), mode: 'client_credentials', durationMs }),
  );
  const refresh = await profiled(`token-${store}-refresh`, () =>
    load({ tokenUrl, authorization: basic('app'), mode: 'refresh_token', refreshTokens, durationMs }),
  );
  // Statements per grant: sequential grants from this thread while the drivers are counted.
  const cc = await statementsPer(
    100,
    async () => void (await grant(tokenUrl, basic('svc'), 'grant_type=client_credentials')),
  );
  let rt = (await password()).refresh_token!;
  const rf = await statementsPer(100, async () => {
    rt = (
      await grant(
        tokenUrl,
        basic('app'),
        new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rt }).toString(),
      )
    ).refresh_token!;
  });
  const signInsRate = signIns
    ? await signInRate(
        durationMs,
        async () => void (await sundownSignIn(new Jar(), s.issuer, 'app', 'https://app.bench/cb', 'u', 'pw')),
      )
    : undefined;
  await s.close();
  return {
    target: `Sundown (${store}, RS256 JWT access tokens)`,
    kind: `sundown-${store}`,
    refresh,
    clientCredentials,
    ...(signInsRate ? { signIns: signInsRate } : {}),
    statements: { clientCredentials: cc, refresh: rf },
  };
}

async function peerRow(durationMs: number, format: 'jwt' | 'opaque', signIns: boolean): Promise<TokenRow> {
  const features: Record<string, unknown> = { clientCredentials: { enabled: true } };
  if (format === 'jwt') {
    // RFC 8707 resource indicators: every token is for the one resource server, which takes
    // RS256 JWT access tokens; the authorization's granted resource carries over to refreshes.
    features.resourceIndicators = {
      enabled: true,
      defaultResource: async () => RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: 'api',
        audience: RESOURCE,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    };
  }
  const peer = await startOidcProvider(
    [
      {
        client_id: 'svc',
        client_secret: 'svc-secret',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
      {
        client_id: 'app',
        client_secret: 'app-secret',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['https://app.bench/cb'],
      },
    ],
    features,
    { issueRefreshToken: async () => true, scopes: ['openid', 'offline_access'] },
    format === 'jwt' ? RESOURCE : undefined,
  );
  const tokenUrl = `${peer.issuer}/token`;
  const ccBody = format === 'jwt' ? 'grant_type=client_credentials&scope=api' : 'grant_type=client_credentials';
  const scope = format === 'jwt' ? 'openid offline_access api' : 'openid offline_access';
  const refreshTokens: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++)
    refreshTokens.push((await peerSignIn(new Jar(), peer.issuer, 'app', 'https://app.bench/cb', scope)).refresh_token!);
  // Check the format once, so that the row compares what it says it compares.
  const cc = await grant(tokenUrl, basic('svc'), ccBody);
  const isJwt = cc.access_token!.split('.').length === 3;
  if (isJwt !== (format === 'jwt'))
    throw new Error(
      `oidc-provider issued ${isJwt ? 'a JWT' : 'an opaque'} client-credentials access token, expected ${format}`,
    );
  // Refresh first, with no client-credentials warm-up: the quick-start in-memory adapter is an
  // LRU that thousands of client-credentials tokens would evict the grants from.
  const refresh = await profiled(`token-peer-${format}-refresh`, () =>
    load({ tokenUrl, authorization: basic('app'), mode: 'refresh_token', refreshTokens, durationMs }),
  );
  const clientCredentials = await profiled(`token-peer-${format}-client-credentials`, () =>
    load({ tokenUrl, authorization: basic('svc'), mode: 'client_credentials', body: ccBody, durationMs }),
  );
  const signInsRate = signIns
    ? await signInRate(
        durationMs,
        async () => void (await peerSignIn(new Jar(), peer.issuer, 'app', 'https://app.bench/cb')),
      )
    : undefined;
  await peer.close();
  return {
    target: `oidc-provider (in-memory adapter, ${format === 'jwt' ? 'RS256 JWT' : 'opaque'} access tokens)`,
    kind: `peer-${format}`,
    refresh,
    clientCredentials,
    ...(signInsRate ? { signIns: signInsRate } : {}),
  };
}

export async function runTokenEndpoint(opts: { durationMs: number; postgres: boolean }): Promise<TokenRow[]> {
  const rows = [await sundownRow('sqlite', opts.durationMs, true)];
  if (opts.postgres) rows.push(await sundownRow('postgres', opts.durationMs, false));
  rows.push(await peerRow(opts.durationMs, 'jwt', false));
  rows.push(await peerRow(opts.durationMs, 'opaque', true));
  return rows;
}
