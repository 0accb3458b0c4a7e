// `npm start` (examples/demo.ts): prints where to go and what to try, stops cleanly on Ctrl-C,
// names every port that is taken with the flag to change it, and refuses a data directory
// another demo uses. Ports are 0 (the demo binds and reads them back) or held by the test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const DEMO = new URL('../demo.ts', import.meta.url).pathname;

function run(args: string[], until?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // --conditions=source: the demo imports @sundown/server by name; the sources, never a stale dist/.
    const child = spawn(process.execPath, ['--conditions=source', DEMO, ...args]);
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (until?.test(out)) child.kill('SIGINT');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** Listens on port 0 and keeps the port, as something else using it. */
async function occupy(): Promise<{ port: number; close(): void }> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as { port: number }).port, close: () => s.close() };
}

const ANY_PORTS = [
  '--port',
  '0',
  '--app-one-port',
  '0',
  '--app-two-port',
  '0',
  '--app-three-port',
  '0',
  '--app-four-port',
  '0',
];

/** The port a printed line names, e.g. `App One (Express)   http://localhost:40123`. */
function printedPort(out: string, label: string): number {
  const m = new RegExp(`${label}\\s+http://localhost:(\\d+)`).exec(out);
  assert.ok(m, `${label} in:\n${out}`);
  assert.notEqual(Number(m[1]), 0);
  return Number(m[1]);
}

test('starts all four, prints the URLs and the try-this script, and stops on Ctrl-C', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-democli-'));
  try {
    const { code, out } = await run([...ANY_PORTS, '--data-dir', dir], /Press Ctrl-C to stop/);
    assert.equal(code, 0, out);
    const p = printedPort(out, 'Sundown \\(OpenID Provider\\)');
    assert.match(out, new RegExp(`Sundown \\(OpenID Provider\\)\\s+http://localhost:${p}/realms/demo`));
    const apps = [
      'App One \\(Express\\)',
      'App Two \\(Hono\\)',
      'App Three \\(keycloak-js SPA\\)',
      'App Four \\(SAML, node-saml\\)',
    ].map((l) => printedPort(out, l));
    assert.equal(new Set([p, ...apps]).size, 5, 'five different ports');
    assert.match(out, /alice \/ alice-password/);
    assert.match(out, new RegExp(`Admin console\\s+http://localhost:${p}/admin/`));
    assert.match(out, /Console:\s+admin \/ admin-password/);
    assert.match(out, /Try this:/);
    assert.match(out, /Stopping/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every port in use is named with the flag to change it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-democli-'));
  const [server, one, two, three, four] = await Promise.all([occupy(), occupy(), occupy(), occupy(), occupy()]);
  try {
    const { code, out } = await run([
      '--port',
      String(server!.port),
      '--app-one-port',
      '0',
      '--app-two-port',
      String(two!.port),
      '--app-three-port',
      '0',
      '--app-four-port',
      '0',
      '--data-dir',
      dir,
    ]);
    assert.equal(code, 1, out);
    assert.match(out, new RegExp(`Port ${server!.port} \\(Sundown server\\) is already in use.*--port\\.`));
    assert.match(out, new RegExp(`Port ${two!.port} \\(App Two\\) is already in use.*--app-two-port`));
    assert.doesNotMatch(out, /App One|App Three|App Four/);
    const all = await run([
      '--port',
      String(server!.port),
      '--app-one-port',
      String(one!.port),
      '--app-two-port',
      String(two!.port),
      '--app-three-port',
      String(three!.port),
      '--app-four-port',
      String(four!.port),
      '--data-dir',
      dir,
    ]);
    assert.equal(all.code, 1, all.out);
    for (const flag of ['--port', '--app-one-port', '--app-two-port', '--app-three-port', '--app-four-port'])
      assert.match(all.out, new RegExp(`in use.*${flag}\\.`));
  } finally {
    for (const o of [server, one, two, three, four]) o!.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one-server-per-data-dir: a second `npm start` on the data directory of a running demo stops, naming the folder and the process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-democli-'));
  const first = spawn(process.execPath, ['--conditions=source', DEMO, ...ANY_PORTS, '--data-dir', dir]);
  let firstOut = '';
  const running = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      firstOut += d.toString();
      if (/Press Ctrl-C to stop/.test(firstOut)) resolve();
    };
    first.stdout.on('data', onData);
    first.stderr.on('data', onData);
    first.once('exit', () => reject(new Error(`the first demo exited:\n${firstOut}`)));
  });
  const exited = new Promise<number | null>((resolve) => first.once('exit', resolve));
  try {
    await running;
    const { code, out } = await run([...ANY_PORTS, '--data-dir', dir]);
    assert.equal(code, 1, out);
    assert.ok(
      out.includes(`demo: The data directory ${dir} is in use by another Sundown server (pid ${first.pid})`),
      out,
    );
    assert.match(out, /npm start -- --data-dir/);
    assert.doesNotMatch(out, /Sundown single sign-out demo is running/);
    // The first demo still answers with its own realm.
    const issuer = /Sundown \(OpenID Provider\)\s+(\S+)/.exec(firstOut)![1]!;
    assert.equal((await fetch(`${issuer}/.well-known/openid-configuration`)).status, 200);
  } finally {
    first.kill('SIGINT');
    assert.equal(await exited, 0, firstOut);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`npm start 18090` (npm kept the flag) says to put -- before the flags', async () => {
  const { code, out } = await run(['18090']);
  assert.equal(code, 1);
  assert.match(out, /demo: unexpected argument "18090"\. .*put -- before them, e\.g\. npm start -- --port 18090/);
  assert.match(out, /Usage: npm start -- \[--port 8080\]/);
});
