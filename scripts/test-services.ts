// Global setup of `npm test`: make sure PostgreSQL and Redis answer on loopback for the
// service-backed suites. Use a running server when one answers; otherwise start a throwaway
// one from the installed binaries; otherwise say loudly that those suites are skipped.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cleanups: Array<() => void> = [];

function answers(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(port: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await answers(port)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

function freePort(): number {
  return 20000 + Math.floor(Math.random() * 20000);
}

function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return undefined;
}

async function startThrowawayPostgres(): Promise<string | undefined> {
  const bin = postgresBinDir();
  if (!bin) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sundown-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = freePort();
  // initdb refuses to run as root; run the throwaway cluster as the postgres user then.
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (cmd: string, args: string[]) => {
    const [exe, ...rest] = [...asUser, cmd, ...args];
    execFileSync(exe!, rest, { stdio: 'ignore' });
  };
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  run(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  cleanups.push(() => {
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  });
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

async function startThrowawayRedis(): Promise<string | undefined> {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const exe = which.stdout.trim();
  if (!exe) return undefined;
  const port = freePort();
  const child = spawn(exe, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
    detached: false,
  });
  cleanups.push(() => child.kill('SIGKILL'));
  return (await waitFor(port, 5000)) ? `redis://127.0.0.1:${port}` : undefined;
}

export async function globalSetup(): Promise<void> {
  if (!process.env.SUNDOWN_TEST_PG_URL) {
    if (await answers(5432)) process.env.SUNDOWN_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
    else {
      const url = await startThrowawayPostgres().catch((err: unknown) => {
        console.error(`# PostgreSQL: could not start a throwaway server: ${String(err)}`);
        return undefined;
      });
      if (url) {
        process.env.SUNDOWN_TEST_PG_URL = url;
        console.log(`# PostgreSQL: started a throwaway server at ${url}`);
      } else {
        console.log(
          '# PostgreSQL: SKIPPED — no server answers on 127.0.0.1:5432 and no PostgreSQL binaries are installed; PostgreSQL suites will be skipped',
        );
      }
    }
  }
  if (!process.env.SUNDOWN_TEST_REDIS_URL) {
    if (await answers(6379)) process.env.SUNDOWN_TEST_REDIS_URL = 'redis://127.0.0.1:6379';
    else {
      const url = await startThrowawayRedis();
      if (url) {
        process.env.SUNDOWN_TEST_REDIS_URL = url;
        console.log(`# Redis: started a throwaway server at ${url}`);
      } else {
        console.log(
          '# Redis: SKIPPED — no server answers on 127.0.0.1:6379 and redis-server is not installed; Redis suites will be skipped',
        );
      }
    }
  }
}

export async function globalTeardown(): Promise<void> {
  for (const cleanup of cleanups.reverse()) cleanup();
}
