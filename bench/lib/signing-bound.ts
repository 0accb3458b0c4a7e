// The physical bounds the provider rows are compared with, measured in the same run:
// - one core: jose's SignJWT awaited one at a time (what one delivery loop can do), and
//   node:crypto's sign in one worker thread; the bound is the faster of the two;
// - two cores: jose's SignJWT with 32 calls in flight (WebCrypto runs each signature as a job
//   on libuv's thread pool, 4 threads, so both cores sign) and node:crypto's sign in 2 worker
//   threads; the bound is the faster of the two;
// - the fan-out floor: 10 logout tokens signed at once with WebCrypto, then one loopback
//   HTTP round trip to a receiver (what a fan-out must at least cost).
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { importPKCS8, SignJWT } from 'jose';
import { percentile } from './receivers.ts';

export type Alg = 'RS256' | 'ES256';

export interface SigningRate {
  alg: Alg;
  cores: number;
  /** The bound: the faster of the two methods. */
  perSecond: number;
  joseWebCrypto: number;
  nodeCryptoWorkers: number;
}

function pkcs8(alg: Alg): string {
  const { privateKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

const claims = () => ({
  iss: 'https://sundown.bench/realms/bench',
  aud: 'account',
  sub: 'c4f2a7a0-5b8e-4a39-9a54-0d6a3f1d2b11',
  azp: 'svc',
  scope: 'profile email',
  typ: 'Bearer',
  jti: crypto.randomUUID(),
});

async function joseRate(alg: Alg, pem: string, inFlight: number, ms: number): Promise<number> {
  const key = await importPKCS8(pem, alg);
  const until = performance.now() + ms;
  const started = performance.now();
  let n = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        await new SignJWT(claims())
          .setProtectedHeader({ alg, typ: 'JWT', kid: 'k1' })
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(key);
        n++;
      }
    }),
  );
  return n / ((performance.now() - started) / 1000);
}

async function workersRate(alg: Alg, pem: string, workers: number, ms: number): Promise<number> {
  const input = `${Buffer.from(JSON.stringify({ alg, typ: 'JWT', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}`;
  const results = await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<{ n: number; seconds: number }>((resolve, reject) => {
          const w = new Worker(new URL('./sign-worker.ts', import.meta.url), { workerData: { pem, alg, input, ms } });
          w.once('message', (m: { n: number; seconds: number }) => {
            void w.terminate();
            resolve(m);
          });
          w.once('error', reject);
        }),
    ),
  );
  return results.reduce((sum, r) => sum + r.n / r.seconds, 0);
}

/** The raw signing rate of `alg` on `cores` cores (1 or 2), measured for about 2 × `ms`. */
export async function signingRate(alg: Alg, cores: 1 | 2, ms = 2000): Promise<SigningRate> {
  const pem = pkcs8(alg);
  const joseWebCrypto = await joseRate(alg, pem, cores === 1 ? 1 : 32, ms);
  const nodeCryptoWorkers = await workersRate(alg, pem, cores, ms);
  return { alg, cores, perSecond: Math.max(joseWebCrypto, nodeCryptoWorkers), joseWebCrypto, nodeCryptoWorkers };
}

function post(url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The fan-out floor: p50 (and p95) of "sign `n` RS256 logout tokens at once with WebCrypto,
 * then one POST to a loopback receiver", over `rounds` after a warm-up.
 */
export async function fanoutFloor(
  receiverUrl: string,
  n: number,
  rounds: number,
): Promise<{ p50: number; p95: number }> {
  const key = await importPKCS8(pkcs8('RS256'), 'RS256');
  const url = new URL(receiverUrl);
  const samples: number[] = [];
  for (let r = 0; r < rounds + 10; r++) {
    const started = performance.now();
    const tokens = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        new SignJWT({ sid: crypto.randomUUID(), events: { 'http://schemas.openid.net/event/backchannel-logout': {} } })
          .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: 'k1' })
          .setIssuer('https://sundown.bench/realms/bench')
          .setAudience(`c${i}`)
          .setSubject('u')
          .setIssuedAt()
          .setExpirationTime('2m')
          .setJti(crypto.randomUUID())
          .sign(key),
      ),
    );
    await post(url, `logout_token=${tokens[0]}`);
    if (r >= 10) samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}
