// One core signing as fast as it can: node:crypto's synchronous sign of a JWT signing input
// (RS256: RSASSA-PKCS1-v1_5 with SHA-256; ES256: ECDSA P-256, IEEE P1363 form) for `ms`.
import { createPrivateKey, sign } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const { pem, alg, input, ms } = workerData as { pem: string; alg: 'RS256' | 'ES256'; input: string; ms: number };
const key = createPrivateKey(pem);
const data = Buffer.from(input);
const started = performance.now();
let n = 0;
while (performance.now() - started < ms) {
  sign('sha256', data, alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  n++;
}
parentPort!.postMessage({ n, seconds: (performance.now() - started) / 1000 });
