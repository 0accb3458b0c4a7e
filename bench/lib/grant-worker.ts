// Load for the token endpoint, in its own thread: `concurrency` loops for `durationMs`, each
// sending a client_credentials grant, or refreshing its own refresh token (rotation: every
// answer carries the next one).
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

interface Input {
  tokenUrl: string;
  authorization: string;
  mode: 'client_credentials' | 'refresh_token';
  refreshTokens: string[];
  concurrency: number;
  durationMs: number;
}

const input = workerData as Input;
const target = new URL(input.tokenUrl);
const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency });
const statuses: Record<number, number> = {};
let count = 0;
let firstError: string | undefined;

function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), authorization: input.authorization } },
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
await Promise.all(
  Array.from({ length: input.concurrency }, async (_, i) => {
    let refresh = input.refreshTokens[i];
    while (performance.now() < until) {
      const body = input.mode === 'client_credentials' ? 'grant_type=client_credentials' : new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh! }).toString();
      const res = await post(body);
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
agent.destroy();
parentPort!.postMessage({ count, seconds: (performance.now() - started) / 1000, statuses, firstError });
