// Global setup of `npm test`: make sure PostgreSQL and Redis answer on loopback for the
// service-backed suites. PostgreSQL: a throwaway cluster of our own when the binaries are
// installed (the suite opens up to a few hundred connections at once, more than a shared server's
// default max_connections of 100 leaves when anything else uses it); else a server already
// answering on 5432. Redis: a running server when one answers, else a throwaway one. Otherwise
// say loudly that those suites are skipped.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
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

// PostgreSQL and Redis cannot be given port 0 and report the port they bound, nor take over a
// socket we hold. So each gets a random port, and another one when that one turns out to be
// taken: start-up fails then (it never reaches another process's server by mistake).
const PORT_TRIES = 5;

// Each server under test keeps a pool of up to 10 connections plus one for LISTEN; with two test
// files at a time, each starting several servers (multi-process tests start up to six), the peak
// stays well under this.
const THROWAWAY_MAX_CONNECTIONS = 400;

function randomPort(): number {
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
  // initdb refuses to run as root; run the throwaway cluster as the postgres user then.
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (cmd: string, args: string[]) => {
    const [exe, ...rest] = [...asUser, cmd, ...args];
    execFileSync(exe!, rest, { stdio: 'ignore' });
  };
  cleanups.push(() => {
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  });
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  for (let tries = 1; ; tries++) {
    const port = randomPort();
    try {
      // -w: pg_ctl fails when the server does not come up, as when the port is taken.
      run(join(bin, 'pg_ctl'), [
        '-D',
        data,
        '-w',
        '-l',
        join(dir, 'log'),
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=${THROWAWAY_MAX_CONNECTIONS}`,
        'start',
      ]);
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    } catch (err) {
      if (tries >= PORT_TRIES) throw err;
    }
  }
}

/** Starts redis-server on `port`: the process once it says it is ready; null when it exits first (the port is taken) or stays silent. */
function redisOn(exe: string, port: number): Promise<ChildProcess | null> {
  const child = spawn(exe, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve) => {
    let out = '';
    let settled = false;
    const done = (ready: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout!.removeListener('data', onData);
      child.stdout!.resume();
      if (!ready) child.kill('SIGKILL');
      resolve(ready ? child : null);
    };
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept connections/.test(out)) done(true);
    };
    const timer = setTimeout(() => done(false), 5000);
    child.stdout!.on('data', onData);
    child.once('exit', () => done(false));
  });
}

async function startThrowawayRedis(): Promise<string | undefined> {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const exe = which.stdout.trim();
  if (!exe) return undefined;
  for (let tries = 0; tries < PORT_TRIES; tries++) {
    const port = randomPort();
    const child = await redisOn(exe, port);
    if (child) {
      cleanups.push(() => child.kill('SIGKILL'));
      return `redis://127.0.0.1:${port}`;
    }
  }
  return undefined;
}

export async function globalSetup(): Promise<void> {
  if (!process.env.SUNDOWN_TEST_PG_URL) {
    const url = await startThrowawayPostgres().catch((err: unknown) => {
      console.error(`# PostgreSQL: could not start a throwaway server: ${String(err)}`);
      return undefined;
    });
    if (url) {
      process.env.SUNDOWN_TEST_PG_URL = url;
      console.log(`# PostgreSQL: started a throwaway server at ${url} (max_connections ${THROWAWAY_MAX_CONNECTIONS})`);
    } else if (await answers(5432)) {
      process.env.SUNDOWN_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
      console.log(
        '# PostgreSQL: no binaries to start a throwaway server; using the server on 127.0.0.1:5432 (it needs max_connections of 250 or more free)',
      );
    } else {
      console.log(
        '# PostgreSQL: SKIPPED — no server answers on 127.0.0.1:5432 and no PostgreSQL binaries are installed; PostgreSQL suites will be skipped',
      );
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
