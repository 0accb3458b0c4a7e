// Scenario 4 — the RP receiver: validated back-channel logout requests per second through
// @sundown/rp's Express adapter vs express-openid-connect's back-channel logout route, with
// the same tokens and the same issuer keys (a small mock issuer serving discovery and JWKS),
// next to jose's raw RS256 verify rate on one core (the bound).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import express from 'express';
import eoc from 'express-openid-connect';
import session from 'express-session';
import { compactVerify, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { MemoryLogoutStore } from '@sundown/rp';
import { backchannelLogoutRouter } from '@sundown/rp/express';

/** express-openid-connect documents express-session stores as compatible; its types are narrower. */
type BackchannelStore = NonNullable<
  Extract<NonNullable<Parameters<typeof eoc.auth>[0]>['backchannelLogout'], object>['store']
>;

export interface ReceiverRow {
  sundown: number;
  peer: number;
  verifyBound: number;
  statuses: { sundown: Record<string, number>; peer: Record<string, number> };
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function fire(url: string, bodies: string[]): Promise<{ rate: number; statuses: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../lib/load-worker.ts', import.meta.url), {
      workerData: { url, bodies, concurrency: 16 },
    });
    worker.once('message', (m: { seconds: number; statuses: Record<string, number>; count: number }) => {
      void worker.terminate();
      resolve({ rate: m.count / m.seconds, statuses: m.statuses });
    });
    worker.once('error', reject);
  });
}

export async function runRpReceiver(opts: { requests: number }): Promise<ReceiverRow> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  const op = await listen((req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/jwks') return void res.end(JSON.stringify(jwks));
    res.end(
      JSON.stringify({
        issuer,
        jwks_uri: `${issuer}/jwks`,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        end_session_endpoint: `${issuer}/logout`,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
      }),
    );
  });
  const issuer = op.url;
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (let i = 0; i < opts.requests * 2 + 2000; i++) {
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
  const bodies = tokens.map((t) => `logout_token=${t}`);

  const verifyStart = performance.now();
  const sample = Math.min(3000, tokens.length);
  for (let i = 0; i < sample; i++) await compactVerify(tokens[i]!, publicKey);
  const verifyBound = sample / ((performance.now() - verifyStart) / 1000);

  const sundownApp = express();
  sundownApp.use(
    backchannelLogoutRouter({
      issuer,
      clientId: 'app',
      keys: new URL(`${issuer}/jwks`),
      store: new MemoryLogoutStore(),
    }),
  );
  const sundown = await listen(sundownApp);

  const peerApp = express();
  peerApp.use(
    eoc.auth({
      issuerBaseURL: issuer,
      baseURL: 'http://127.0.0.1',
      clientID: 'app',
      secret: 'a-long-enough-secret-for-express-openid-connect',
      authRequired: false,
      idpLogout: false,
      backchannelLogout: { store: new session.MemoryStore() as unknown as BackchannelStore },
    }),
  );
  const peer = await listen(peerApp);

  const half = opts.requests;
  await fire(`${sundown.url}/backchannel-logout`, bodies.slice(0, 1000));
  await fire(`${peer.url}/backchannel-logout`, bodies.slice(1000, 2000));
  const s = await fire(`${sundown.url}/backchannel-logout`, bodies.slice(2000, 2000 + half));
  const p = await fire(`${peer.url}/backchannel-logout`, bodies.slice(2000 + half, 2000 + 2 * half));
  for (const srv of [sundown.server, peer.server, op.server]) srv.close();
  return { sundown: s.rate, peer: p.rate, verifyBound, statuses: { sundown: s.statuses, peer: p.statuses } };
}
