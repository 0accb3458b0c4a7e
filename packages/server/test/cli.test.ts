// The `sundown` command: clear start-up errors with a non-zero exit, and a clean start.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServerProcess } from './helpers/process.ts';

const BIN = new URL('../bin/sundown.js', import.meta.url).pathname;
// The sources under test, also when this file runs outside npm scripts (see .npmrc): never a stale dist/.
const SOURCES = '--conditions=source';

function run(args: string[], until?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SOURCES, BIN, ...args], {
      env: { ...process.env, SUNDOWN_LOG_LEVEL: 'info' },
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (until?.test(out)) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('invalid flags: exit 1 with every problem listed', async () => {
  const { code, out } = await run(['start', '--port', 'abc', '--public-url', 'nope']);
  assert.equal(code, 1);
  assert.match(out, /Invalid configuration/);
  assert.match(out, /--port must be a whole number from 0 to 65535 \(got "abc"\)/);
  assert.match(out, /--public-url must be an absolute http\(s\) URL/);
  assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
});

test('a port already in use is named, with the flag to change it', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'sundown-cli-'));
  try {
    const { code, out } = await run(['start', '--port', String(port), '--data-dir', dir]);
    assert.equal(code, 1);
    assert.match(out, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(out, /--port/);
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an invalid realm file stops start-up with the offending field path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-cli-'));
  try {
    const file = join(dir, 'realm.json');
    writeFileSync(
      file,
      JSON.stringify({ realm: 'x', clients: [{ clientId: 'a', redirectUris: ['https://a.example/#x'] }] }),
    );
    const { code, out } = await run(['start', '--port', '0', '--data-dir', dir, '--import-realm', file]);
    assert.equal(code, 1);
    assert.match(out, /\$\.clients\[0\]\.redirectUris\[0\]: .*fragment/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('starts, imports, prints the import report with the unused fields once, and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-cli-'));
  try {
    const file = join(dir, 'realm.json');
    writeFileSync(
      file,
      JSON.stringify({
        realm: 'x',
        identityProviders: [],
        smtpServer: {},
        clients: [
          {
            clientId: 'a',
            authorizationSettings: {},
            protocolMappers: [{ name: 'js', protocolMapper: 'oidc-script-based-protocol-mapper', config: {} }],
          },
        ],
      }),
    );
    const { code, out } = await run(
      ['start', '--port', '0', '--data-dir', dir, '--import-realm', file],
      /Sundown listening/,
    );
    assert.equal(code, 0);
    assert.match(out, /imported realm x/);
    // Started without SUNDOWN_ADMIN_*: one line says how to turn the console on.
    const hints = out.split('\n').filter((l) => l.includes('admin console'));
    assert.equal(hints.length, 1, out);
    assert.match(
      hints[0]!,
      /admin console http:\/\/localhost:\d+\/admin\/ is off .*SUNDOWN_ADMIN_USERNAME and SUNDOWN_ADMIN_PASSWORD/,
    );
    assert.match(out, /^Realm "x" imported from realm\.json: 1 client, 0 users\.$/m);
    assert.match(out, /^ {2}realm settings:\n {6}identityProviders$/m);
    assert.match(out, /^ {2}clients\[\] \(in 1 client\):\n {6}authorizationSettings$/m);
    // A mapper type Sundown does not evaluate is named, never silently dropped.
    assert.match(out, /protocol mappers of types Sundown does not\s+evaluate/);
    assert.match(out, /oidc-script-based-protocol-mapper/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A realm file whose one client has `redirectUri`, written into `dir`. */
function realmWith(dir: string, name: string, redirectUri: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({ realm: 'x', clients: [{ clientId: 'a', publicClient: true, redirectUris: [redirectUri] }] }),
  );
  return file;
}

/** The status of an authorization request of client `a` with this redirect URI: 200 (login page) when it is registered. */
async function authorize(base: string, redirectUri: string): Promise<number> {
  const q = new URLSearchParams({
    client_id: 'a',
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
    code_challenge: 'x'.repeat(43),
    code_challenge_method: 'S256',
  });
  return (await fetch(`${base}/realms/x/protocol/openid-connect/auth?${q}`)).status;
}

test('one-server-per-data-dir: a second `sundown start` on a data directory in use stops before importing, naming the directory and the running process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-cli-'));
  const data = join(dir, 'data');
  const first = await startServerProcess([
    '--data-dir',
    data,
    '--import-realm',
    realmWith(dir, 'a.json', 'http://127.0.0.1:3001/cb'),
  ]);
  try {
    assert.equal(await authorize(first.url, 'http://127.0.0.1:3001/cb'), 200);
    const { code, out } = await run(
      [
        'start',
        '--port',
        '0',
        '--data-dir',
        data,
        '--import-realm',
        realmWith(dir, 'b.json', 'http://127.0.0.1:4001/cb'),
      ],
      /Sundown listening/,
    );
    assert.equal(code, 1, out);
    assert.ok(
      out.includes(`The data directory ${data} is in use by another Sundown server (pid ${first.child.pid})`),
      out,
    );
    assert.match(out, /--data-dir/);
    assert.match(out, /--database-url/);
    assert.doesNotMatch(out, /imported realm/);
    assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
    // The first server's realm is as it imported it.
    assert.equal(await authorize(first.url, 'http://127.0.0.1:3001/cb'), 200);
    assert.equal(await authorize(first.url, 'http://127.0.0.1:4001/cb'), 400);
  } finally {
    await first.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one-server-per-data-dir: the lock goes with a clean stop, and a lock left by a killed server does not stop the next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-cli-'));
  const data = join(dir, 'data');
  const lock = join(data, 'sundown.lock');
  const started: Array<Awaited<ReturnType<typeof startServerProcess>>> = [];
  try {
    const killed = await startServerProcess(['--data-dir', data]);
    started.push(killed);
    assert.equal(readFileSync(lock, 'utf8').trim(), String(killed.child.pid));
    await killed.kill('SIGKILL');
    assert.ok(existsSync(lock), 'a killed process leaves its lock behind');
    const next = await startServerProcess(['--data-dir', data]);
    started.push(next);
    assert.equal(readFileSync(lock, 'utf8').trim(), String(next.child.pid));
    await next.kill('SIGTERM');
    assert.ok(!existsSync(lock), 'a clean stop removes the lock');
  } finally {
    await Promise.all(started.map((p) => p.kill()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--help lists the environment variables, SUNDOWN_ADMIN_* among them', async () => {
  const { code, out } = await run(['--help']);
  assert.equal(code, 0);
  assert.match(out, /Environment variables of start/);
  for (const name of ['SUNDOWN_PORT', 'SUNDOWN_DATABASE_URL', 'SUNDOWN_ADMIN_USERNAME', 'SUNDOWN_ADMIN_PASSWORD'])
    assert.match(out, new RegExp(`\\n  ${name} `), name);
  assert.match(out, /KC_BOOTSTRAP_ADMIN_USERNAME/);
});

test('a bare word where a flag belongs says to put -- before the flags (npm start 18090)', async () => {
  const { code, out } = await run(['start', '18090']);
  assert.equal(code, 1);
  assert.match(out, /unexpected argument "18090": options are flags such as --port 18090/);
  assert.match(out, /put -- before the flags .*npm start -- --port 18090/);
  assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
});

test('the direct start command of a clone runs the sources with no dist/ and no --conditions', async () => {
  // `node packages/server/bin/sundown.js start`, as the README gives it: without the `source`
  // condition the `#cli` import would be dist/cli.js, which a clone does not have.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS'));
  const child = spawn(process.execPath, [BIN, '--help'], { env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 0, out);
  assert.match(out, /^Usage: sundown <command>/);
});

test('on a Node older than 24.7 the command says which Node it needs, not a syntax error', async (t) => {
  const old = ['/usr/bin/node', '/usr/local/bin/node'].find(
    (p) => existsSync(p) && Number(spawnSync(p, ['-p', 'process.versions.node.split(".")[0]']).stdout) < 24,
  );
  if (!old) return t.skip('no Node older than 24 on this machine');
  const r = spawnSync(old, [BIN, 'start'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /sundown: needs Node\.js 24\.7 or newer; this is v\d+/);
  assert.match(r.stderr, /npx sundown/);
});
