// A load generator thread: POSTs each pre-built body once, `concurrency` at a time, with
// keep-alive connections, and reports throughput and status codes.
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, bodies, concurrency } = workerData as { url: string; bodies: string[]; concurrency: number };
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
const statuses: Record<number, number> = {};
let next = 0;

function one(body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) await one(bodies[next++]!);
  }),
);
const seconds = (performance.now() - started) / 1000;
agent.destroy();
parentPort!.postMessage({ seconds, statuses, count: bodies.length });
