// RP receiver throughput: validated back-channel logout requests per second through
// @sundown/rp's Express adapter (memory store), next to the raw RS256 verify rate of jose on
// one core — the bound, since every request verifies one signature.
// Usage: node bench/rp-receiver.ts [--requests 20000] [--concurrency 16]
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import express from 'express';
import { compactVerify, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { backchannelLogoutRouter } from '../packages/rp/src/adapters/express.ts';
import { MemoryLogoutStore } from '../packages/rp/src/index.ts';
import { table } from './lib/receivers.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '16' } } });
const N = Number(values.requests);
const issuer = 'https://op.bench/realms/r';
const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] };

const now = Math.floor(Date.now() / 1000);
const tokens: string[] = [];
for (let i = 0; i < N; i++) {
  tokens.push(
    await new SignJWT({ sid: `sid-${i}`, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'logout+jwt' })
      .setIssuer(issuer)
      .setAudience('app')
      .setSubject(`user-${i % 100}`)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .setJti(`jti-${i}`)
      .sign(privateKey),
  );
}

// The bound: verifying the same tokens serially on one core.
const verifyStart = performance.now();
const sample = Math.min(N, 5000);
for (let i = 0; i < sample; i++) await compactVerify(tokens[i]!, publicKey);
const verifyRate = sample / ((performance.now() - verifyStart) / 1000);

const app = express();
app.use(backchannelLogoutRouter({ issuer, clientId: 'app', keys: jwks, store: new MemoryLogoutStore() }));
const server = app.listen(0, '127.0.0.1');
await new Promise<void>((r) => server.once('listening', () => r()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`;

const run = (bodies: string[]) =>
  new Promise<{ seconds: number; statuses: Record<string, number>; count: number }>((resolve) => {
    const worker = new Worker(new URL('./lib/load-worker.ts', import.meta.url), { workerData: { url, bodies, concurrency: Number(values.concurrency) } });
    worker.once('message', (m) => {
      void worker.terminate();
      resolve(m);
    });
  });
const bodies = tokens.map((t) => `logout_token=${t}`);
await run(bodies.slice(0, Math.min(1000, N / 10))); // warm-up
const result = await run(bodies.slice(Math.min(1000, N / 10)));
const rate = result.count / result.seconds;
console.log(`\nRP receiver, Express adapter, ${result.count} requests, concurrency ${values.concurrency}, Node ${process.version}, ${cpus().length} cores\n`);
console.log(
  table([
    { measure: 'validated logout requests per second (Express)', value: rate.toFixed(0), detail: `statuses ${JSON.stringify(result.statuses)}` },
    { measure: 'raw RS256 verify per second (jose, one core)', value: verifyRate.toFixed(0), detail: `receiver at ${((100 * rate) / verifyRate).toFixed(0)}% of it` },
  ]),
);
server.close();
