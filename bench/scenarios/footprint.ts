// Scenario 5 — footprint of a Sundown server process: start to ready, idle RSS, and RSS after
// it has served 10,000 active sessions (each session's cookie used once with prompt=none).
// Two ways to run the same `sundown start`: the TypeScript sources through Node's type
// stripping (how the repository runs it, and how the package ran before it was built), and the
// built JavaScript of dist/ (what the published package runs).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@sundown/server';

/** `sources`: src/*.ts with --conditions=source; `built`: dist/*.js, no TypeScript loaded. */
export type FootprintMode = 'sources' | 'built';

export interface FootprintRow {
  mode: FootprintMode;
  readyMs: number;
  idleRssMb: number;
  activeRssMb: number;
  sessions: number;
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return kb / 1024;
}

const SERVER = new URL('../../packages/server/', import.meta.url).pathname;

/** Builds packages/server/dist from the current sources, so `built` measures this code. */
export function buildServer(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: SERVER, stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function runFootprint(opts: { sessions: number; mode: FootprintMode }): Promise<FootprintRow> {
  const dir = mkdtempSync(join(tmpdir(), 'sundown-footprint-'));
  const realmFile = join(dir, 'realm.json');
  writeFileSync(
    realmFile,
    JSON.stringify({
      realm: 'fp',
      clients: [{ clientId: 'app', secret: 'app-secret', redirectUris: ['https://app.bench/cb'] }],
      users: [{ username: 'u', credentials: [{ value: 'pw' }] }],
    }),
  );
  // Import once so the measured start is a normal restart, not a first import.
  const bin = `${SERVER}bin/sundown.js`;
  // npm scripts of the repository set NODE_OPTIONS=--conditions=source; the child gets exactly the mode's flags.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const flags = opts.mode === 'sources' ? ['--conditions=source'] : [];
  const start = async () => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [...flags, bin, 'start', '--port', '0', '--data-dir', join(dir, 'data'), '--import-realm', realmFile],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Sundown listening on [^:]+:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error(out)));
    });
    return { child, port, readyMs: performance.now() - started };
  };
  const first = await start();
  first.child.kill();
  await new Promise((r) => first.child.once('exit', r));

  const store = await openStore({ kind: 'sqlite', dataDir: join(dir, 'data') });
  const realm = await store.db.selectFrom('realm').select('id').where('name', '=', 'fp').executeTakeFirstOrThrow();
  const user = await store.db
    .selectFrom('app_user')
    .select('id')
    .where('realm_id', '=', realm.id)
    .executeTakeFirstOrThrow();
  const now = Date.now();
  for (let i = 0; i < opts.sessions; i += 500) {
    const rows = Array.from({ length: Math.min(500, opts.sessions - i) }, (_, k) => ({
      id: `fp-${i + k}`,
      realm_id: realm.id,
      user_id: user.id,
      cookie_hash: createHash('sha256')
        .update(`cookie-${i + k}`)
        .digest('base64url'),
      auth_time: now,
      started_at: now,
      last_seen_at: now,
      ip_address: null,
      ended_at: null,
      end_reason: null,
    }));
    await store.db.insertInto('sso_session').values(rows).execute();
  }
  await store.close();

  const server = await start();
  await new Promise((r) => setTimeout(r, 2000));
  const idleRssMb = rssMb(server.child.pid!);
  const auth = `http://127.0.0.1:${server.port}/realms/fp/protocol/openid-connect/auth?${new URLSearchParams({ client_id: 'app', redirect_uri: 'https://app.bench/cb', response_type: 'code', scope: 'openid', prompt: 'none' })}`;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < opts.sessions) {
        const i = next++;
        const res = await fetch(auth, { headers: { cookie: `SUNDOWN_SESSION=cookie-${i}` }, redirect: 'manual' });
        await res.arrayBuffer();
      }
    }),
  );
  const activeRssMb = rssMb(server.child.pid!);
  server.child.kill();
  await new Promise((r) => server.child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return { mode: opts.mode, readyMs: server.readyMs, idleRssMb, activeRssMb, sessions: opts.sessions };
}
