// The published packages as a user gets them: both packed (`prepack` builds dist/), installed
// from the tarballs into a scratch project outside the workspace, then imported from ESM and
// CommonJS on every Node found on this machine (the machine's own, e.g. 20, and Node 24),
// type-checked from a consumer under node16, nodenext and bundler resolution, linted by publint
// and attw, and the server started with `npx --package <tarball> sundown start`.
// Nothing here may see the workspace: child processes get no NODE_OPTIONS (so no `source`
// condition) and no npm_* variables of the `npm test` that runs this file.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const ROOT = realpathSync(new URL('..', import.meta.url));
const bin = (pkg: string, file: string) => join(ROOT, 'node_modules', pkg, file);
const version = (pkg: string) =>
  (JSON.parse(readFileSync(bin(pkg, 'package.json'), 'utf8')) as { version: string }).version;

/** The environment of a user's shell: this process's, without what npm and the repo add. */
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|NODE_OPTIONS$|INIT_CWD$|NODE_TEST_CONTEXT$)/i.test(k)),
);
// Installs take what the npm cache already holds and ask the registry only for the rest.
Object.assign(env, {
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_loglevel: 'error',
});

function run(file: string, args: string[], cwd: string, what: string): string {
  const r = spawnSync(file, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  assert.equal(
    r.status,
    0,
    `${what} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n$ ${file} ${args.join(' ')}\n${out}`,
  );
  return out;
}

/** Every Node on this machine outside the workspace (e.g. /usr/bin/node 20) that the packages support, and this Node (24). */
function nodes(): Array<{ path: string; version: string }> {
  const candidates = [
    process.execPath,
    '/usr/bin/node',
    '/usr/local/bin/node',
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'node')),
  ];
  const seen = new Map<string, string>();
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const real = realpathSync(c);
    if (seen.has(real)) continue;
    const v = spawnSync(real, ['-p', 'process.versions.node'], { encoding: 'utf8', env }).stdout.trim();
    const [major = 0, minor = 0] = v.split('.').map(Number);
    if (major > 20 || (major === 20 && minor >= 19)) seen.set(real, v);
  }
  return [...seen].map(([path, v]) => ({ path, version: v }));
}

const RP_ENTRIES = {
  '@sundown/rp': [
    'validateLogoutToken',
    'createBackchannelLogoutHandler',
    'buildEndSessionUrl',
    'isLoggedOut',
    'MemoryLogoutStore',
    'LogoutTokenError',
    'createSecurityEventTokenValidator',
    'createSecurityEventReceiver',
    'createSetPushHandler',
    'createSetPoller',
    'registerStream',
    'createBearerGuard',
    'withBearerToken',
    'createTabRelayHandler',
    'TabRelay',
    'SecurityEventTokenError',
    'BearerTokenError',
  ],
  '@sundown/rp/express': [
    'backchannelLogoutRouter',
    'requireActiveSession',
    'recordLogin',
    'logoutRedirect',
    'securityEventPushRouter',
    'requireBearerToken',
    'tabRelayRouter',
  ],
  '@sundown/rp/fastify': [
    'fastifyBackchannelLogout',
    'fastifySecurityEventPush',
    'fastifyBearerGuard',
    'fastifyTabRelay',
  ],
  '@sundown/rp/redis': ['RedisLogoutStore'],
  '@sundown/rp/postgres': ['PostgresLogoutStore'],
};

const CONSUMER_TS = `import { buildEndSessionUrl, createBackchannelLogoutHandler, type LogoutStore, MemoryLogoutStore, validateLogoutToken, type LogoutTokenClaims, type BearerGuard, createBearerGuard, createSecurityEventReceiver, createSetPushHandler, createTabRelayHandler, type SecurityEvent, SESSION_REVOKED } from '@sundown/rp';
import { backchannelLogoutRouter, requireBearerToken, securityEventPushRouter, tabRelayRouter } from '@sundown/rp/express';
import { fastifyBackchannelLogout, fastifyBearerGuard, fastifySecurityEventPush, fastifyTabRelay } from '@sundown/rp/fastify';
import { RedisLogoutStore } from '@sundown/rp/redis';
import { PostgresLogoutStore } from '@sundown/rp/postgres';
import { createProvider, openStore, parseStartConfig, type Provider, type RunningServer, startServer } from '@sundown/server';

const store: LogoutStore = new MemoryLogoutStore();
const keys = new URL('https://sso.example.com/realms/acme/protocol/openid-connect/certs');
const handler: (request: Request) => Promise<Response> = createBackchannelLogoutHandler({ issuer: 'https://sso.example.com/realms/acme', clientId: 'app', keys, store });
const url: string = buildEndSessionUrl({ endSessionEndpoint: 'https://sso.example.com/logout', postLogoutRedirectUri: 'https://app.example.com/' });
export async function check(token: string): Promise<string | undefined> {
  const claims: LogoutTokenClaims = await validateLogoutToken(token, { issuer: 'https://sso.example.com/realms/acme', clientId: 'app', keys, replayStore: store });
  return claims.sid;
}
export const used = [handler, url, backchannelLogoutRouter, fastifyBackchannelLogout, RedisLogoutStore, PostgresLogoutStore];
const guard: BearerGuard = createBearerGuard({ issuer: 'https://sso.example.com/realms/acme', audience: 'api', keys, store });
const push: (request: Request) => Promise<Response> = createSetPushHandler({ issuer: 'https://sso.example.com/realms/acme', audience: 'app', keys, store });
const tabs: (request: Request) => Promise<Response> = createTabRelayHandler({ store, identify: () => undefined });
export async function signals(): Promise<[string | undefined, SecurityEvent['type']]> {
  const outcome = await guard.authenticate('Bearer x');
  const event = await createSecurityEventReceiver({ issuer: 'https://sso.example.com/realms/acme', audience: 'app', keys, store })('x');
  return [outcome.ok ? outcome.claims.sid : undefined, event.type];
}
export const signalParts = [push, tabs, requireBearerToken, tabRelayRouter, securityEventPushRouter, fastifyBearerGuard, fastifyTabRelay, fastifySecurityEventPush, SESSION_REVOKED];
export async function embed(): Promise<[Provider, RunningServer]> {
  const config = parseStartConfig(['--port', '0'], {});
  const provider = await createProvider(await openStore(config.store), { publicUrl: 'https://sso.example.com' });
  return [provider, await startServer(config, (await import('pino')).pino())];
}
`;

const CONSUMER_CTS = `import rp = require('@sundown/rp');
import express = require('@sundown/rp/express');
export const store: rp.LogoutStore = new rp.MemoryLogoutStore();
export const router = express.backchannelLogoutRouter;
`;

describe('packed packages, installed outside the workspace', { timeout: 900_000 }, () => {
  let work: string;
  let scratch: string;
  const tarballs: Record<'rp' | 'server', string> = { rp: '', server: '' };

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'sundown-packed-'));
    const dest = join(work, 'tarballs');
    mkdirSync(dest);
    // `npm pack` runs each package's prepack, which builds its dist/ from the sources.
    run(
      'npm',
      [
        'pack',
        '--workspace',
        'packages/rp',
        '--workspace',
        'packages/server',
        '--pack-destination',
        dest,
        '--json',
        '--silent',
      ],
      ROOT,
      'npm pack',
    );
    tarballs.rp = join(dest, `sundown-rp-${version('@sundown/rp')}.tgz`);
    tarballs.server = join(dest, `sundown-server-${version('@sundown/server')}.tgz`);
    for (const t of Object.values(tarballs)) assert.ok(existsSync(t), `npm pack made no ${t}`);

    scratch = join(work, 'consumer');
    mkdirSync(scratch);
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
    );
    // The packages, plus what a consumer's code and types use next to them (pinned to the
    // workspace's versions, so they come from the npm cache).
    const extras = ['express', '@types/express', '@types/express-session', 'fastify', '@types/node', 'pino'].map(
      (p) => `${p}@${version(p)}`,
    );
    run(
      'npm',
      ['install', '--no-package-lock', tarballs.rp, tarballs.server, ...extras],
      scratch,
      'npm install of the tarballs',
    );
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the tarballs hold built JavaScript, declarations, the console assets and no tests', () => {
    for (const [name, tgz] of Object.entries(tarballs)) {
      const files = run('tar', ['tzf', tgz], work, `listing ${name}`).split('\n');
      assert.ok(
        files.includes('package/dist/index.js') && files.includes('package/dist/index.d.ts'),
        `${name}: no dist/index.js with .d.ts`,
      );
      assert.ok(!files.some((f) => f.includes('/test/')), `${name}: ships tests`);
    }
    const server = run('tar', ['tzf', tarballs.server], work, 'listing server');
    for (const f of [
      'package/bin/sundown.js',
      'package/dist/cli.js',
      'package/console/index.html',
      'package/console/js/main.js',
      'package/dist/store/migrations.js',
    ])
      assert.ok(server.includes(f), `server tarball lacks ${f}`);
    assert.ok(
      run('tar', ['tzf', tarballs.rp], work, 'listing rp').includes('package/dist/cjs/index.js'),
      'rp tarball lacks the CommonJS build',
    );
  });

  test('publint: no packaging errors or warnings', () => {
    for (const [name, tgz] of Object.entries(tarballs)) {
      const dir = join(work, `unpacked-${name}`);
      mkdirSync(dir);
      run('tar', ['xzf', tgz, '-C', dir], work, `unpacking ${name}`);
      const out = run(
        process.execPath,
        [bin('publint', 'src/cli.js'), join(dir, 'package'), '--pack', 'false', '--strict'],
        work,
        `publint ${name}`,
      );
      assert.match(out, /All good/, `publint ${name}:\n${out}`);
    }
  });

  test('attw: types resolve for node16 (ESM and CommonJS), nodenext and bundler', () => {
    // node10 (TypeScript's pre-exports resolution) cannot see subpath exports; it is not a target.
    run(
      process.execPath,
      [bin('@arethetypeswrong/cli', 'dist/index.js'), tarballs.rp, '--profile', 'node16', '--format', 'ascii'],
      work,
      'attw @sundown/rp',
    );
    // The server is ESM only (its CLI and embedding API need Node 24, which require()s ESM).
    run(
      process.execPath,
      [bin('@arethetypeswrong/cli', 'dist/index.js'), tarballs.server, '--profile', 'esm-only', '--format', 'ascii'],
      work,
      'attw @sundown/server',
    );
  });

  const machineNodes = nodes();
  // The RP SDK's promise is Node 20.19+ as well as 24: say loudly when only one major is here.
  const majors = new Set(machineNodes.map((n) => n.version.split('.')[0]));
  if (majors.size < 2)
    console.log(
      `# packed RP package: only Node ${[...majors].join(', ')} found on this machine; older supported Nodes SKIPPED (install Node 20 at /usr/bin/node to cover them)`,
    );
  for (const node of machineNodes) {
    test(`Node ${node.version} (${node.path}): @sundown/rp and every subpath load from ESM and CommonJS, as built JavaScript`, () => {
      const expected = JSON.stringify(RP_ENTRIES);
      const esm = `const want = ${expected};
for (const [spec, names] of Object.entries(want)) {
  const m = await import(spec);
  for (const n of names) if (typeof m[n] !== 'function') throw new Error(spec + ': no export ' + n);
  if (!import.meta.resolve(spec).includes('/node_modules/@sundown/rp/dist/')) throw new Error(spec + ' resolved to ' + import.meta.resolve(spec));
}
console.log('esm ok');`;
      const cjs = `const want = ${expected};
for (const [spec, names] of Object.entries(want)) {
  const m = require(spec);
  for (const n of names) if (typeof m[n] !== 'function') throw new Error(spec + ': no export ' + n);
  if (!require.resolve(spec).includes('/node_modules/@sundown/rp/dist/cjs/')) throw new Error(spec + ' resolved to ' + require.resolve(spec));
}
console.log('cjs ok');`;
      writeFileSync(join(scratch, 'check-esm.mjs'), esm);
      writeFileSync(join(scratch, 'check-cjs.cjs'), cjs);
      assert.match(run(node.path, ['check-esm.mjs'], scratch, `ESM import on Node ${node.version}`), /esm ok/);
      assert.match(run(node.path, ['check-cjs.cjs'], scratch, `require() on Node ${node.version}`), /cjs ok/);
      const major = Number(node.version.split('.')[0]);
      if (major >= 24) {
        const server = run(
          node.path,
          [
            '--input-type=module',
            '-e',
            "const s = await import('@sundown/server'); for (const n of ['startServer','createProvider','openStore','parseStartConfig','importRealm','parseRealmJson']) if (typeof s[n] !== 'function') throw new Error('no ' + n); if ('ProviderContext' in s || 'SigningKeys' in s) throw new Error('internals exported'); console.log('server ok')",
          ],
          scratch,
          `import @sundown/server on Node ${node.version}`,
        );
        assert.match(server, /server ok/);
      }
    });
  }

  test('a consumer type-checks against the installed declarations (moduleResolution node16, nodenext, bundler)', async () => {
    const configs = {
      node16: { module: 'node16', moduleResolution: 'node16' },
      nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
      bundler: { module: 'preserve', moduleResolution: 'bundler' },
    };
    // The three checks at once: each is a separate TypeScript program over the same files.
    const failures = await Promise.all(
      Object.entries(configs).map(async ([name, options]) => {
        const dir = join(scratch, `tc-${name}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'consumer.ts'), CONSUMER_TS);
        const files = ['consumer.ts'];
        if (name !== 'bundler') {
          // A CommonJS file of an ESM project: resolves the `require` conditions.
          writeFileSync(join(dir, 'consumer.cts'), CONSUMER_CTS);
          files.push('consumer.cts');
        }
        // No DOM types and no skipLibCheck: the declarations must hold up in a plain Node project.
        writeFileSync(
          join(dir, 'tsconfig.json'),
          JSON.stringify({
            compilerOptions: {
              ...options,
              target: 'es2023',
              lib: ['es2023'],
              types: ['node'],
              strict: true,
              noEmit: true,
              skipLibCheck: false,
            },
            files,
          }),
        );
        const child = spawn(process.execPath, [bin('typescript', 'bin/tsc'), '-p', dir], { cwd: dir, env });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
        return code === 0 ? '' : `tsc with moduleResolution ${name} (exit ${code}):\n${out}`;
      }),
    );
    assert.deepEqual(failures.filter(Boolean), [], failures.join('\n'));
  });

  test('npx --package <server tarball> sundown start, in an empty directory, answers discovery', async () => {
    const dir = mkdtempSync(join(work, 'empty-'));
    writeFileSync(
      join(dir, 'realm.json'),
      JSON.stringify({
        realm: 'packed',
        clients: [{ clientId: 'app', secret: 'app-secret', redirectUris: ['https://app.example/cb'] }],
      }),
    );
    const child: ChildProcess = spawn(
      'npx',
      ['--yes', '--package', tarballs.server, 'sundown', 'start', '--import-realm', 'realm.json', '--port', '0'],
      {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let out = '';
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening" line within 120 s:\n${out}`)), 120_000);
        const onData = (d: Buffer) => {
          out += d.toString();
          const m = /Sundown listening on [^:]+:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`sundown exited (${code}) before listening:\n${out}`));
        });
      });
      const res = await fetch(`http://127.0.0.1:${port}/realms/packed/.well-known/openid-configuration`);
      assert.equal(res.status, 200, out);
      const doc = (await res.json()) as { issuer: string; jwks_uri: string };
      assert.equal(doc.issuer, `http://localhost:${port}/realms/packed`);
      assert.equal(
        (await fetch(`http://127.0.0.1:${port}/admin/`)).status,
        200,
        'the console page (assets shipped in the package)',
      );
    } finally {
      // npx runs sundown in a child of its own: end the whole process group this test started.
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(-child.pid!, 'SIGTERM');
        await exited;
      }
    }
  });
});
