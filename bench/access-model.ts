// Issue 23's cost of Keycloak's authorization model in every token:
//   node --conditions=source bench/access-model.ts [--store sqlite|postgres] [--ms 3000] [--sizes 10,1000,10000]
// One Sundown server, one run, back to back:
// 1. Before/after: client-credentials and refresh grants per second for a bare client (no
//    scopes, no mappers, no roles: what a token cost before the model) and a realistic one
//    (5 default client scopes, 8 protocol mappers of its own, a service account and a user in 3
//    groups — one 3 deep — holding composites): six short pairs at concurrency 16 (the median
//    pair ratio), and one grant at a time alternating request by request (the p50s), so the
//    machine's drift hits both sides alike. Issue 23's "Done means": within 10 % of the bare rate.
// 2. Realm size: the realistic client's grants per second in realms of 10, 1,000 and 10,000
//    roles (a tenth of them composites of nine), groups 3 deep, the same 8 mappers; the user's
//    roles stay ~50, so this is the cost of the realm, not of a bigger token; plus a service
//    account holding 1,000 roles (a token carrying them all).
// 3. Cached vs cold model: one grant at a time, warm (model and claim plan cached for the
//    configuration version) and cold (a role's description changed by SQL just before, as any
//    tool or process may: the model is rebuilt and the plan recompiled on that grant).
// Next to the physical bound: RS256 signatures per second on one core (jose and node:crypto,
// lib/signing-bound.ts) — a client-credentials grant signs one token.
import { parseArgs } from 'node:util';
import { accessRealm as realm } from './lib/access-realm.ts';
import { load, type Rate } from './lib/grant-load.ts';
import { signingRate } from './lib/signing-bound.ts';
import { startSundown, type SundownBench } from './lib/sundown.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    ms: { type: 'string', default: '3000' },
    sizes: { type: 'string', default: '10,1000,10000' },
  },
});
const store = values.store === 'postgres' ? 'postgres' : 'sqlite';
const durationMs = Number(values.ms);
const sizes = values.sizes.split(',').map(Number);
const basic = (id: string) => `Basic ${Buffer.from(`${id}:${id}-secret`).toString('base64')}`;
const log = (s: string) => process.stderr.write(`access-model: ${s}\n`);

async function grant(tokenUrl: string, clientId: string, body: string): Promise<Record<string, string>> {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId) },
    body,
  });
  const json = (await res.json()) as Record<string, string>;
  if (!res.ok) throw new Error(`${clientId}: grant answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

interface Measured {
  rate: Rate;
  /** The server thread's CPU per grant, ms (process.threadCpuUsage: this process is the server). */
  cpuMs: number;
  tokenBytes: number;
  /** Roles the access token carries (realm_access and resource_access). */
  roles: number;
}

function rolesIn(jwt: string | undefined): number {
  if (!jwt) return 0;
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as {
    realm_access?: { roles: string[] };
    resource_access?: Record<string, { roles: string[] }>;
  };
  return (
    (payload.realm_access?.roles.length ?? 0) +
    Object.values(payload.resource_access ?? {}).reduce((n, c) => n + c.roles.length, 0)
  );
}

async function measure(
  s: SundownBench,
  clientId: string,
  mode: 'client_credentials' | 'refresh_token',
  user = 'u',
  ms = durationMs,
): Promise<Measured> {
  const tokenUrl = `${s.issuer}/protocol/openid-connect/token`;
  const refreshTokens: string[] = [];
  if (mode === 'refresh_token')
    for (let i = 0; i < 16; i++)
      refreshTokens.push(
        (await grant(tokenUrl, clientId, `grant_type=password&username=${user}&password=pw&scope=openid`))
          .refresh_token!,
      );
  const sample = await grant(tokenUrl, clientId, 'grant_type=client_credentials').catch(() => null);
  const thread0 = process.threadCpuUsage();
  const rate = await load({ tokenUrl, authorization: basic(clientId), mode, refreshTokens, durationMs: ms });
  const thread = process.threadCpuUsage(thread0);
  if (rate.firstError) throw new Error(`${clientId} ${mode}: ${rate.firstError}`);
  const grants = rate.perSecond * (ms / 1000);
  return {
    rate,
    cpuMs: (thread.user + thread.system) / 1000 / grants,
    tokenBytes: sample?.access_token?.length ?? 0,
    roles: rolesIn(sample?.access_token),
  };
}

/** p50 of one-at-a-time client-credentials grants, warm, and cold (after a configuration write). */
async function coldWarm(s: SundownBench, clientId: string, rounds: number): Promise<{ warm: number; cold: number }> {
  const tokenUrl = `${s.issuer}/protocol/openid-connect/token`;
  const db = s.server.store.db;
  const warm: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Any write to a configuration table bumps the version (migration 0015's triggers).
    await db
      .updateTable('role')
      .set({ description: `round ${i}` })
      .where('name', '=', 'r1')
      .execute();
    let t = performance.now();
    await grant(tokenUrl, clientId, 'grant_type=client_credentials');
    cold.push(performance.now() - t);
    t = performance.now();
    await grant(tokenUrl, clientId, 'grant_type=client_credentials');
    warm.push(performance.now() - t);
  }
  return { warm: median(warm), cold: median(cold) };
}

const rows: string[][] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f0 = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const f2 = (x: number) => x.toFixed(2);

log('signing bound (RS256, one core)');
const bound = await signingRate('RS256', 1, 1500);
const signMs = 1000 / bound.perSecond;

// 1. Before / after on the 10-role realm.
log('before/after');
const small = await startSundown(realm(10), { store });
{
  await load({
    tokenUrl: `${small.issuer}/protocol/openid-connect/token`,
    authorization: basic('svc'),
    mode: 'client_credentials',
    durationMs: 1000,
  });
  for (const mode of ['client_credentials', 'refresh_token'] as const) {
    // Six short pairs instead of two long runs: the machine's load moves both sides of a pair
    // alike, and the median pair ratio is the figure.
    const runs: Record<'bare' | 'realistic', Measured[]> = { bare: [], realistic: [] };
    for (let round = 0; round < 6; round++) {
      const bareId = mode === 'client_credentials' ? 'bare-svc' : 'bare-app';
      runs.bare.push(await measure(small, bareId, mode, 'bare-u', durationMs / 2));
      runs.realistic.push(
        await measure(small, mode === 'client_credentials' ? 'svc' : 'app', mode, 'u', durationMs / 2),
      );
    }
    const mean = (ms: Measured[], f: (m: Measured) => number) => ms.reduce((a, m) => a + f(m), 0) / ms.length;
    const ratio = median(runs.realistic.map((m, i) => m.rate.perSecond / runs.bare[i]!.rate.perSecond));
    rows.push([
      `${mode} grants/s at concurrency 16: realistic client (5 scopes, 8 mappers, 3 groups, composites) vs bare client, median of 6 pairs`,
      `${f0(mean(runs.realistic, (m) => m.rate.perSecond))}/s (server thread CPU ${f2(mean(runs.realistic, (m) => m.cpuMs))} ms/grant)`,
      `bare ${f0(mean(runs.bare, (m) => m.rate.perSecond))}/s (CPU ${f2(mean(runs.bare, (m) => m.cpuMs))} ms/grant)`,
      f2(ratio),
      `≥ 0.90: ${ratio >= 0.9 ? 'PASS' : 'MISS'}`,
    ]);
  }
  // One grant at a time, bare and realistic alternating request by request: the steadiest measure
  // on a shared machine; the ratio of the p50s is the ratio of one-at-a-time rates.
  const tokenUrl = `${small.issuer}/protocol/openid-connect/token`;
  const one = async (clientId: string) => {
    const t = performance.now();
    await grant(tokenUrl, clientId, 'grant_type=client_credentials');
    return performance.now() - t;
  };
  const seq = { bare: [] as number[], realistic: [] as number[] };
  for (let i = 0; i < 800; i++) {
    const bare = await one('bare-svc');
    const real = await one('svc');
    if (i < 100) continue; // warm-up
    seq.bare.push(bare);
    seq.realistic.push(real);
  }
  const ratio = median(seq.bare) / median(seq.realistic);
  rows.push([
    'client_credentials one at a time, bare and realistic alternating per request (700 each): p50',
    `${f2(median(seq.realistic))} ms`,
    `bare ${f2(median(seq.bare))} ms`,
    f2(ratio),
    `≥ 0.90: ${ratio >= 0.9 ? 'PASS' : 'MISS'}`,
  ]);
}
await small.close();

// 2 and 3. Realm size; cached vs cold model.
for (const n of sizes) {
  log(`realm of ${n} roles: import`);
  const t0 = performance.now();
  const s = await startSundown(realm(n), { store });
  const importMs = performance.now() - t0;
  await load({
    tokenUrl: `${s.issuer}/protocol/openid-connect/token`,
    authorization: basic('svc'),
    mode: 'client_credentials',
    durationMs: 1000,
  });
  log(`realm of ${n} roles: load`);
  const cc = await measure(s, 'svc', 'client_credentials');
  rows.push([
    `client_credentials, realm of ${f0(n)} roles (import ${f0(importMs)} ms), ${cc.roles} roles in the token (${f0(cc.tokenBytes)} B)`,
    `${f0(cc.rate.perSecond)}/s (CPU ${f2(cc.cpuMs)} ms/grant)`,
    `RS256 sign ${f0(bound.perSecond)}/s (${f2(signMs)} ms)`,
    f2(cc.rate.perSecond / bound.perSecond),
    '',
  ]);
  if (n >= 1000) {
    const big = await measure(s, 'big-svc', 'client_credentials');
    rows.push([
      `client_credentials, realm of ${f0(n)} roles, ${f0(big.roles)} roles in the token (${f0(big.tokenBytes)} B)`,
      `${f0(big.rate.perSecond)}/s (CPU ${f2(big.cpuMs)} ms/grant)`,
      `RS256 sign ${f0(bound.perSecond)}/s (${f2(signMs)} ms)`,
      f2(big.rate.perSecond / bound.perSecond),
      '',
    ]);
  }
  log(`realm of ${n} roles: cold vs warm`);
  const cw = await coldWarm(s, 'svc', n >= 10_000 ? 15 : 30);
  rows.push([
    `one grant at a time, realm of ${f0(n)} roles: cold model (after a write) vs cached`,
    `cold p50 ${f2(cw.cold)} ms`,
    `cached p50 ${f2(cw.warm)} ms`,
    f2(cw.cold / cw.warm),
    '',
  ]);
  await s.close();
}

const header = ['scenario', 'Sundown', 'peer / bound', 'ratio', 'target'];
console.log(`\nAccess model (issue 23), ${store}, ${process.version}, ${durationMs} ms per load, concurrency 16\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(
  `\nRS256 bound: jose ${f0(bound.joseWebCrypto)}/s, node:crypto worker ${f0(bound.nodeCryptoWorkers)}/s (the faster is the bound).`,
);
