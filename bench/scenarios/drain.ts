// Scenario 6 — requests stay fast while a mass logout drains. On one server: client-credentials
// load (concurrency 16, from a worker thread) runs idle for a few seconds, then a logout-all of
// 500 sessions × 3 clients is started under the same load; throughput and p50/p99 of the grants
// answered while the drain ran are compared with the idle window before it, and the drain
// (logout request → last token at its receiver) with the same drain run without load.
import { type Rate, startLoad } from '../lib/grant-load.ts';
import { profiled } from '../lib/profile.ts';
import { percentile, startReceivers } from '../lib/receivers.ts';
import { adminLogoutAll, ADMIN_ENV, seedRealmSessions } from '../lib/sessions.ts';
import { countStatements, type StatementCount } from '../lib/statements.ts';
import { startSundown } from '../lib/sundown.ts';

export interface Window {
  perSecond: number;
  p50: number;
  p99: number;
  count: number;
}

export interface DrainRow {
  store: 'sqlite' | 'postgres';
  sessions: number;
  clients: number;
  idle: Window;
  during: Window;
  drainIdleMs: number;
  drainLoadedMs: number;
  statuses: Rate['statuses'];
  /** Statements of the warm-up drain (no load), per logout token delivered; SQLite: driver ms per token. */
  perToken: { total: number; byKind: Record<string, number>; msByKind: Record<string, number> };
}

function window(samples: Array<[number, number]>, from: number, to: number): Window {
  const lat = samples
    .filter(([end]) => end >= from && end <= to)
    .map(([, l]) => l)
    .sort((a, b) => a - b);
  return {
    perSecond: lat.length / ((to - from) / 1000),
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    count: lat.length,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDrain(o: {
  store: 'sqlite' | 'postgres';
  sessions: number;
  clients: number;
  idleMs: number;
}): Promise<DrainRow> {
  const { sessions: S, clients: C } = o;
  const receivers = await startReceivers(C);
  const s = await startSundown(
    {
      clients: [
        { clientId: 'svc', secret: 'svc-secret', standardFlowEnabled: false, serviceAccountsEnabled: true },
        ...receivers.urls.map((url, i) => ({
          clientId: `c${i}`,
          secret: `s${i}`,
          redirectUris: [`https://c${i}.example/cb`],
          attributes: { 'backchannel.logout.url': url },
        })),
      ],
      users: [{ username: 'u' }],
    },
    { store: o.store, env: ADMIN_ENV },
  );
  const logoutAll = await adminLogoutAll(s.server, s.realm);
  const tokenUrl = `${s.issuer}/protocol/openid-connect/token`;
  const authorization = `Basic ${Buffer.from('svc:svc-secret').toString('base64')}`;
  const drain = async (prefix: string): Promise<{ t0: number; t2: number }> => {
    await seedRealmSessions(s.server.store, s.realm, prefix, S);
    const before = receivers.arrivals.length;
    const t0 = performance.timeOrigin + performance.now();
    await logoutAll();
    await receivers.waitForTotal(before + S * C, 120_000);
    return { t0, t2: Math.max(...receivers.arrivals.slice(before).map((a) => a.at)) };
  };

  // Warm-up: the signing key exists, the code paths are compiled.
  // Counted, so it is not one of the compared drains.
  const { count } = await countStatements(() => drain('warm-up'));
  const warm = startLoad({ tokenUrl, authorization, mode: 'client_credentials', durationMs: 1000 });
  await warm.done;

  // The drain without load.
  const quiet = await drain('quiet');

  // Load: an idle window, then the same drain under it.
  const loadRun = startLoad({
    tokenUrl,
    authorization,
    mode: 'client_credentials',
    durationMs: 600_000,
    samples: true,
  });
  await loadRun.started;
  await sleep(500);
  const idleFrom = performance.timeOrigin + performance.now();
  await sleep(o.idleMs);
  const loaded = await profiled(`drain-${o.store}`, () => drain('loaded'));
  loadRun.stop();
  const rate = await loadRun.done;
  await s.close();
  await receivers.close();
  const samples = rate.samples ?? [];
  return {
    store: o.store,
    sessions: S,
    clients: C,
    idle: window(samples, idleFrom, loaded.t0),
    during: window(samples, loaded.t0, loaded.t2),
    drainIdleMs: quiet.t2 - quiet.t0,
    drainLoadedMs: loaded.t2 - loaded.t0,
    statuses: rate.statuses,
    perToken: perToken(count, S * C),
  };
}

function perToken(c: StatementCount, tokens: number): DrainRow['perToken'] {
  const per = (r: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(r)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, Math.round((1000 * v) / tokens) / 1000]),
    );
  return { total: c.total / tokens, byKind: per(c.byKind), msByKind: per(c.msByKind) };
}
