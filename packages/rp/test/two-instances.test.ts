// Two app processes sharing a Redis store: a logout token received by one ends the session
// served by the other on its very next request.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { test } from 'node:test';
import { CLIENT, ISSUER, testIssuer } from './helpers/tokens.ts';

const redisUrl = process.env.SUNDOWN_TEST_REDIS_URL;

function startInstance(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [new URL('./fixtures/two-instance-app.ts', import.meta.url).pathname], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    // A slow start (a loaded machine) fails the test, and the child goes with it: a child left
    // running would keep this test file's process alive, and the whole run with it.
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`instance did not start within 30 s: ${out}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance exited (${code}) before listening: ${out}`));
    });
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${m[1]}` });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

test(
  'two app processes on one Redis: the token reaches A, the session on B ends',
  { skip: redisUrl ? undefined : 'SKIPPED: no Redis server or redis-server binary on this machine' },
  async () => {
    const op = await testIssuer();
    const env = {
      REDIS_URL: redisUrl!,
      PREFIX: `two:${process.pid}:${Date.now()}:`,
      ISSUER,
      CLIENT_ID: CLIENT,
      JWKS: JSON.stringify(op.jwks),
    };
    const started = await Promise.allSettled([startInstance(env), startInstance(env)]);
    const [a, b] = started.map((r) => (r.status === 'fulfilled' ? r.value : null));
    if (!a || !b) {
      // One started, the other did not: stop the one, then fail with the other's reason.
      a?.child.kill();
      b?.child.kill();
      throw started.find((r) => r.status === 'rejected')!.reason;
    }
    try {
      const login = await fetch(`${b.url}/test-login?sid=sid-1`);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      assert.equal(await (await fetch(`${b.url}/`, { headers: { cookie } })).text(), 'signed in');
      const res = await fetch(`${a.url}/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: await op.token() }).toString(),
      });
      assert.equal(res.status, 200);
      assert.equal(
        await (await fetch(`${b.url}/`, { headers: { cookie } })).text(),
        'signed out',
        'very next request on B',
      );
      const replay = await fetch(`${b.url}/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: await op.token({ jti: 'same' }) }).toString(),
      });
      assert.equal(replay.status, 200);
      const replayOnA = await fetch(`${a.url}/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: await op.token({ jti: 'same' }) }).toString(),
      });
      assert.equal(replayOnA.status, 400, 'a jti seen by B is a replay on A');
    } finally {
      a.child.kill();
      b.child.kill();
    }
  },
);
