// Load for the token endpoint, in its own thread: `concurrency` loops for `durationMs` (or until
// the parent posts 'stop'), each sending a client_credentials grant, or refreshing its own
// refresh token (rotation: every answer carries the next one). Reports the count, statuses,
// latency percentiles and, with `samples`, every request's [end time (epoch ms), latency ms].
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

interface Input {
  tokenUrl: string;
  authorization: string;
  mode: 'client_credentials' | 'refresh_token';
  refreshTokens: string[];
  concurrency: number;
  durationMs: number;
  body?: string;
  samples?: boolean;
}

const input = workerData as Input;
const target = new URL(input.tokenUrl);
const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency });
const statuses: Record<number, number> = {};
const latencies: number[] = [];
const samples: Array<[number, number]> = [];
let count = 0;
let firstError: string | undefined;
let stopped = false;
parentPort!.on('message', (m) => {
  if (m === 'stop') stopped = true;
});

function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          authorization: input.authorization,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const until = performance.now() + input.durationMs;
const started = performance.now();
parentPort!.postMessage('started');
await Promise.all(
  Array.from({ length: input.concurrency }, async (_, i) => {
    let refresh = input.refreshTokens[i];
    while (!stopped && performance.now() < until) {
      const body =
        input.mode === 'client_credentials'
          ? (input.body ?? 'grant_type=client_credentials')
          : new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh! }).toString();
      const t = performance.now();
      const res = await post(body);
      const end = performance.now();
      latencies.push(end - t);
      if (input.samples) samples.push([performance.timeOrigin + end, end - t]);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      count++;
      if (res.status !== 200) firstError ??= res.text.slice(0, 300);
      if (input.mode === 'refresh_token') {
        if (res.status !== 200) break;
        refresh = (JSON.parse(res.text) as { refresh_token: string }).refresh_token;
      }
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
parentPort!.postMessage({ count, seconds, statuses, firstError, p50: pct(50), p99: pct(99), samples });
