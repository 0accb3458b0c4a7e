// The RP receiver scenario on its own: node bench/rp-receiver.ts [--requests 10000]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { table } from './lib/receivers.ts';
import { runRpReceiver } from './scenarios/rp-receiver.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '10000' } } });
const r = await runRpReceiver({ requests: Number(values.requests) });
console.log(
  `\nRP receiver, ${values.requests} requests each, concurrency 16, Node ${process.version}, ${cpus().length} cores\n`,
);
console.log(
  table([
    {
      measure: '@sundown/rp Express adapter, validated requests/s',
      value: r.sundown.toFixed(0),
      detail: JSON.stringify(r.statuses.sundown),
    },
    {
      measure: 'express-openid-connect back-channel route, requests/s',
      value: r.peer.toFixed(0),
      detail: JSON.stringify(r.statuses.peer),
    },
    {
      measure: 'raw RS256 verify/s (jose, one core, the bound)',
      value: r.verifyBound.toFixed(0),
      detail: `Sundown at ${((100 * r.sundown) / r.verifyBound).toFixed(0)}% of it`,
    },
  ]),
);
process.exit(0);
