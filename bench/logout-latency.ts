// Logout fan-out latency: one SSO session signed into N clients, each with a back-channel
// receiver; time from the RP-initiated logout request to the last receiver having its token.
// Usage: node bench/logout-latency.ts [--rounds 200] [--clients 10] [--store sqlite|postgres]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { importRealm, parseRealmJson, parseStartConfig, startServer } from '@sundown/server';
import { percentile, startReceivers, table } from './lib/receivers.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '200' },
    clients: { type: 'string', default: '10' },
    store: { type: 'string', default: 'sqlite' },
  },
});
const rounds = Number(values.rounds);
const n = Number(values.clients);

const receivers = await startReceivers(n);
const dir = mkdtempSync(join(tmpdir(), 'sundown-bench-'));
const config = parseStartConfig(
  [
    '--port',
    '0',
    '--log-level',
    'silent',
    ...(values.store === 'postgres'
      ? ['--database-url', process.env.SUNDOWN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test']
      : ['--data-dir', dir]),
  ],
  {},
);
const server = await startServer(config, pino({ level: 'silent' }));
const realmName = `bench${Date.now()}`;
await importRealm(
  server.store.db,
  parseRealmJson({
    realm: realmName,
    attributes: { backchannelLogoutAllowHttp: 'true' },
    clients: receivers.urls.map((url, i) => ({
      clientId: `c${i}`,
      secret: `s${i}`,
      redirectUris: [`https://c${i}.example/cb`],
      attributes: { 'backchannel.logout.url': url },
    })),
    users: [{ username: 'u', credentials: [{ value: 'pw' }] }],
  }),
);
const oidc = `${server.url}/realms/${realmName}/protocol/openid-connect`;

async function signInAll(): Promise<string> {
  // Sign in to c0 with the form, then SSO into every other client.
  let cookies = '';
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) cookies = `${cookies}; ${c.split(';')[0]}`;
  };
  let idToken = '';
  for (let i = 0; i < n; i++) {
    const auth = `${oidc}/auth?${new URLSearchParams({ client_id: `c${i}`, redirect_uri: `https://c${i}.example/cb`, response_type: 'code', scope: 'openid' })}`;
    let res = await fetch(auth, { headers: { cookie: cookies }, redirect: 'manual' });
    keep(res);
    if (res.status === 200) {
      const html = await res.text();
      const id = /name="auth_request" value="([^"]+)"/.exec(html)![1]!;
      res = await fetch(`${server.url}/realms/${realmName}/login-actions/authenticate`, {
        method: 'POST',
        headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ auth_request: id, username: 'u', password: 'pw' }),
        redirect: 'manual',
      });
      keep(res);
    }
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const tok = await fetch(`${oidc}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`c${i}:s${i}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `https://c${i}.example/cb` }),
    });
    const body = (await tok.json()) as { id_token: string };
    if (i === 0) idToken = body.id_token;
  }
  return idToken;
}

const lastReceiver: number[] = [];
const browser: number[] = [];
const warmup = Math.min(10, Math.floor(rounds / 10));
for (let round = 0; round < rounds + warmup; round++) {
  const idToken = await signInAll();
  const before = receivers.arrivals.length;
  const started = performance.timeOrigin + performance.now();
  const res = await fetch(`${oidc}/logout?${new URLSearchParams({ id_token_hint: idToken })}`, { redirect: 'manual' });
  await res.arrayBuffer();
  const answered = performance.timeOrigin + performance.now();
  await receivers.waitForTotal(before + n, 30_000);
  const last = Math.max(...receivers.arrivals.slice(before).map((a) => a.at));
  if (round >= warmup) {
    lastReceiver.push(last - started);
    browser.push(answered - started);
  }
}
lastReceiver.sort((a, b) => a - b);
browser.sort((a, b) => a - b);
const fmt = (x: number) => x.toFixed(1);
console.log(
  `\nLogout fan-out, ${n} receivers, ${rounds} logouts, store ${values.store}, Node ${process.version}, ${cpus().length} cores\n`,
);
console.log(
  table([
    {
      measure: 'logout request → last receiver has its token (ms)',
      p50: fmt(percentile(lastReceiver, 50)),
      p95: fmt(percentile(lastReceiver, 95)),
      max: fmt(lastReceiver.at(-1)!),
    },
    {
      measure: 'logout request → browser gets its response (ms)',
      p50: fmt(percentile(browser, 50)),
      p95: fmt(percentile(browser, 95)),
      max: fmt(browser.at(-1)!),
    },
  ]),
);
await server.close();
await receivers.close();
rmSync(dir, { recursive: true, force: true });
