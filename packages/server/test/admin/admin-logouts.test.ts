// Logouts for operators and auditors (issue 24): the admin API's list (filters by user, client,
// trigger, outcome and time; paging; CSV) and one logout's trace, and `sundown trace` printing it.
// On every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { logoutsCsv } from '../../src/admin/logouts-csv.ts';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { runTraceCommand } from '../../src/commands/trace-command.ts';
import { parseTraceCommand } from '../../src/config.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { startLogoutProvider } from '../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, type TestProvider } from '../helpers/provider.ts';
import { Receiver } from '../helpers/receiver.ts';

const ADMIN = `${ISSUER_BASE}/admin/realms/test/sundown/logouts`;
const FAST = {
  retry: { baseDelayMs: 60_000, maxDelayMs: 60_000, maxAgeMs: 3_600_000 },
  http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000 },
  waitMs: 2000,
};

interface Summary {
  id: string;
  trigger: string;
  startedBy: string;
  actor: string | null;
  userId: string | null;
  username: string | null;
  sessions: number;
  outcome: string;
  deliveries: Record<string, number>;
}

test('the CSV quotes what needs quoting and defuses formulas', () => {
  const csv = logoutsCsv([
    {
      id: 'l1',
      trigger: 'admin_user',
      startedBy: 'admin',
      actor: '=HYPERLINK("x")',
      ipAddress: null,
      userId: 'u1',
      username: 'a,b',
      sessions: 2,
      createdAt: Date.UTC(2026, 0, 31),
      deliveries: {
        pending: 0,
        retrying: 0,
        delivered: 2,
        rejected: 0,
        failed: 0,
        skipped: 0,
        unconfirmed: 0,
        held: 0,
      },
      outcome: 'complete',
    },
  ]);
  const [header, row] = csv.split('\r\n');
  assert.equal(
    header,
    'id,created_at,trigger,started_by,actor,ip_address,user_id,username,sessions,outcome,pending,retrying,delivered,rejected,failed,skipped,unconfirmed,held',
  );
  assert.equal(
    row,
    `l1,2026-01-31T00:00:00.000Z,admin_user,admin,"'=HYPERLINK(""x"")",,u1,"a,b",2,complete,0,0,2,0,0,0,0,0`,
  );
});

test('sundown trace takes one logout id', () => {
  assert.equal(parseTraceCommand(['abc', '--json'], {}).logoutId, 'abc');
  assert.throws(() => parseTraceCommand([], {}), /give one logout id/);
  assert.throws(() => parseTraceCommand(['a', 'b'], {}), /give one logout id/);
});

for (const database of TEST_DATABASES) {
  describe(`admin logouts and sundown trace on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r1: Receiver;
    let r2: Receiver;
    let token: string;
    const ids: Record<string, string> = {};
    before(async () => {
      [r1, r2] = await Promise.all([Receiver.start(), Receiver.start()]);
      r1.answer = () => ({ status: 200, body: '{"logged_out":true,"sessions_ended":1}' });
      t = await startLogoutProvider(database, { rp1: r1.url, rp2: r2.url }, { logout: FAST });
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await t.fetch(
        `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      token = ((await res.json()) as { access_token: string }).access_token;
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      ids.alice = (await t.provider.ctx.realms.userByUsername(realm.id, 'alice'))!.id;
      ids.bob = (await t.provider.ctx.realms.userByUsername(realm.id, 'bob'))!.id;
      // alice: signed in to rp1 only, logged out by the admin: complete.
      await login('alice', 'rp1');
      assert.equal((await admin('POST', `/admin/realms/test/users/${ids.alice}/logout`)).status, 204);
      // bob: rp1 and rp2 with rp2 down, one session ended by the admin: in progress (retried).
      await r2.stop();
      await login('bob', 'rp1');
      const sid = await login('bob', 'rp2');
      assert.equal((await admin('DELETE', `/admin/realms/test/sessions/${sid}`)).status, 204);
      // Both first attempts recorded (the admin endpoints answer before them).
      for (let i = 0; i < 200; i++) {
        const rows = await list('');
        if (rows.length === 2 && rows.every((r) => r.deliveries.pending === 0)) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const rows = await list('');
      ids.aliceLogout = rows.find((r) => r.trigger === 'admin_user')!.id;
      ids.bobLogout = rows.find((r) => r.trigger === 'admin_session')!.id;
    });
    after(async () => {
      await t?.close();
      await Promise.all([r1?.close(), r2?.close()]);
    });

    const admin = (method: string, path: string) =>
      t.fetch(`${ISSUER_BASE}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    async function login(username: string, client: 'rp1' | 'rp2'): Promise<string> {
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username, password: `${username}-pw`, scope: 'openid' },
          { authorization: basic(client, `${client}-secret`) },
        ),
      );
      return decodeJwt(((await res.json()) as { id_token: string }).id_token).payload.sid as string;
    }
    async function list(query: string): Promise<Summary[]> {
      const res = await admin('GET', `/admin/realms/test/sundown/logouts${query}`);
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Summary[];
    }
    const listed = async (query: string) => (await list(query)).map((r) => r.id).sort();

    test('the list: trigger, who started it, sessions, deliveries by status and the outcome', async () => {
      const rows = await list('');
      const alice = rows.find((r) => r.id === ids.aliceLogout)!;
      assert.equal(alice.startedBy, 'admin');
      assert.equal(alice.actor, 'admin');
      assert.equal(alice.username, 'alice');
      assert.equal(alice.sessions, 1);
      assert.equal(alice.deliveries.delivered, 1);
      assert.equal(alice.outcome, 'complete');
      const bob = rows.find((r) => r.id === ids.bobLogout)!;
      assert.equal(bob.outcome, 'in_progress');
      assert.equal(bob.deliveries.retrying, 1);
    });

    test('filters: user, client, trigger, outcome, time; paging; bad filters are 400', async () => {
      assert.deepEqual(await listed(`?user=${ids.alice}`), [ids.aliceLogout]);
      assert.deepEqual(await listed('?client=rp2'), [ids.bobLogout]);
      assert.deepEqual(await listed('?trigger=admin_session'), [ids.bobLogout]);
      assert.deepEqual(await listed('?outcome=in_progress'), [ids.bobLogout]);
      assert.deepEqual(await listed('?outcome=complete'), [ids.aliceLogout]);
      assert.deepEqual(await listed('?outcome=incomplete'), []);
      assert.deepEqual(await listed(`?from=${Date.now() + 60_000}`), []);
      assert.deepEqual(await listed('?to=2000-01-01'), []);
      assert.equal((await listed(`?from=${new Date(Date.now() - 60_000).toISOString()}`)).length, 2);
      assert.equal((await list('?max=1')).length, 1);
      assert.equal((await list('?first=1&max=1')).length, 1);
      for (const bad of ['?trigger=nope', '?outcome=nope', '?from=yesterday'])
        assert.equal((await admin('GET', `/admin/realms/test/sundown/logouts${bad}`)).status, 400, bad);
    });

    test('CSV export: format=csv or Accept: text/csv', async () => {
      const res = await admin('GET', '/admin/realms/test/sundown/logouts?format=csv');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/csv/);
      const lines = (await res.text()).trim().split('\r\n');
      assert.match(lines[0]!, /^id,created_at,trigger,/);
      assert.equal(lines.length, 3);
      assert.ok(lines.some((l) => l.startsWith(`${ids.aliceLogout},`) && l.includes(',admin_user,admin,admin,')));
      const accept = await t.fetch(ADMIN, { headers: { authorization: `Bearer ${token}`, accept: 'text/csv' } });
      assert.match(accept.headers.get('content-type')!, /^text\/csv/);
    });

    test('one logout: its trace across channels, each app’s outcome; 404 for another realm’s or an unknown id', async () => {
      const res = await admin('GET', `/admin/realms/test/sundown/logouts/${ids.bobLogout}`);
      assert.equal(res.status, 200);
      const trace = (await res.json()) as {
        logout: { trigger: string; actor: string };
        sessions: Array<{ username: string }>;
        status: { apps: Array<{ clientId: string; state: string }>; outcome: string };
        timeline: Array<{ clientId: string | null; channel: string | null; what: string }>;
      };
      assert.equal(trace.logout.trigger, 'admin_session');
      assert.deepEqual(
        trace.sessions.map((s) => s.username),
        ['bob'],
      );
      assert.deepEqual(
        trace.status.apps.map((a) => [a.clientId, a.state]),
        [['rp2', 'retrying']],
      );
      assert.match(trace.timeline[0]!.what, /^logout started \(admin_session\): 1 session ended$/);
      assert.ok(
        trace.timeline.some((s) => s.clientId === 'rp2' && s.channel === 'back-channel' && s.what === 'queued'),
      );
      assert.ok(
        trace.timeline.some(
          (s) => s.clientId === 'rp2' && /^attempt 1: not delivered: connection_refused/.test(s.what),
        ),
        JSON.stringify(trace.timeline),
      );
      const alice = (await (await admin('GET', `/admin/realms/test/sundown/logouts/${ids.aliceLogout}`)).json()) as {
        timeline: Array<{ what: string }>;
      };
      assert.ok(
        alice.timeline.some((s) => s.what === 'attempt 1: delivered (HTTP 200), receipt: 1 session ended'),
        JSON.stringify(alice.timeline),
      );
      assert.equal((await admin('GET', '/admin/realms/test/sundown/logouts/no-such-logout')).status, 404);
      assert.equal((await admin('GET', `/admin/realms/master/sundown/logouts/${ids.aliceLogout}`)).status, 404);
    });

    test('sundown trace <id> prints the timeline and the outcome; exit 2 while an app is not signed out, 1 for an unknown id', async () => {
      const run = async (argv: string[]) => {
        let out = '';
        const config = parseTraceCommand(argv, {});
        const code = await runTraceCommand(
          { ...config, store: t.storeConfig! },
          ISSUER_BASE,
          pino({ level: 'silent' }),
          (s) => (out += s),
        );
        return { code, out };
      };
      const bob = await run([ids.bobLogout!]);
      assert.equal(bob.code, 2, bob.out);
      assert.match(
        bob.out,
        new RegExp(`^Logout ${ids.bobLogout}\\n  realm       test\\n  trigger     admin_session\\n`),
      );
      assert.match(bob.out, /\n {2}started by {2}admin \(admin\)\n/);
      assert.match(bob.out, /\nTimeline\n {2}\+0 ms {6}— +logout started \(admin_session\): 1 session ended\n/);
      assert.match(bob.out, /rp2 +back-channel +attempt 1: not delivered: connection_refused/);
      assert.match(
        bob.out,
        /\nApplications\n {2}↻ rp2 +Not reached yet, trying again — the application is not answering/,
      );
      const alice = await run([ids.aliceLogout!]);
      assert.equal(alice.code, 0, alice.out);
      assert.match(alice.out, /✓ rp1 +Signed out \(1 session ended\)/);
      const json = await run([ids.aliceLogout!, '--json']);
      assert.equal((JSON.parse(json.out) as { logout: { id: string } }).logout.id, ids.aliceLogout);
      const none = await run(['00000000-0000-4000-8000-000000000000']);
      assert.equal(none.code, 1);
      assert.match(none.out, /no logout/);
    });
  });
}
