// Mass logout on its own: node bench/mass-logout.ts [--sessions 10000] [--clients 5] [--alg RS256|ES256] [--store sqlite|postgres]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { table } from './lib/receivers.ts';
import { runMassLogout } from './scenarios/mass-logout.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '5' },
    alg: { type: 'string', default: 'RS256' },
    store: { type: 'string', default: 'sqlite' },
  },
});
const r = await runMassLogout({
  sessions: Number(values.sessions),
  clients: Number(values.clients),
  alg: values.alg as 'RS256' | 'ES256',
  store: values.store as 'sqlite' | 'postgres',
});
console.log(
  `\nMass logout: ${r.sessions} sessions × ${r.clients} clients, ${r.alg}, store ${r.store}, Node ${process.version}, ${cpus().length} cores\n`,
);
console.log(
  table([
    { measure: 'sessions ended (outbox written), per second', value: r.sessionsEndedPerSecond.toFixed(0), detail: '' },
    {
      measure: 'logout tokens delivered, per second',
      value: r.tokensPerSecond.toFixed(0),
      detail: `${r.secondsToLastToken.toFixed(2)} s to the last token`,
    },
    {
      measure: `raw ${r.alg} signing, per second (one core, the bound)`,
      value: r.rawSigningPerSecond.toFixed(0),
      detail: `delivery at ${((100 * r.tokensPerSecond) / r.rawSigningPerSecond).toFixed(0)}% of it`,
    },
  ]),
);
