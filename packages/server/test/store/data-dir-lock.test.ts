// One server process per data directory (store/data-dir-lock.ts): a second server is refused
// while the first lives, in another process or in the same one; a lock whose process is gone is
// taken over, by exactly one of several processes starting at once.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataDirInUse, LOCK_FILE, lockDataDir, removeStale } from '../../src/store/data-dir-lock.ts';
import { startRealServer } from '../helpers/server.ts';

const MODULE = new URL('../../src/store/data-dir-lock.ts', import.meta.url).pathname;

function withDir(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sundown-lock-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

test(
  'one-server-per-data-dir: a second server in the same process is refused until the first stops',
  withDir(async (dir) => {
    const first = await startRealServer({ kind: 'sqlite', dataDir: dir });
    try {
      await assert.rejects(startRealServer({ kind: 'sqlite', dataDir: dir }), (err: unknown) => {
        assert.ok(err instanceof DataDirInUse);
        assert.equal(err.pid, process.pid);
        assert.equal(err.dataDir, dir);
        return true;
      });
      assert.equal(
        (await fetch(`${first.url}/realms/test/.well-known/openid-configuration`)).status,
        200,
        'the first one keeps serving',
      );
    } finally {
      await first.close();
    }
    const again = await startRealServer({ kind: 'sqlite', dataDir: dir });
    await again.close();
  }),
);

test(
  'one-server-per-data-dir: a lock held by a live process is refused, naming it; a dead or unreadable one is taken over',
  withDir(async (dir) => {
    const path = join(dir, LOCK_FILE);
    writeFileSync(path, `${process.ppid}\n`);
    await assert.rejects(
      lockDataDir(dir),
      (err: unknown) => err instanceof DataDirInUse && err.pid === process.ppid && err.message.includes(dir),
    );
    for (const stale of [`${deadPid()}\n`, '', 'not a pid']) {
      writeFileSync(path, stale);
      const lock = await lockDataDir(dir);
      assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
      lock.release();
      lock.release();
      assert.throws(() => readFileSync(path), /ENOENT/);
    }
  }),
);

test(
  'one-server-per-data-dir: a stale lock is removed only if it is still the one found stale, and not while another process takes it over',
  withDir(async (dir) => {
    const path = join(dir, LOCK_FILE);
    const stale = deadPid();
    // Found stale, but meanwhile another starter removed it and took the directory.
    writeFileSync(path, `${process.ppid}\n`);
    removeStale(path, stale);
    assert.equal(readFileSync(path, 'utf8'), `${process.ppid}\n`, 'the new holder keeps its lock');
    // Another live starter is taking over (its guard is there): leave it to that one.
    writeFileSync(path, `${stale}\n`);
    writeFileSync(`${path}.takeover`, `${process.ppid}\n`);
    removeStale(path, stale);
    assert.equal(readFileSync(path, 'utf8'), `${stale}\n`);
    // A guard left by a starter that died mid-takeover is cleared, and the next try succeeds.
    writeFileSync(`${path}.takeover`, `${deadPid()}\n`);
    removeStale(path, stale);
    removeStale(path, stale);
    assert.throws(() => readFileSync(path), /ENOENT/);
    assert.throws(() => readFileSync(`${path}.takeover`), /ENOENT/);
  }),
);

test(
  'one-server-per-data-dir: of six processes starting at once on a stale lock, exactly one takes it',
  withDir(async (dir) => {
    writeFileSync(join(dir, LOCK_FILE), `${deadPid()}\n`);
    // Each waits for the same moment, so their takeovers overlap.
    const startAt = Date.now() + 1500;
    const script = `
      const { lockDataDir, DataDirInUse } = await import(${JSON.stringify(MODULE)});
      while (Date.now() < ${startAt});
      try {
        await lockDataDir(process.argv[1]);
        process.stdout.write('won');
        await new Promise((r) => setTimeout(r, 3000));
      } catch (err) {
        process.stdout.write(err instanceof DataDirInUse ? 'refused' : String(err));
      }`;
    const outcomes = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir]);
            let out = '';
            child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
            child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
            child.on('exit', () => resolve(out));
          }),
      ),
    );
    assert.deepEqual(
      outcomes.sort(),
      ['refused', 'refused', 'refused', 'refused', 'refused', 'won'],
      outcomes.join(' | '),
    );
  }),
);
