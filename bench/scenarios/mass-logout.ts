// Scenario 2 — mass logout: S sessions × C clients ended by "log out every session of the
// realm"; sessions ended per second (outbox written) and logout tokens delivered per second,
// next to the raw signing rate of the algorithm on one core (the bound, lib/signing-bound.ts).
// Only @sundown/server's public API: a started server, its store to seed sessions, and the
// Keycloak admin REST call.
import { profiled } from '../lib/profile.ts';
import { startReceivers } from '../lib/receivers.ts';
import { adminLogoutAll, ADMIN_ENV, seedRealmSessions } from '../lib/sessions.ts';
import { type SigningRate, signingRate } from '../lib/signing-bound.ts';
import { startSundown } from '../lib/sundown.ts';

export interface MassLogoutRow {
  alg: string;
  store: string;
  sessions: number;
  clients: number;
  sessionsEndedPerSecond: number;
  tokensPerSecond: number;
  secondsToLastToken: number;
  rawSigningPerSecond: number;
  signing: SigningRate;
}

export async function runMassLogout(o: {
  sessions: number;
  clients: number;
  alg: 'RS256' | 'ES256';
  store: 'sqlite' | 'postgres';
}): Promise<MassLogoutRow> {
  const { sessions: S, clients: C, alg } = o;
  const receivers = await startReceivers(C);
  const s = await startSundown(
    {
      clients: receivers.urls.map((url, i) => ({
        clientId: `c${i}`,
        secret: `s${i}`,
        redirectUris: [`https://c${i}.example/cb`],
        attributes: { 'backchannel.logout.url': url, 'id.token.signed.response.alg': alg },
      })),
      users: [{ username: 'u' }],
    },
    {
      store: o.store,
      env: ADMIN_ENV,
      configure: (config) => void (config.logout = { ...config.logout, concurrency: 64, perClientConcurrency: 32 }),
    },
  );
  const logoutAll = await adminLogoutAll(s.server, s.realm);

  // Warm-up, not measured: one session logged out, so the realm's signing key exists.
  await seedRealmSessions(s.server.store, s.realm, 'bench-warm-up', 1);
  await logoutAll();
  await receivers.waitForTotal(C);
  receivers.arrivals.length = 0;

  // Setup, not measured: S live sessions, each with a client session per client.
  await seedRealmSessions(s.server.store, s.realm, 'bench-sid', S);

  const signing = await signingRate(alg, 1);
  const { t0, t1, t2 } = await profiled(`mass-logout-${alg}-${o.store}`, async () => {
    const t0 = performance.timeOrigin + performance.now();
    const ended = await logoutAll();
    if (ended !== S) throw new Error(`logout-all ended ${ended} sessions, expected ${S}`);
    const t1 = performance.timeOrigin + performance.now();
    await receivers.waitForTotal(S * C);
    return { t0, t1, t2: Math.max(...receivers.arrivals.map((a) => a.at)) };
  });
  await s.close();
  await receivers.close();
  return {
    alg,
    store: o.store,
    sessions: S,
    clients: C,
    sessionsEndedPerSecond: S / ((t1 - t0) / 1000),
    tokensPerSecond: (S * C) / ((t2 - t0) / 1000),
    secondsToLastToken: (t2 - t0) / 1000,
    rawSigningPerSecond: signing.perSecond,
    signing,
  };
}
