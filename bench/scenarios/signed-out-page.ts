// The signed-out page's outcome latency (issue 24): one SSO session signed into N OIDC clients
// (10 by default), each with a back-channel receiver in a worker thread; the realm shows the
// signed-out page always. Time from the RP-initiated logout request until the page states the
// final outcome ("Signed out of 10 of 10 applications."): in the page itself when every first
// attempt was in before the logout wait ended, else from the page's status endpoint, polled as
// the page's own script polls it (every 500 ms, with the browser's status key cookie).
// Alone: node --conditions=source bench/scenarios/signed-out-page.ts [--rounds 100] [--apps 10]
//   [--store sqlite|postgres]
import { parseArgs } from 'node:util';
import { Jar } from '../lib/jar.ts';
import { percentile, startReceivers, table } from '../lib/receivers.ts';
import { startSundown, sundownSignIn } from '../lib/sundown.ts';

export interface SignedOutPageRow {
  apps: number;
  store: string;
  rounds: number;
  /** Request start → the page's outcome names every app signed out. */
  p50: number;
  p95: number;
  /** Rounds whose first answer already stated the final outcome (no polling needed). */
  inFirstAnswer: number;
}

const now = () => performance.timeOrigin + performance.now();
const cb = (i: number) => `https://c${i}.bench/cb`;
/** The page script's polling cadence while the logout settles (logout/endpoint/signed-out-page.ts). */
const POLL_MS = 500;

export async function runSignedOutPage(opts: {
  rounds: number;
  apps?: number;
  store?: 'sqlite' | 'postgres';
}): Promise<SignedOutPageRow> {
  const n = opts.apps ?? 10;
  const receivers = await startReceivers(n);
  const sundown = await startSundown(
    {
      attributes: { backchannelLogoutAllowHttp: 'true', 'sundown.logout.page': 'always' },
      clients: receivers.urls.map((url, i) => ({
        clientId: `c${i}`,
        name: `App ${i + 1}`,
        secret: `c${i}-secret`,
        redirectUris: [cb(i)],
        attributes: { 'backchannel.logout.url': url },
      })),
      users: [{ username: 'u', credentials: [{ value: 'pw' }] }],
    },
    { store: opts.store ?? 'sqlite' },
  );
  const final = `Signed out of ${n} of ${n} applications.`;
  try {
    const samples: number[] = [];
    let inFirstAnswer = 0;
    const warmup = Math.max(2, Math.floor(opts.rounds / 20));
    for (let r = 0; r < opts.rounds + warmup; r++) {
      const jar = new Jar();
      let idToken = '';
      for (let i = 0; i < n; i++) {
        const t = await sundownSignIn(jar, sundown.issuer, `c${i}`, cb(i), 'u', 'pw');
        if (i === 0) idToken = t.id_token!;
      }
      const started = now();
      const page = await (
        await jar.fetch(
          `${sundown.issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: idToken })}`,
        )
      ).text();
      let stated = page.includes(final);
      if (stated && r >= warmup) inFirstAnswer++;
      const statusUrl = /logout\/status\?logout=([0-9a-f-]{36})/.exec(page);
      const deadline = Date.now() + 30_000;
      while (!stated) {
        if (!statusUrl || Date.now() > deadline) throw new Error('the page never stated the final outcome');
        await new Promise((res) => setTimeout(res, POLL_MS));
        const status = (await (
          await jar.fetch(`${sundown.issuer}/protocol/openid-connect/logout/status?logout=${statusUrl[1]}`)
        ).json()) as { outcome: string };
        stated = status.outcome === final;
      }
      if (r >= warmup) samples.push(now() - started);
    }
    samples.sort((a, b) => a - b);
    return {
      apps: n,
      store: opts.store ?? 'sqlite',
      rounds: opts.rounds,
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
      inFirstAnswer,
    };
  } finally {
    await sundown.close();
    await receivers.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '100' },
      apps: { type: 'string', default: '10' },
      store: { type: 'string', default: 'sqlite' },
    },
  });
  const row = await runSignedOutPage({
    rounds: Number(values.rounds),
    apps: Number(values.apps),
    store: values.store === 'postgres' ? 'postgres' : 'sqlite',
  });
  console.log(
    table([
      {
        apps: row.apps,
        store: row.store,
        rounds: row.rounds,
        'p50 ms': row.p50.toFixed(1),
        'p95 ms': row.p95.toFixed(1),
        'outcome in the first answer': `${row.inFirstAnswer} of ${row.rounds}`,
      },
    ]),
  );
}
