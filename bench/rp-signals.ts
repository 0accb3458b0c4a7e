// How fast a logout reaches an app's APIs and open tabs through @sundown/rp:
//   node --conditions=source bench/rp-signals.ts [--rounds 200] [--redis redis://127.0.0.1:6379]
// Two Express API instances with the bearer guard and two tab relays (Express, Fastify), each on
// its own Redis connection; the logout token (or a CAEP session-revoked SET) is received by a
// third. Per round: a fresh session, its access token accepted by both APIs and two tabs open;
// then the time from sending the logout until both APIs refuse the old token, and until both
// tabs have the signed-out event. Next to it, what a Keycloak user waits today: the token's exp.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import express from 'express';
import { createClient } from 'redis';
import { requireBearerToken, tabRelayRouter } from '../packages/rp/src/adapters/express.ts';
import {
  createBackchannelLogoutHandler,
  createSetPushHandler,
  type SessionIdentity,
} from '../packages/rp/src/index.ts';
import { RedisLogoutStore } from '../packages/rp/src/stores/redis-store.ts';
import { API, AUDIENCE, ISSUER, sessionSubject, signer } from '../packages/rp/test/helpers/signals.ts';
import { openSse } from '../packages/rp/test/helpers/sse.ts';
import { CLIENT, post, testIssuer } from '../packages/rp/test/helpers/tokens.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '200' }, redis: { type: 'string', default: 'redis://127.0.0.1:6379' } },
});
const rounds = Number(values.rounds);
const prefix = `bench:${process.pid}:`;
const as = await signer();
const op = await testIssuer();

async function store() {
  const client = createClient({ url: values.redis });
  await client.connect();
  return { store: new RedisLogoutStore(client, { prefix }), client };
}

async function instance() {
  const { store: s, client } = await store();
  const app = express();
  app.use('/api', requireBearerToken({ issuer: ISSUER, audience: API, keys: as.jwks, store: s }));
  app.get('/api/me', (_req, res) => void res.json({ ok: true }));
  const tabs = tabRelayRouter({
    store: s,
    identify: (req) => ({ iss: ISSUER, sid: String(req.headers['x-sid']), createdAt: 0 }) as SessionIdentity,
  });
  app.use(tabs);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    close: async () => {
      await tabs.relay.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await client.quit();
    },
  };
}

const [a, b] = [await instance(), await instance()];
const receiver = await store();
const logout = createBackchannelLogoutHandler({
  issuer: ISSUER,
  clientId: CLIENT,
  keys: op.jwks,
  store: receiver.store,
});
const push = createSetPushHandler({ issuer: ISSUER, audience: AUDIENCE, keys: as.jwks, store: receiver.store });

async function status(base: string, token: string): Promise<number> {
  const res = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

const results: Record<'bcl' | 'caep', { api: number[]; tabs: number[] }> = {
  bcl: { api: [], tabs: [] },
  caep: { api: [], tabs: [] },
};
for (let i = 0; i < rounds; i++) {
  const kind = i % 2 === 0 ? 'bcl' : 'caep';
  const sid = `${prefix}${i}`;
  const token = await as.accessToken({ sid });
  if ((await status(a.base, token)) !== 200 || (await status(b.base, token)) !== 200) throw new Error('not accepted');
  const tabs = [
    await openSse(`${a.base}/sundown/session-events`, { 'x-sid': sid }),
    await openSse(`${b.base}/sundown/session-events`, { 'x-sid': sid }),
  ];
  await Promise.all(tabs.map((t) => t.waitFor('ready')));
  const signal = kind === 'bcl' ? await op.token({ sid }) : await as.set({ sub_id: sessionSubject(sid) });
  const started = performance.now();
  const tabsDone = Promise.all(tabs.map((t) => t.waitFor('signed-out'))).then(() => performance.now() - started);
  const res =
    kind === 'bcl'
      ? await logout(post(signal))
      : await push(
          new Request('https://app.test/ssf/events', {
            method: 'POST',
            headers: { 'content-type': 'application/secevent+jwt' },
            body: signal,
          }),
        );
  if (res.status !== 200 && res.status !== 202) throw new Error(`logout answered ${res.status}`);
  const refused = await Promise.all(
    [a, b].map(async (api) => {
      while ((await status(api.base, token)) !== 401);
      return performance.now() - started;
    }),
  );
  results[kind].api.push(Math.max(...refused));
  results[kind].tabs.push(await tabsDone);
  for (const t of tabs) t.close();
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
console.log(`\n@sundown/rp signals, ${rounds} rounds, Redis, Node ${process.version}\n`);
for (const [kind, r] of Object.entries(results)) {
  const name = kind === 'bcl' ? 'back-channel logout token' : 'CAEP session-revoked SET';
  console.log(
    `${name}: both APIs refuse the old token after p50 ${pct(r.api, 50).toFixed(1)} ms, p95 ${pct(r.api, 95).toFixed(1)} ms; ` +
      `both tabs signed out after p50 ${pct(r.tabs, 50).toFixed(1)} ms, p95 ${pct(r.tabs, 95).toFixed(1)} ms`,
  );
}
console.log("Without it: the token is accepted until its exp — Keycloak's default access-token lifespan, 300 000 ms.");
await Promise.all([a.close(), b.close(), receiver.client.quit()]);
process.exit(0);
