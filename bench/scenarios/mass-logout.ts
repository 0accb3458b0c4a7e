// Scenario 2 — mass logout: S sessions × C clients ended by "log out every session of the
// realm"; sessions ended per second (outbox written) and logout tokens delivered per second,
// next to the raw signing rate of the algorithm on one core (the bound). Only @sundown/server's
// public API: a started server, its store to seed sessions, and the Keycloak admin REST call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';
import { pino } from 'pino';
import { importRealm, parseRealmJson, parseStartConfig, type Store, startServer } from '@sundown/server';
import { startReceivers } from '../lib/receivers.ts';

export interface MassLogoutRow {
  alg: string;
  store: string;
  sessions: number;
  clients: number;
  sessionsEndedPerSecond: number;
  tokensPerSecond: number;
  secondsToLastToken: number;
  rawSigningPerSecond: number;
}

export async function runMassLogout(o: { sessions: number; clients: number; alg: 'RS256' | 'ES256'; store: 'sqlite' | 'postgres' }): Promise<MassLogoutRow> {
  const S = o.sessions;
  const C = o.clients;
  const alg = o.alg;
  const values = { store: o.store };
  async function rawSigningRate(): Promise<number> {
    const { privateKey } = await generateKeyPair(alg);
    const until = performance.now() + 2000;
    let n = 0;
    while (performance.now() < until) {
      await new SignJWT({ sid: 'x', events: { e: {} }, typ: 'Logout' }).setProtectedHeader({ alg, typ: 'logout+jwt' }).setIssuer('https://i').setAudience('a').setSubject('s').setIssuedAt().setExpirationTime('2m').setJti(String(n)).sign(privateKey);
      n++;
    }
    return n / 2;
  }
  
  const receivers = await startReceivers(C);
  const dir = mkdtempSync(join(tmpdir(), 'sundown-mass-'));
  let storeArgs = ['--data-dir', dir];
  let dropDb = async () => {};
  if (values.store === 'postgres') {
    const admin = process.env.SUNDOWN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const name = `sundown_bench_${process.pid}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    storeArgs = ['--database-url', url.toString()];
    dropDb = async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    };
  }
  const adminUser = { SUNDOWN_ADMIN_USERNAME: 'bench-admin', SUNDOWN_ADMIN_PASSWORD: 'bench-admin-password' };
  const config = parseStartConfig(['--port', '0', '--log-level', 'silent', ...storeArgs], adminUser);
  config.logout = { ...config.logout, concurrency: 64, perClientConcurrency: 32 };
  const server = await startServer(config, pino({ level: 'silent' }));
  const store = server.store;
  const result = await importRealm(
    store.db,
    parseRealmJson({
      realm: 'mass',
      attributes: { backchannelLogoutAllowHttp: 'true' },
      clients: receivers.urls.map((url, i) => ({ clientId: `c${i}`, secret: `s${i}`, redirectUris: [`https://c${i}.example/cb`], attributes: { 'backchannel.logout.url': url, 'id.token.signed.response.alg': alg } })),
      users: [{ username: 'u' }],
    }),
  );
  const realm = { id: result.realmId };
  const clients = await store.db.selectFrom('client').select('id').where('realm_id', '=', result.realmId).execute();
  const user = await store.db.selectFrom('app_user').select('id').where('realm_id', '=', result.realmId).executeTakeFirstOrThrow();
  const tokenRes = await fetch(`${server.url}/realms/master/protocol/openid-connect/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: adminUser.SUNDOWN_ADMIN_USERNAME, password: adminUser.SUNDOWN_ADMIN_PASSWORD }) });
  const { access_token: adminToken } = (await tokenRes.json()) as { access_token: string };
  const logoutAll = async (): Promise<number> => {
    const res = await fetch(`${server.url}/admin/realms/mass/logout-all`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
    if (!res.ok) throw new Error(`logout-all answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { sundown: { endedSessions: number } }).sundown.endedSessions;
  };

  // Warm-up, not measured: one session logged out, so the realm's signing key exists.
  await seed(store, realm.id, user.id, clients, ['bench-warm-up'], Date.now());
  await logoutAll();
  await receivers.waitForTotal(C);
  receivers.arrivals.length = 0;

  // Setup, not measured: S live sessions, each with a client session per client.
  const now = Date.now();
  for (let i = 0; i < S; i += 500) {
    await seed(store, realm.id, user.id, clients, Array.from({ length: Math.min(500, S - i) }, (_, k) => `bench-sid-${i + k}`), now);
  }

  const signing = await rawSigningRate();
  const t0 = performance.timeOrigin + performance.now();
  const ended = await logoutAll();
  const t1 = performance.timeOrigin + performance.now();
  await receivers.waitForTotal(S * C);
  const t2 = Math.max(...receivers.arrivals.map((a) => a.at));
  const row: MassLogoutRow = {
    alg,
    store: o.store,
    sessions: S,
    clients: C,
    sessionsEndedPerSecond: ended / ((t1 - t0) / 1000),
    tokensPerSecond: (S * C) / ((t2 - t0) / 1000),
    secondsToLastToken: (t2 - t0) / 1000,
    rawSigningPerSecond: signing,
  };
  await server.close();
  await receivers.close();
  await dropDb();
  rmSync(dir, { recursive: true, force: true });
  return row;
}

/** Live SSO sessions, each with a client session per client, written straight to the store. */
async function seed(store: Store, realmId: string, userId: string, clients: Array<{ id: string }>, ids: string[], now: number): Promise<void> {
  await store.db.insertInto('sso_session').values(ids.map((id) => ({ id, realm_id: realmId, user_id: userId, cookie_hash: `h-${id}`, auth_time: now, started_at: now, last_seen_at: now, ip_address: null, ended_at: null, end_reason: null }))).execute();
  const cs = ids.flatMap((sid) => clients.map((c) => ({ id: `${sid}-${c.id}`, realm_id: realmId, sso_session_id: sid, client_id: c.id, user_id: userId, scope: 'openid', offline: 0 as const, first_token_at: now, last_token_at: now, ended_at: null })));
  for (let j = 0; j < cs.length; j += 1000) await store.db.insertInto('client_session').values(cs.slice(j, j + 1000)).execute();
}
