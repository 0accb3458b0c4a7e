// CPU time per token grant, the measure of the token endpoint that the machine's load moves
// least: `node --conditions=source bench/token-cpu.ts [sqlite|postgres] [ms] [--profile]`.
// One Sundown server (as scenarios/token-endpoint.ts builds it) under client-credentials, then
// refresh load (concurrency 16, from a worker thread), reporting per grant: the server thread's
// own CPU time (process.threadCpuUsage: what the server's code costs, whatever else runs on the
// cores), the whole process's CPU (with the signatures on libuv's pool and the load generator),
// and the main thread's busy wall time (event-loop utilisation, which includes time the OS gave
// the cores to others). Rates here are only indicative; compare the CPU columns across commits.
import { performance } from 'node:perf_hooks';
import { load } from './lib/grant-load.ts';
import { enableProfiling, profiled } from './lib/profile.ts';
import { startSundown } from './lib/sundown.ts';

const store = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const durationMs = Number(process.argv[3] ?? 4000);
if (process.argv.includes('--profile')) enableProfiling();
const basic = (id: string) => `Basic ${Buffer.from(`${id}:${id}-secret`).toString('base64')}`;

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
const refreshTokens: string[] = [];
for (let i = 0; i < 16; i++) {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('app') },
    body: 'grant_type=password&username=u&password=pw&scope=openid',
  });
  refreshTokens.push(((await res.json()) as { refresh_token: string }).refresh_token);
}
await load({ tokenUrl, authorization: basic('svc'), mode: 'client_credentials', durationMs: 1000 }); // warm-up
for (const mode of ['client_credentials', 'refresh_token'] as const) {
  const process0 = process.cpuUsage();
  const thread0 = process.threadCpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const rate = await profiled(`token-cpu-${store}-${mode}`, () =>
    load({
      tokenUrl,
      authorization: basic(mode === 'client_credentials' ? 'svc' : 'app'),
      mode,
      refreshTokens,
      durationMs,
    }),
  );
  const proc = process.cpuUsage(process0);
  const thread = process.threadCpuUsage(thread0);
  const elu = performance.eventLoopUtilization(elu0);
  const grants = rate.perSecond * (durationMs / 1000);
  const ms = (us: number) => (us / 1000 / grants).toFixed(3);
  console.log(
    `${store} ${mode}: ${rate.perSecond.toFixed(0)}/s (p50 ${rate.p50.toFixed(1)} ms); per grant: server thread CPU ${ms(thread.user + thread.system)} ms, process CPU ${ms(proc.user + proc.system)} ms, main thread busy ${(elu.active / grants).toFixed(3)} ms; statuses ${JSON.stringify(rate.statuses)}`,
  );
}
await s.close();
