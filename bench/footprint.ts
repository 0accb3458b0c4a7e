// The footprint scenario on its own, both ways side by side in one run: `sundown start` from the
// TypeScript sources (Node's type stripping) and from the built JavaScript (the published
// package). Rounds alternate the two; the table gives medians.
// Usage: npm run bench:footprint [-- --rounds 3] [-- --sessions 10000]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { table } from './lib/receivers.ts';
import { buildServer, type FootprintMode, type FootprintRow, runFootprint } from './scenarios/footprint.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, sessions: { type: 'string', default: '10000' } },
});
const rounds = Number(values.rounds);
const sessions = Number(values.sessions);
buildServer();
const runs: Record<FootprintMode, FootprintRow[]> = { sources: [], built: [] };
for (let i = 0; i < rounds; i++) {
  for (const mode of ['sources', 'built'] as const) runs[mode].push(await runFootprint({ sessions, mode }));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const m = (mode: FootprintMode, key: 'readyMs' | 'idleRssMb' | 'activeRssMb') => median(runs[mode].map((r) => r[key]));
console.log(
  `\nFootprint of sundown start, median of ${rounds} rounds, Node ${process.version}, ${cpus().length} cores\n`,
);
console.log(
  table([
    {
      measure: 'start to ready, ms',
      'TS sources (type stripping)': m('sources', 'readyMs').toFixed(0),
      'built JS (dist/)': m('built', 'readyMs').toFixed(0),
      target: '≤ 1000 (built)',
    },
    {
      measure: 'idle RSS, MB',
      'TS sources (type stripping)': m('sources', 'idleRssMb').toFixed(0),
      'built JS (dist/)': m('built', 'idleRssMb').toFixed(0),
      target: '≤ 80 (built)',
    },
    {
      measure: `RSS after ${sessions} active sessions, MB`,
      'TS sources (type stripping)': m('sources', 'activeRssMb').toFixed(0),
      'built JS (dist/)': m('built', 'activeRssMb').toFixed(0),
      target: '—',
    },
  ]),
);
process.exit(0);
