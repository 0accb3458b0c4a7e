// The `sundown` command: clear start-up errors with a non-zero exit, and a clean start.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

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

test('starts, imports, warns once about unknown fields, and stops on SIGTERM', async () => {
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
    const warnings = out.split('\n').filter((l) => l.includes('ignored unsupported fields'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /\$\.identityProviders, \$\.smtpServer, \$\.clients\[0\]\.authorizationSettings/);
    // A mapper type Sundown does not evaluate is named, never silently dropped.
    assert.match(
      out,
      /protocol mappers of types Sundown does not evaluate.*\$\.clients\[0\]\.protocolMappers\[0\] .*js.*\(oidc-script-based-protocol-mapper\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
