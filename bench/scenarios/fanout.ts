// Scenario 1 — logout fan-out latency: one SSO session signed into N clients, each with a
// back-channel receiver; time from the logout request to the last receiver having its token.
// Sundown: the RP-initiated logout GET with id_token_hint. oidc-provider: the POST of its
// logout confirmation form (it always asks), which is when it sends its logout tokens.
// Also: the browser-visible logout latency when one of 10 receivers never answers.
import { createServer, type Server, type Socket } from 'node:net';
import { Jar } from '../lib/jar.ts';
import { startOidcProvider, peerSignIn } from '../lib/oidc-provider.ts';
import { percentile, type Receivers, startReceivers } from '../lib/receivers.ts';
import { profiled } from '../lib/profile.ts';
import { fanoutFloor } from '../lib/signing-bound.ts';
import { startSundown, sundownSignIn } from '../lib/sundown.ts';

export interface FanoutRow {
  n: number;
  sundown: { p50: number; p95: number };
  peer: { p50: number; p95: number };
  /** Signing N RS256 tokens at once with WebCrypto plus one loopback round trip (lib/signing-bound.ts). */
  floor: { p50: number; p95: number };
}

const now = () => performance.timeOrigin + performance.now();
const cb = (i: number) => `https://c${i}.bench/cb`;

async function measure(
  rounds: number,
  warmup: number,
  receivers: Receivers,
  n: number,
  once: () => Promise<number>,
): Promise<{ p50: number; p95: number; samples: number[] }> {
  const samples: number[] = [];
  for (let r = 0; r < rounds + warmup; r++) {
    const before = receivers.arrivals.length;
    const started = await once();
    await receivers.waitForTotal(before + n, 30_000);
    const last = Math.max(...receivers.arrivals.slice(before).map((a) => a.at));
    if (r >= warmup) samples.push(last - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), samples };
}

function sundownRealm(urls: string[]) {
  return {
    clients: urls.map((url, i) => ({
      clientId: `c${i}`,
      secret: `c${i}-secret`,
      redirectUris: [cb(i)],
      attributes: { 'backchannel.logout.url': url },
    })),
    users: [{ username: 'u', credentials: [{ value: 'pw' }] }],
  };
}

function peerClients(urls: string[]) {
  return urls.map((url, i) => ({
    client_id: `c${i}`,
    client_secret: `c${i}-secret`,
    redirect_uris: [cb(i)],
    backchannel_logout_uri: url,
    backchannel_logout_session_required: true,
  }));
}

async function sundownLogout(issuer: string, n: number): Promise<{ started: number; answered: () => number }> {
  const jar = new Jar();
  let idToken = '';
  for (let i = 0; i < n; i++) {
    const t = await sundownSignIn(jar, issuer, `c${i}`, cb(i), 'u', 'pw');
    if (i === 0) idToken = t.id_token!;
  }
  const started = now();
  const res = await jar.fetch(
    `${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: idToken })}`,
  );
  await res.arrayBuffer();
  const answered = now();
  return { started, answered: () => answered - started };
}

async function peerLogout(issuer: string, n: number): Promise<{ started: number; answered: () => number }> {
  const jar = new Jar();
  let idToken = '';
  for (let i = 0; i < n; i++) {
    const t = await peerSignIn(jar, issuer, `c${i}`, cb(i));
    if (i === 0) idToken = t.id_token!;
  }
  const form = await (
    await jar.fetch(`${issuer}/session/end?${new URLSearchParams({ id_token_hint: idToken })}`)
  ).text();
  const action = new URL(/action="([^"]+)"/.exec(form)![1]!, issuer).toString();
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(form)![1]!;
  const started = now();
  const res = await jar.fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
  });
  await res.arrayBuffer();
  const answered = now();
  return { started, answered: () => answered - started };
}

export async function runFanout(opts: { rounds: number; ns: number[] }): Promise<FanoutRow[]> {
  const rows: FanoutRow[] = [];
  const warmup = Math.max(2, Math.floor(opts.rounds / 20));
  for (const n of opts.ns) {
    const receivers = await startReceivers(n);
    const sundown = await startSundown(sundownRealm(receivers.urls));
    const s = await profiled(`fanout-${n}`, () =>
      measure(opts.rounds, warmup, receivers, n, async () => (await sundownLogout(sundown.issuer, n)).started),
    );
    await sundown.close();
    const peer = await startOidcProvider(peerClients(receivers.urls));
    const p = await measure(opts.rounds, warmup, receivers, n, async () => (await peerLogout(peer.issuer, n)).started);
    await peer.close();
    const floor = await fanoutFloor(receivers.urls[0]!, n, opts.rounds);
    await receivers.close();
    rows.push({ n, sundown: { p50: s.p50, p95: s.p95 }, peer: { p50: p.p50, p95: p.p95 }, floor });
  }
  return rows;
}

/** A receiver that accepts connections and never answers. */
async function deadReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => void sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/backchannel-logout`;
  return {
    url,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface DeadReceiverRow {
  sundown: number;
  sundownBoundMs: number;
  peer: number;
}

/** Browser-visible logout latency (median of `rounds`) with 9 live receivers and 1 that never answers. */
export async function runDeadReceiver(opts: { rounds: number }): Promise<DeadReceiverRow> {
  const receivers = await startReceivers(9);
  const dead = await deadReceiver();
  const urls = [...receivers.urls, dead.url];
  const median = async (fn: () => Promise<number>) => {
    const xs: number[] = [];
    for (let i = 0; i < opts.rounds; i++) xs.push(await fn());
    xs.sort((a, b) => a - b);
    return percentile(xs, 50);
  };
  const sundown = await startSundown(sundownRealm(urls));
  const s = await median(async () => (await sundownLogout(sundown.issuer, 10)).answered());
  await sundown.close();
  const peer = await startOidcProvider(peerClients(urls));
  const p = await median(async () => (await peerLogout(peer.issuer, 10)).answered());
  await peer.close();
  await receivers.close();
  await dead.close();
  return { sundown: s, sundownBoundMs: 2000, peer: p };
}
