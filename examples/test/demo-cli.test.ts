// `npm start` (examples/demo.ts): prints where to go and what to try, stops cleanly on Ctrl-C,
// and names the port and the flag when a port is taken.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const DEMO = new URL('../demo.ts', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

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

test('starts all four, prints the URLs and the try-this script, and stops on Ctrl-C', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-democli-'));
  try {
    const [p, a, b, c] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const { code, out } = await run(
      [
        '--port',
        String(p),
        '--app-one-port',
        String(a),
        '--app-two-port',
        String(b),
        '--app-three-port',
        String(c),
        '--data-dir',
        dir,
      ],
      /Press Ctrl-C to stop/,
    );
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`Sundown \\(OpenID Provider\\)\\s+http://localhost:${p}/realms/demo`));
    assert.match(out, new RegExp(`App One \\(Express\\)\\s+http://localhost:${a}`));
    assert.match(out, new RegExp(`App Two \\(Hono\\)\\s+http://localhost:${b}`));
    assert.match(out, new RegExp(`App Three \\(keycloak-js SPA\\)\\s+http://localhost:${c}`));
    assert.match(out, /alice \/ alice-password/);
    assert.match(out, new RegExp(`Admin console\\s+http://localhost:${p}/admin/`));
    assert.match(out, /Console:\s+admin \/ admin-password/);
    assert.match(out, /Try this:/);
    assert.match(out, /Stopping/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a port in use is named with the flag to change it', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const taken = (blocker.address() as { port: number }).port;
  try {
    const { code, out } = await run([
      '--port',
      String(await freePort()),
      '--app-one-port',
      String(await freePort()),
      '--app-two-port',
      String(taken),
    ]);
    assert.equal(code, 1);
    assert.match(out, new RegExp(`Port ${taken} \\(App Two\\) is already in use.*--app-two-port`));
  } finally {
    blocker.close();
  }
});

test('`npm start 18090` (npm kept the flag) says to put -- before the flags', async () => {
  const { code, out } = await run(['18090']);
  assert.equal(code, 1);
  assert.match(out, /demo: unexpected argument "18090"\. .*put -- before them, e\.g\. npm start -- --port 18090/);
  assert.match(out, /Usage: npm start -- \[--port 8080\]/);
});
