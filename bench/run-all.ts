// `npm run bench`: every scenario against Sundown and its peer on this machine, in one run,
// printed as one table of ratios and targets, and written to bench/results/ as JSON and Markdown.
// Usage: npm run bench [-- --quick] [-- --no-postgres]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { buildServer, runFootprint } from './scenarios/footprint.ts';
import { runDeadReceiver, runFanout } from './scenarios/fanout.ts';
import { runMassLogout } from './scenarios/mass-logout.ts';
import { runRpReceiver } from './scenarios/rp-receiver.ts';
import { runTokenEndpoint } from './scenarios/token-endpoint.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'no-postgres': { type: 'boolean', default: false } } });
const quick = values.quick === true;
const postgres = values['no-postgres'] !== true;
const cores = cpus().length;
const machine = { node: process.version, cores, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), date: new Date().toISOString(), quick };
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

interface Row {
  scenario: string;
  sundown: string;
  peer: string;
  ratio: string;
  target: string;
  met: string;
}
const rows: Row[] = [];
const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const yes = (ok: boolean) => (ok ? 'yes' : 'NO');

log('1/5 logout fan-out latency');
const fanout = await runFanout({ rounds: quick ? 30 : 200, ns: [1, 5, 10] });
for (const r of fanout) {
  rows.push({ scenario: `fan-out N=${r.n}, p50 ms (p95)`, sundown: `${f1(r.sundown.p50)} (${f1(r.sundown.p95)})`, peer: `${f1(r.peer.p50)} (${f1(r.peer.p95)})`, ratio: (r.sundown.p50 / r.peer.p50).toFixed(2), target: r.n === 10 ? '≤ 0.50' : '—', met: r.n === 10 ? yes(r.sundown.p50 / r.peer.p50 <= 0.5) : '—' });
}
const dead = await runDeadReceiver({ rounds: quick ? 2 : 5 });
rows.push({ scenario: 'browser logout, 1 of 10 receivers dead, ms', sundown: f0(dead.sundown), peer: f0(dead.peer), ratio: (dead.sundown / dead.peer).toFixed(2), target: `≤ bound ${dead.sundownBoundMs}`, met: yes(dead.sundown <= dead.sundownBoundMs + 250) });

log('2/5 mass logout');
const mass = [];
for (const alg of ['RS256', 'ES256'] as const) {
  const m = await runMassLogout({ sessions: quick ? 2000 : 10_000, clients: 5, alg, store: 'sqlite' });
  mass.push(m);
  rows.push({ scenario: `mass logout ${m.sessions}×${m.clients} ${alg}: sessions/s ended`, sundown: f0(m.sessionsEndedPerSecond), peer: '—', ratio: '—', target: '—', met: '—' });
  rows.push({ scenario: `mass logout ${alg}: tokens/s delivered vs raw signing/s`, sundown: f0(m.tokensPerSecond), peer: `${f0(m.rawSigningPerSecond)} (bound)`, ratio: (m.tokensPerSecond / m.rawSigningPerSecond).toFixed(2), target: '≥ 0.80', met: yes(m.tokensPerSecond / m.rawSigningPerSecond >= 0.8) });
}

log('3/5 token endpoint');
const tokens = await runTokenEndpoint({ durationMs: quick ? 2000 : 8000, postgres });
const peerTokens = tokens.at(-1)!;
for (const t of tokens.slice(0, -1)) {
  const store = t.target.includes('postgres') ? 'PostgreSQL' : 'SQLite';
  rows.push({ scenario: `refresh grants/s (${store})`, sundown: f0(t.refresh.perSecond), peer: f0(peerTokens.refresh.perSecond), ratio: (t.refresh.perSecond / peerTokens.refresh.perSecond).toFixed(2), target: `≥ 0.50 and ≥ ${480 * cores}/s`, met: yes(t.refresh.perSecond / peerTokens.refresh.perSecond >= 0.5 && t.refresh.perSecond >= 480 * cores) });
  rows.push({ scenario: `client-credentials grants/s (${store})`, sundown: f0(t.clientCredentials.perSecond), peer: f0(peerTokens.clientCredentials.perSecond), ratio: (t.clientCredentials.perSecond / peerTokens.clientCredentials.perSecond).toFixed(2), target: `≥ 0.50 and ≥ ${480 * cores}/s`, met: yes(t.clientCredentials.perSecond / peerTokens.clientCredentials.perSecond >= 0.5 && t.clientCredentials.perSecond >= 480 * cores) });
}
const sqliteTokens = tokens[0]!;
rows.push({ scenario: 'auth-code sign-ins/s end to end', sundown: f1(sqliteTokens.signIns.perSecond), peer: f1(peerTokens.signIns.perSecond), ratio: (sqliteTokens.signIns.perSecond / peerTokens.signIns.perSecond).toFixed(2), target: '— (argon2id m=19456 t=2 p=1 vs none)', met: '—' });

log('4/5 RP receiver');
const rp = await runRpReceiver({ requests: quick ? 3000 : 10_000 });
rows.push({ scenario: 'RP receiver: validated logout requests/s', sundown: f0(rp.sundown), peer: f0(rp.peer), ratio: (rp.sundown / rp.peer).toFixed(2), target: '≥ 2.00', met: yes(rp.sundown / rp.peer >= 2) });
rows.push({ scenario: 'RP receiver vs raw RS256 verify/s', sundown: f0(rp.sundown), peer: `${f0(rp.verifyBound)} (bound)`, ratio: (rp.sundown / rp.verifyBound).toFixed(2), target: '≥ 0.70', met: yes(rp.sundown / rp.verifyBound >= 0.7) });

log('5/5 footprint');
buildServer();
const fpSources = await runFootprint({ sessions: quick ? 2000 : 10_000, mode: 'sources' });
const fp = await runFootprint({ sessions: quick ? 2000 : 10_000, mode: 'built' });
rows.push({ scenario: 'server start to ready, ms (built JS; TS sources)', sundown: f0(fp.readyMs), peer: `${f0(fpSources.readyMs)} (sources)`, ratio: (fp.readyMs / fpSources.readyMs).toFixed(2), target: '≤ 1000', met: yes(fp.readyMs <= 1000) });
rows.push({ scenario: 'idle RSS, MB (built JS; TS sources)', sundown: f0(fp.idleRssMb), peer: `${f0(fpSources.idleRssMb)} (sources)`, ratio: (fp.idleRssMb / fpSources.idleRssMb).toFixed(2), target: '≤ 80', met: yes(fp.idleRssMb <= 80) });
rows.push({ scenario: `RSS after ${fp.sessions} active sessions, MB (built JS)`, sundown: f0(fp.activeRssMb), peer: `${f0(fpSources.activeRssMb)} (sources)`, ratio: '—', target: '—', met: '—' });

const head: Array<keyof Row> = ['scenario', 'sundown', 'peer', 'ratio', 'target', 'met'];
const widths = head.map((h) => Math.max(h.length, ...rows.map((r) => r[h].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
const markdown = [
  `Sundown benchmarks — Node ${machine.node}, ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.date}${quick ? ' (quick run)' : ''}`,
  '',
  'Peers: oidc-provider (in-memory adapter, opaque access tokens) for the provider rows; express-openid-connect for the RP receiver. Ratio = Sundown ÷ peer (or ÷ bound).',
  '',
  line(head),
  line(widths.map((w) => '-'.repeat(w))),
  ...rows.map((r) => line(head.map((h) => r[h]))),
].join('\n');
console.log(`\n${markdown}\n`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/results.md', import.meta.url), `${markdown}\n`);
writeFileSync(new URL('./results/results.json', import.meta.url), `${JSON.stringify({ machine, rows, raw: { fanout, dead, mass, tokens, rp, fp, fpSources } }, null, 2)}\n`);
process.exit(0);
