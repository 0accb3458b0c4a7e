// `npm run bench`: every scenario against Sundown, its peer and the physical bounds on this
// machine, in one run, printed as one table of ratios, targets and PASS/MISS, and written to
// bench/results/ as JSON and Markdown.
// Usage: npm run bench [-- --quick] [-- --no-postgres] [-- --only tokens,drain] [-- --profile]
//   --only     comma-separated sections: fanout, mass, tokens, drain, rp, api, footprint
//   --profile  CPU-profile the server (main thread) in each measured phase (lib/profile.ts);
//              profiles go to bench/results/profiles/, and the numbers of the run are slowed
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { enableProfiling, profiles } from './lib/profile.ts';
import { type SigningRate, signingRate } from './lib/signing-bound.ts';
import { runApiRevocation } from './scenarios/api-revocation.ts';
import { runDrain } from './scenarios/drain.ts';
import { runDeadReceiver, runFanout } from './scenarios/fanout.ts';
import { buildServer, runFootprint } from './scenarios/footprint.ts';
import { runMassLogout } from './scenarios/mass-logout.ts';
import { runRpReceiver } from './scenarios/rp-receiver.ts';
import { runTokenEndpoint } from './scenarios/token-endpoint.ts';

const SECTIONS = ['fanout', 'mass', 'tokens', 'drain', 'rp', 'api', 'footprint'] as const;
type Section = (typeof SECTIONS)[number];
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-postgres': { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const quick = values.quick === true;
const postgres = values['no-postgres'] !== true;
const only = values.only === undefined ? [...SECTIONS] : values.only.split(',').map((s) => s.trim());
for (const s of only)
  if (!(SECTIONS as readonly string[]).includes(s))
    throw new Error(`--only: unknown section ${s} (one of ${SECTIONS.join(', ')})`);
const run = (s: Section) => only.includes(s);
if (values.profile === true) enableProfiling();
const cores = cpus().length;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const machine = {
  node: process.version,
  cores,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  date: new Date().toISOString(),
  quick,
  profiled: values.profile === true,
  only,
  loadAverage: { start: load(), sections: {} as Record<string, string> },
};
const log = (s: string) => process.stderr.write(`bench: ${s} (load average ${load()})\n`);

interface Row {
  scenario: string;
  sundown: string;
  'peer / bound': string;
  ratio: string;
  target: string;
  met: string;
}
const rows: Row[] = [];
const raw: Record<string, unknown> = {};
const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const r2 = (x: number) => x.toFixed(2);
const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const add = (
  scenario: string,
  sundown: string,
  peer: string,
  ratio: number | undefined,
  target?: { op: '≥' | '≤'; value: number; of?: string },
) =>
  rows.push({
    scenario,
    sundown,
    'peer / bound': peer,
    // A ratio far below 1 (a wait of milliseconds next to minutes) keeps its digits.
    ratio: ratio === undefined ? '—' : ratio !== 0 && Math.abs(ratio) < 0.01 ? ratio.toExponential(1) : r2(ratio),
    target: target ? `${target.op} ${r2(target.value)}${target.of ? ` × ${target.of}` : ''}` : '—',
    met: target && ratio !== undefined ? pass(target.op === '≥' ? ratio >= target.value : ratio <= target.value) : '—',
  });
const section = async (name: Section, label: string, fn: () => Promise<void>) => {
  if (!run(name)) return;
  log(label);
  const t = performance.now();
  await fn();
  machine.loadAverage.sections[name] = load();
  log(`${name} took ${f0((performance.now() - t) / 1000)} s`);
};

await section('fanout', 'logout fan-out latency', async () => {
  const fanout = await runFanout({ rounds: quick ? 30 : 100, ns: [1, 5, 10] });
  for (const r of fanout) {
    const fmt = (x: { p50: number; p95: number }) => `${f1(x.p50)} (${f1(x.p95)})`;
    add(`fan-out N=${r.n}, p50 ms (p95) vs oidc-provider`, fmt(r.sundown), fmt(r.peer), r.sundown.p50 / r.peer.p50);
    add(
      `fan-out N=${r.n}, p50 ms (p95) vs floor (sign ${r.n} RS256 at once + 1 loopback POST)`,
      fmt(r.sundown),
      `${fmt(r.floor)} (floor)`,
      r.sundown.p50 / r.floor.p50,
      r.n === 10 ? { op: '≤', value: 1.25, of: 'floor' } : undefined,
    );
  }
  const dead = await runDeadReceiver({ rounds: quick ? 2 : 5 });
  add(
    'browser logout, 1 of 10 receivers dead, ms (bound 2000)',
    f0(dead.sundown),
    `${f0(dead.peer)} (oidc-provider)`,
    dead.sundown / dead.sundownBoundMs,
    {
      op: '≤',
      value: 1.125,
      of: 'bound',
    },
  );
  raw.fanout = { fanout, dead };
});

await section('mass', 'mass logout', async () => {
  const mass = [];
  for (const alg of ['RS256', 'ES256'] as const) {
    const m = await runMassLogout({ sessions: quick ? 2000 : 10_000, clients: 5, alg, store: 'sqlite' });
    mass.push(m);
    add(
      `mass logout ${m.sessions}×${m.clients} ${alg}: sessions ended/s`,
      f0(m.sessionsEndedPerSecond),
      '—',
      undefined,
    );
    add(
      `mass logout ${m.sessions}×${m.clients} ${alg}: tokens delivered/s vs raw 1-core signing/s (jose one at a time ${f0(m.signing.joseWebCrypto)}, node:crypto 1 worker ${f0(m.signing.nodeCryptoWorkers)})`,
      f0(m.tokensPerSecond),
      `${f0(m.rawSigningPerSecond)} (bound)`,
      m.tokensPerSecond / m.rawSigningPerSecond,
      { op: '≥', value: 0.8, of: 'bound' },
    );
  }
  raw.mass = mass;
});

await section('tokens', 'token endpoint', async () => {
  const bound: SigningRate = await signingRate('RS256', 2);
  add(
    `raw RS256 signing/s, 2 cores (WebCrypto ${f0(bound.joseWebCrypto)}, node:crypto ×2 workers ${f0(bound.nodeCryptoWorkers)})`,
    '—',
    `${f0(bound.perSecond)} (bound)`,
    undefined,
  );
  const tokens = await runTokenEndpoint({ durationMs: quick ? 2000 : 6000, postgres });
  const peerJwt = tokens.find((t) => t.kind === 'peer-jwt')!;
  const peerOpaque = tokens.find((t) => t.kind === 'peer-opaque')!;
  for (const t of tokens.filter((x) => x.kind.startsWith('sundown'))) {
    const pg = t.kind === 'sundown-postgres';
    const store = pg ? 'PostgreSQL' : 'SQLite';
    const share = pg ? 0.45 : 0.6;
    const cc = t.clientCredentials;
    const rf = t.refresh;
    const lat = (r: typeof cc) => `${f0(r.perSecond)} (p50 ${f1(r.p50)} ms)`;
    add(
      `client credentials/s (${store}) vs oidc-provider RS256 JWT`,
      lat(cc),
      lat(peerJwt.clientCredentials),
      cc.perSecond / peerJwt.clientCredentials.perSecond,
      { op: '≥', value: 1 },
    );
    add(
      `client credentials/s (${store}) vs 2-core RS256 signing/s`,
      f0(cc.perSecond),
      `${f0(bound.perSecond)} (bound)`,
      cc.perSecond / bound.perSecond,
      {
        op: '≥',
        value: share,
        of: 'bound',
      },
    );
    add(
      `client credentials/s (${store}) vs oidc-provider opaque`,
      f0(cc.perSecond),
      f0(peerOpaque.clientCredentials.perSecond),
      cc.perSecond / peerOpaque.clientCredentials.perSecond,
    );
    add(
      `refresh/s (${store}) vs oidc-provider RS256 JWT (both: access + ID token)`,
      lat(rf),
      lat(peerJwt.refresh),
      rf.perSecond / peerJwt.refresh.perSecond,
      {
        op: '≥',
        value: 1,
      },
    );
    add(
      `refresh/s (${store}) vs half the 2-core RS256 signing/s`,
      f0(rf.perSecond),
      `${f0(bound.perSecond / 2)} (bound/2)`,
      rf.perSecond / (bound.perSecond / 2),
      { op: '≥', value: share, of: 'bound/2' },
    );
    add(
      `refresh/s (${store}) vs oidc-provider opaque`,
      f0(rf.perSecond),
      f0(peerOpaque.refresh.perSecond),
      rf.perSecond / peerOpaque.refresh.perSecond,
    );
    const st = t.statements!;
    const kinds = (k: Record<string, number>) =>
      Object.keys(k)
        .filter((x) => k[x]! >= 0.5)
        .map((x) => x.replace(' … ', ' ').replaceAll('"', ''))
        .join(', ');
    add(
      `SQL statements per client-credentials grant (${store})`,
      f1(st.clientCredentials.perOp),
      kinds(st.clientCredentials.byKind),
      undefined,
    );
    add(`SQL statements per refresh grant (${store})`, f1(st.refresh.perOp), kinds(st.refresh.byKind), undefined);
    if (t.signIns)
      add(
        `auth-code sign-ins/s end to end (${store}; argon2id m=19456 t=2 p=1 vs no password check)`,
        f1(t.signIns.perSecond),
        f1(peerOpaque.signIns?.perSecond ?? Number.NaN),
        t.signIns.perSecond / (peerOpaque.signIns?.perSecond ?? Number.NaN),
      );
  }
  raw.tokens = { bound, tokens };
});

await section('drain', 'requests during a mass-logout drain', async () => {
  const drains = [];
  for (const store of postgres ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const)) {
    const d = await runDrain({ store, sessions: 500, clients: 3, idleMs: quick ? 2000 : 4000 });
    drains.push(d);
    const st = store === 'postgres' ? 'PostgreSQL' : 'SQLite';
    add(
      `drain 500×3 (${st}): client credentials/s during drain vs idle`,
      f0(d.during.perSecond),
      `${f0(d.idle.perSecond)} (idle)`,
      d.during.perSecond / d.idle.perSecond,
      { op: '≥', value: 0.5, of: 'idle' },
    );
    add(
      `drain 500×3 (${st}): p99 ms during drain vs idle (p50)`,
      `${f1(d.during.p99)} (${f1(d.during.p50)})`,
      `${f1(d.idle.p99)} (${f1(d.idle.p50)}) (idle)`,
      d.during.p99 / d.idle.p99,
      { op: '≤', value: 3, of: 'idle' },
    );
    add(
      `drain 500×3 (${st}): SQL statements per logout token delivered${store === 'sqlite' ? ' (driver ms per token)' : ''}`,
      f1(d.perToken.total),
      Object.entries(d.perToken.byKind)
        .filter(([, v]) => v >= 0.05)
        .slice(0, 6)
        .map(
          ([k, v]) =>
            `${k.replace(' … ', ' ').replaceAll('"', '')} ${r2(v)}${store === 'sqlite' ? ` (${(d.perToken.msByKind[k] ?? 0).toFixed(3)} ms)` : ''}`,
        )
        .join(', '),
      undefined,
    );
    add(
      `drain 500×3 (${st}): drain ms under load vs without`,
      f0(d.drainLoadedMs),
      `${f0(d.drainIdleMs)} (no load)`,
      d.drainLoadedMs / d.drainIdleMs,
      {
        op: '≤',
        value: 1.5,
        of: 'no load',
      },
    );
  }
  raw.drain = drains;
});

await section('rp', 'RP receiver', async () => {
  const rp = await runRpReceiver({ requests: quick ? 3000 : 10_000 });
  add(
    'RP receiver: validated logout requests/s vs express-openid-connect',
    f0(rp.sundown),
    f0(rp.peer),
    rp.sundown / rp.peer,
    { op: '≥', value: 2 },
  );
  add(
    'RP receiver vs raw RS256 verify/s',
    f0(rp.sundown),
    `${f0(rp.verifyBound)} (bound)`,
    rp.sundown / rp.verifyBound,
    { op: '≥', value: 0.7, of: 'bound' },
  );
  raw.rp = rp;
});

await section('api', 'a logout reaches two API instances (Shared Signals, bearer guard, Redis)', async () => {
  const api = await runApiRevocation({ rounds: quick ? 30 : 100, sessions: quick ? 1000 : 5000 });
  const fmt = (x: { p50: number; p95: number }) => `${f1(x.p50)} (${f1(x.p95)})`;
  for (const [label, v] of [
    ['session-revoked SET pushed', api.viaSet],
    ['back-channel logout token', api.viaBackchannel],
  ] as const)
    add(
      `logout → both API instances refuse the old token (${label}), p50 ms (p95) vs Keycloak's token lifetime`,
      fmt(v),
      `${f0(api.keycloakWaitMs)} (exp, up to)`,
      v.p95 / api.keycloakWaitMs,
      { op: '≤', value: 0.01, of: 'exp' },
    );
  add(
    `mass logout ${api.mass.sessions} sessions: session-revoked SETs pushed/s vs raw 1-core RS256 signing/s`,
    f0(api.mass.setsPerSecond),
    `${f0(api.signing.perSecond)} (bound)`,
    api.mass.setsPerSecond / api.signing.perSecond,
    { op: '≥', value: 0.5, of: 'bound' },
  );
  raw.api = api;
});

await section('footprint', 'footprint', async () => {
  buildServer();
  const fpSources = await runFootprint({ sessions: quick ? 2000 : 10_000, mode: 'sources' });
  const fp = await runFootprint({ sessions: quick ? 2000 : 10_000, mode: 'built' });
  const limit = (scenario: string, value: number, sources: number, max?: number) =>
    rows.push({
      scenario,
      sundown: f0(value),
      'peer / bound': `${f0(sources)} (sources)`,
      ratio: '—',
      target: max === undefined ? '—' : `≤ ${max}`,
      met: max === undefined ? '—' : pass(value <= max),
    });
  limit('server start to ready, ms (built JS; TS sources)', fp.readyMs, fpSources.readyMs, 1000);
  limit('idle RSS, MB (built JS; TS sources)', fp.idleRssMb, fpSources.idleRssMb, 80);
  limit(`RSS after ${fp.sessions} active sessions, MB (built JS)`, fp.activeRssMb, fpSources.activeRssMb);
  raw.footprint = { fp, fpSources };
});

const head: Array<keyof Row> = ['scenario', 'sundown', 'peer / bound', 'ratio', 'target', 'met'];
const widths = head.map((h) => Math.max(h.length, ...rows.map((r) => r[h].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
const markdown = [
  `Sundown benchmarks — Node ${machine.node}, ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.date}${quick ? ' (quick run)' : ''}${machine.profiled ? ' (PROFILED: slowed by the CPU profiler)' : ''}`,
  `Load average at start ${machine.loadAverage.start}; after each section: ${Object.entries(
    machine.loadAverage.sections,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join('; ')}`,
  '',
  'Peers: oidc-provider 9 (in-memory adapter) for the provider rows, express-openid-connect for the RP receiver; bounds measured in the same run (bench/lib/signing-bound.ts). Ratio = Sundown ÷ peer (or ÷ bound, ÷ idle).',
  '',
  line(head),
  line(widths.map((w) => '-'.repeat(w))),
  ...rows.map((r) => line(head.map((h) => r[h]))),
  ...(profiles.length > 0
    ? [
        '',
        'CPU profiles (server main thread, self time):',
        ...profiles.map(
          (p) =>
            `- ${p.file}: busy ${p.busy}%; ${Object.entries(p.areas)
              .slice(0, 7)
              .map(([k, v]) => `${k} ${v}%`)
              .join(', ')}`,
        ),
      ]
    : []),
].join('\n');
console.log(`\n${markdown}\n`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const suffix = values.only === undefined ? '' : `-${only.join('-')}`;
writeFileSync(new URL(`./results/results${suffix}.md`, import.meta.url), `${markdown}\n`);
writeFileSync(
  new URL(`./results/results${suffix}.json`, import.meta.url),
  `${JSON.stringify({ machine, rows, profiles, raw }, null, 2)}\n`,
);
process.exit(0);
