// Back-channel receivers for benchmarks, in their own thread: N HTTP servers on loopback that
// answer 200 and report each token's arrival time to the parent.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const { count } = workerData as { count: number };
const ports: number[] = [];
for (let i = 0; i < count; i++) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      res.writeHead(200).end();
      parentPort!.postMessage({ receiver: i, at: performance.timeOrigin + performance.now(), size: body.length });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports.push((server.address() as AddressInfo).port);
}
parentPort!.postMessage({ ports });
