// The server survives its database going away (restart, failover, terminated connections):
// nothing crashes and nothing is thrown unhandled, requests in between answer 503
// temporarily_unavailable (JSON for APIs, a page for browser endpoints) instead of 500, everything
// recovers by itself, deliveries land exactly once, and cross-process NOTIFY wake-ups resume.
// PostgreSQL only: SQLite has no connections to lose.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { createProvider, type Provider } from '../../src/provider.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { openStore, type StoreConfig } from '../../src/store/database.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { logoutRealmJson } from '../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../helpers/oauth.ts';
import { startServerProcess } from '../helpers/process.ts';
import { Receiver } from '../helpers/receiver.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

const postgres = TEST_DATABASES[1]!;
const PUBLIC_URL = 'https://sso.test';
const OIDC_PATH = '/realms/test/protocol/openid-connect';
/** The worker's safety-net poll on PostgreSQL; a delivery faster than this was woken by NOTIFY. */
const POLL_MS = 5000;
const PROMPT_MS = 1000;

/** Records every unhandled rejection and uncaught exception of this process while installed. */
function trackProcessFaults() {
  const faults: string[] = [];
  const onFault = (err: unknown) => faults.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.on('unhandledRejection', onFault);
  process.on('uncaughtException', onFault);
  return {
    faults,
    stop() {
      process.off('unhandledRejection', onFault);
      process.off('uncaughtException', onFault);
    },
  };
}

const passwordGrant = (clientId: string) =>
  form(
    { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
    { authorization: basic(clientId, `${clientId}-secret`) },
  );

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function eventually(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A process without a delivery worker (as `notify-wakeup.test.ts`) ends a fresh session of rp1;
 * resolves with how long the worker of another process took to deliver its logout token.
 */
async function wakeUpLatency(writer: Provider, receiver: Receiver): Promise<number> {
  const res = await writer.fetch(new Request(`${PUBLIC_URL}${OIDC_PATH}/token`, passwordGrant('rp1')));
  assert.equal(res.status, 200);
  const sid = decodeJwt(((await res.json()) as { id_token: string }).id_token).payload.sid;
  const realm = (await writer.ctx.realms.realmByName('test'))!;
  const before = receiver.received.length;
  const started = Date.now();
  await writer.ctx.logout.endSessions(realm, [sid as string], 'admin_session');
  await receiver.waitFor(before + 1, POLL_MS * 2);
  const got = receiver.received[before]!;
  assert.equal(decodeJwt(got.token).payload.sid, sid);
  return got.at - started;
}

async function writerProvider(config: StoreConfig, receiverUrl: string) {
  const store = await openStore(config);
  await importRealm(store.db, parseRealmJson(logoutRealmJson({ rp1: receiverUrl, rp2: receiverUrl })));
  const provider = await createProvider(store, {
    publicUrl: PUBLIC_URL,
    log: pino({ level: 'silent' }),
    background: false,
  });
  return { store, provider, close: async () => (await provider.close(), await store.close()) };
}

test(
  'database outage (connections cut, new ones refused): 503 temporarily_unavailable as JSON or an HTML page, never 500; recovery by itself; NOTIFY wake-ups resume',
  { skip: postgres.skip },
  async () => {
    const tracked = trackProcessFaults();
    const created = await postgres.create();
    const url = created.config.kind === 'postgres' ? created.config.url : '';
    const receiver = await Receiver.start();
    const proxy = await TcpProxy.start(url);
    const writer = await writerProvider(created.config, receiver.url);
    const store = await openStore({ kind: 'postgres', url: proxy.url(url) });
    const server = await createProvider(store, {
      publicUrl: PUBLIC_URL,
      log: pino({ level: 'silent' }),
      logout: { waitMs: 0 },
    });
    const call = (path: string, init?: RequestInit) =>
      server.fetch(new Request(`${PUBLIC_URL}${OIDC_PATH}${path}`, init));
    const authorize = `/auth?${new URLSearchParams({ client_id: 'rp1', redirect_uri: 'https://rp1.example/cb', response_type: 'code', scope: 'openid' })}`;
    try {
      const grant = await call('/token', passwordGrant('rp1'));
      assert.equal(grant.status, 200);
      const idToken = ((await grant.json()) as { id_token: string }).id_token;

      await proxy.down();
      for (const res of [
        await call('/token', passwordGrant('rp1')),
        await call('/certs'),
        await call('/userinfo', { headers: { authorization: 'Bearer x.y.z' } }),
      ]) {
        assert.equal(res.status, 503, `${res.url}: ${await res.clone().text()}`);
        assert.equal(res.headers.get('retry-after'), '1');
        assert.match(res.headers.get('content-type') ?? '', /json/);
        assert.equal(((await res.json()) as { error: string }).error, 'temporarily_unavailable');
      }
      for (const res of [
        await call(authorize),
        await call(`/logout?${new URLSearchParams({ id_token_hint: idToken })}`),
      ]) {
        assert.equal(res.status, 503);
        assert.match(res.headers.get('content-type') ?? '', /text\/html/);
        assert.match(await res.text(), /temporarily_unavailable/);
      }

      await proxy.up();
      assert.equal((await call('/token', passwordGrant('rp1'))).status, 200, 'the token endpoint recovers by itself');
      assert.equal((await call('/certs')).status, 200);
      assert.equal((await call(authorize)).status, 200, 'the login page is back');

      // The LISTEN connection comes back by itself, and then another process's NOTIFY wakes us.
      await eventually(
        'the LISTEN connection is re-established',
        async () =>
          (await sql(url, "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'"))
            .length > 0,
      );
      for (let i = 0; i < 3; i++) {
        const ms = await wakeUpLatency(writer.provider, receiver);
        assert.ok(
          ms < PROMPT_MS,
          `probe ${i}: delivered after ${ms} ms; without a NOTIFY wake-up it waits for the ${POLL_MS} ms poll`,
        );
      }
      assert.deepEqual(tracked.faults, [], 'no unhandled rejection or uncaught exception');
    } finally {
      tracked.stop();
      await server.close();
      await store.close();
      await writer.close();
      await proxy.close();
      await receiver.close();
      await created.drop();
    }
  },
);

test(
  'pg_terminate_backend on every connection of a server process during deliveries (5 times): it lives, answers 503 or succeeds, delivers each logout once, and NOTIFY still wakes it',
  { skip: postgres.skip },
  async () => {
    const created = await postgres.create();
    const url = created.config.kind === 'postgres' ? created.config.url : '';
    const rp1 = await Receiver.start();
    const rp2 = await Receiver.start();
    const writerStore = await openStore(created.config);
    await importRealm(writerStore.db, parseRealmJson(logoutRealmJson({ rp1: rp1.url, rp2: rp2.url })));
    const writer = await createProvider(writerStore, {
      publicUrl: PUBLIC_URL,
      log: pino({ level: 'silent' }),
      background: false,
    });
    // The server's connections carry their own application_name, so only they are terminated.
    const serverUrl = new URL(url);
    serverUrl.searchParams.set('application_name', 'sundown_fault_test');
    const server = await startServerProcess([
      '--database-url',
      serverUrl.toString(),
      '--logout-wait-ms',
      '0',
      '--public-url',
      PUBLIC_URL,
    ]);
    const base = `${server.url}${OIDC_PATH}`;
    const statuses = new Map<number, number>();
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    /** Repeats a request answered 503 (what a client does on temporarily_unavailable). */
    const request = async (url: string, init?: RequestInit): Promise<Response> => {
      for (let i = 0; ; i++) {
        const res = await fetch(url, init);
        count(res.status);
        if (res.status !== 503 || i === 50) return res;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      const expected = { rp1: [] as string[], rp2: [] as string[] };
      let terminating = true;
      let terminated = 0;
      const terminator = (async () => {
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, 300));
          const rows = await sql<{ n: string }>(
            url,
            "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = 'sundown_fault_test'",
          );
          terminated += Number(rows[0]!.n);
        }
        terminating = false;
      })();
      let next = 0;
      const load = async () => {
        while (terminating || next < 16) {
          const clientId = next++ % 2 ? 'rp2' : 'rp1';
          const grant = await request(`${base}/token`, passwordGrant(clientId));
          if (grant.status !== 200) continue;
          const idToken = ((await grant.json()) as { id_token: string }).id_token;
          const logout = await request(`${base}/logout?${new URLSearchParams({ id_token_hint: idToken })}`);
          assert.equal(logout.status, 200, await logout.text());
          expected[clientId].push(decodeJwt(idToken).payload.sid as string);
        }
      };
      await Promise.all([terminator, load(), load(), load()]);
      assert.equal(server.child.exitCode, null, `the server process died:\n${server.output()}`);
      assert.ok(terminated >= 5, `terminated ${terminated} connections`);
      assert.deepEqual(
        [...statuses.keys()].filter((s) => s !== 200 && s !== 503),
        [],
        `only 200 or 503: ${JSON.stringify([...statuses])}`,
      );

      // Every logout lands exactly once. A claim whose answer was lost waits out its lease (25 s).
      await rp1.waitFor(expected.rp1.length, 45_000);
      await rp2.waitFor(expected.rp2.length, 45_000);
      await new Promise((r) => setTimeout(r, 1000));
      const sids = (r: Receiver) => r.received.map((x) => decodeJwt(x.token).payload.sid as string).sort();
      assert.deepEqual(sids(rp1), [...expected.rp1].sort(), 'rp1: each logout exactly once');
      assert.deepEqual(sids(rp2), [...expected.rp2].sort(), 'rp2: each logout exactly once');

      await eventually(
        'the server re-established its LISTEN connection',
        async () =>
          (
            await sql(
              url,
              "SELECT 1 FROM pg_stat_activity WHERE application_name = 'sundown_fault_test' AND query LIKE 'LISTEN%'",
            )
          ).length > 0,
      );
      for (let i = 0; i < 3; i++) {
        const ms = await wakeUpLatency(writer, rp1);
        assert.ok(
          ms < PROMPT_MS,
          `probe ${i}: delivered after ${ms} ms; without a NOTIFY wake-up it waits for the ${POLL_MS} ms poll`,
        );
      }
      assert.equal(server.child.exitCode, null, 'the server process lives');
      assert.doesNotMatch(server.output(), /unhandled|uncaught/i);
    } finally {
      await server.kill();
      await writer.close();
      await writerStore.close();
      await Promise.all([rp1.close(), rp2.close()]);
      await created.drop();
    }
  },
);

test(
  'unhandled rejection: an outcome the store refuses for longer than the claim lasts is logged, not thrown; the delivery is attempted again and every delivery lands',
  { skip: postgres.skip },
  async () => {
    const tracked = trackProcessFaults();
    const created = await postgres.create();
    const url = created.config.kind === 'postgres' ? created.config.url : '';
    const receiver = await Receiver.start();
    const writer = await writerProvider(created.config, receiver.url);
    // Fault injection in the database: recording a delivered outcome fails as if the server were
    // shutting down, after the receiver got the token.
    await sql(
      url,
      `CREATE FUNCTION fail_outcome() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN IF NEW.status = 'delivered' AND OLD.status <> 'delivered' THEN RAISE EXCEPTION 'injected: outcome refused' USING ERRCODE = '57P01'; END IF; RETURN NEW; END $$`,
    );
    await sql(
      url,
      'CREATE TRIGGER fail_outcome BEFORE UPDATE ON logout_delivery FOR EACH ROW EXECUTE FUNCTION fail_outcome()',
    );
    const store = await openStore(created.config);
    // One in flight per client: the other deliveries wait for the slot the first one holds.
    const server = await createProvider(store, {
      publicUrl: PUBLIC_URL,
      log: pino({ level: 'silent' }),
      logout: { perClientConcurrency: 1, http: { connectTimeoutMs: 300, responseTimeoutMs: 300 } },
    });
    try {
      const sids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await writer.provider.fetch(new Request(`${PUBLIC_URL}${OIDC_PATH}/token`, passwordGrant('rp1')));
        sids.push(decodeJwt(((await res.json()) as { id_token: string }).id_token).payload.sid as string);
      }
      const realm = (await writer.provider.ctx.realms.realmByName('test'))!;
      await writer.provider.ctx.logout.endSessions(realm, sids, 'admin_session');
      // The round retries the refused write while the claim lasts (lease 10.6 s), then gives up:
      // the claim runs out and the delivery is attempted again (at least once, standards §4).
      await receiver.waitFor(2, 40_000);
      await sql(url, 'DROP TRIGGER fail_outcome ON logout_delivery');
      // The slots of the unrecorded attempts are not lost: the other deliveries follow.
      const unique = () => new Set(receiver.received.map((r) => decodeJwt(r.token).payload.sid as string));
      await eventually("every session's logout token reached the receiver", async () => unique().size === 4, 40_000);
      assert.deepEqual([...unique()].sort(), [...sids].sort());
      assert.deepEqual(tracked.faults, [], 'no unhandled rejection or uncaught exception');
    } finally {
      tracked.stop();
      await server.close();
      await store.close();
      await writer.close();
      await receiver.close();
      await created.drop();
    }
  },
);
