// Durability across processes: a SIGKILLed server's pending deliveries are sent by the next
// one; two servers on one PostgreSQL attempt each delivery exactly once; the logout and
// doctor commands work against a store a server uses.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { logoutRealmJson } from '../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../helpers/oauth.ts';
import { runCli, startServerProcess } from '../helpers/process.ts';
import { Receiver } from '../helpers/receiver.ts';

function realmFile(dir: string, json: unknown): string {
  const file = join(dir, 'realm.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

async function passwordLogin(
  base: string,
  clientId: string,
  user = 'alice',
  password = 'alice-pw',
): Promise<Record<string, string>> {
  const res = await fetch(
    `${base}/realms/test/protocol/openid-connect/token`,
    form(
      { grant_type: 'password', username: user, password, scope: 'openid' },
      { authorization: basic(clientId, `${clientId}-secret`) },
    ),
  );
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Record<string, string>;
}

const logout = (base: string, idToken: string) =>
  fetch(`${base}/realms/test/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: idToken })}`);

test('server killed (SIGKILL) with deliveries pending: the restarted server delivers all of them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-kill-'));
  const receiver = await Receiver.start();
  const port = receiver.port;
  await receiver.stop();
  const file = realmFile(dir, logoutRealmJson({ rp1: receiver.url, rp2: receiver.url }));
  const data = join(dir, 'data');
  let server = await startServerProcess(['--data-dir', data, '--import-realm', file, '--logout-wait-ms', '0']);
  try {
    const sids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const tokens = await passwordLogin(server.url, 'rp1');
      sids.push(decodeJwt(tokens.id_token!).payload.sid as string);
      assert.equal((await logout(server.url, tokens.id_token!)).status, 200);
    }
    await new Promise((r) => setTimeout(r, 300));
    await server.kill('SIGKILL');
    await receiver.listen(port);
    server = await startServerProcess(['--data-dir', data]);
    await receiver.waitFor(3, 20_000);
    assert.deepEqual(
      [...new Set(receiver.received.map((r) => decodeJwt(r.token).payload.sid))].sort(),
      [...sids].sort(),
    );
  } finally {
    await server.kill();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const postgres = TEST_DATABASES[1]!;
test(
  'two server processes on one PostgreSQL: every delivery attempted by exactly one process, none lost',
  { skip: postgres.skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sundown-pg2-'));
    const created = await postgres.create();
    const r1 = await Receiver.start();
    const r2 = await Receiver.start();
    const file = realmFile(dir, logoutRealmJson({ rp1: r1.url, rp2: r2.url }));
    const url = created.config.kind === 'postgres' ? created.config.url : '';
    // One deployment: both processes serve the same issuer.
    const common = ['--database-url', url, '--logout-wait-ms', '0', '--public-url', 'https://sso.test'];
    const a = await startServerProcess([...common, '--import-realm', file]);
    const b = await startServerProcess(common);
    try {
      const idTokens: string[] = [];
      for (let i = 0; i < 15; i++) {
        idTokens.push((await passwordLogin(i % 2 ? a.url : b.url, 'rp1')).id_token!);
        idTokens.push((await passwordLogin(i % 2 ? b.url : a.url, 'rp2')).id_token!);
      }
      await Promise.all(idTokens.map((t, i) => logout(i % 2 ? a.url : b.url, t)));
      await r1.waitFor(15, 20_000);
      await r2.waitFor(15, 20_000);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(r1.received.length, 15, 'no duplicate deliveries to rp1');
      assert.equal(r2.received.length, 15, 'no duplicate deliveries to rp2');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ status: string; attempts: number; n: string }>(
        'SELECT status, attempts, count(*) AS n FROM logout_delivery GROUP BY status, attempts',
      );
      await client.end();
      assert.deepEqual(
        rows.map((r) => [r.status, r.attempts, Number(r.n)]),
        [['delivered', 1, 30]],
      );
    } finally {
      await Promise.all([a.kill(), b.kill()]);
      await Promise.all([r1.close(), r2.close()]);
      await created.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('sundown logout --user and sundown doctor against the store of a running server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-cli2-'));
  const good = await Receiver.start();
  const dead = await Receiver.start();
  const deadUrl = dead.url;
  await dead.close();
  const file = realmFile(dir, logoutRealmJson({ rp1: good.url, rp2: deadUrl }));
  const data = join(dir, 'data');
  const server = await startServerProcess(['--data-dir', data, '--import-realm', file]);
  try {
    const sids = [];
    for (let i = 0; i < 2; i++)
      sids.push(decodeJwt((await passwordLogin(server.url, 'rp1', 'bob', 'bob-pw')).id_token!).payload.sid);
    const out = await runCli([
      'logout',
      '--realm',
      'test',
      '--user',
      'bob',
      '--data-dir',
      data,
      '--public-url',
      server.url,
      '--wait-ms',
      '5000',
    ]);
    assert.equal(out.code, 0, out.out);
    assert.match(out.out, /Ended 2 session\(s\) \(user bob\) in realm test\./);
    assert.match(out.out, /Back-channel logout tokens: 2 \(2 delivered\)/);
    await good.waitFor(2);
    assert.deepEqual(good.received.map((r) => decodeJwt(r.token).payload.sid).sort(), [...sids].sort());
    assert.equal(decodeJwt(good.received[0]!.token).payload.iss, `${server.url}/realms/test`);

    const doctor = await runCli(['doctor', '--realm', 'test', '--data-dir', data, '--public-url', server.url]);
    assert.equal(doctor.code, 2, doctor.out);
    const lines = doctor.out.split('\n');
    assert.match(
      lines.find((l) => l.startsWith('rp1 '))!,
      /ok: HTTP 200/,
    );
    assert.match(
      lines.find((l) => l.startsWith('rp2 '))!,
      /FAIL connection_refused: Connection refused/,
    );
    assert.match(doctor.out, /1 of 2 back-channel logout URLs need attention/);

    const bad = await runCli(['logout', '--realm', 'test', '--data-dir', data]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /give exactly one of --user U, --session S or --all/);
  } finally {
    await server.kill();
    await good.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
