// One server process per embedded store. SQLite lets a second process open the same file, and a
// second `sundown start` on a data directory would import its realms over the first one's while
// both keep serving; PostgreSQL (--database-url) is the store for several processes. So a server
// takes `<data dir>/sundown.lock`, holding its pid, before it opens the store, and removes it
// when it stops. (The `logout` and `doctor` commands are short-lived helpers next to a running
// server and take no lock.)
//
// The lock file appears with its content in one step (written under a private name, then
// hard-linked into place, which fails when the lock exists), so nobody reads it half-written.
// A lock whose pid is not a live process is stale — its server was killed or the machine
// rebooted — and is taken over. Removing a stale lock is itself guarded by a second file, so
// two processes starting at once cannot both remove it and both win.
//
// A pid names a process on this machine only: two containers sharing the folder do not see
// each other's lock. A pid equal to our own is stale too (a restarted container whose server
// has the same pid as before), unless this process holds the lock already.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'sundown.lock';

/** Tries of a takeover that another starting process is doing at the same time (20 ms apart). */
const MAX_TRIES = 100;

export class DataDirInUse extends Error {
  readonly dataDir: string;
  readonly pid: number;
  constructor(dataDir: string, pid: number) {
    super(
      `The data directory ${dataDir} is in use by another Sundown server (pid ${pid}). The embedded store belongs to one process: ` +
        'stop that one, give this one its own folder with --data-dir, or run several processes on one PostgreSQL database (--database-url).',
    );
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

export interface DataDirLock {
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): void;
}

/** Lock files this process holds: a second server in the same process is refused too. */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in a lock file; null when it holds no pid (garbage); 'gone' when there is no file. */
function holder(path: string): number | null | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  return /^\d{1,10}\s*$/.test(text) ? Number(text.trim()) : null;
}

function isStale(pid: number | null): boolean {
  return pid === null || pid === process.pid || !alive(pid);
}

function removeIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Creates `path` holding our pid, in one step; false when it exists. */
function create(path: string): boolean {
  const content = `${process.pid}\n`;
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(temp, content, { flag: 'wx' });
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // A file system without hard links: exclusive creation, written at once.
    try {
      writeFileSync(path, content, { flag: 'wx' });
      return true;
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw again;
    }
  } finally {
    removeIfExists(temp);
  }
}

/**
 * Removes the stale lock `stalePid` left, unless another process is doing so or has already
 * replaced it. (Exported for the tests, which play the interleavings a race would produce.)
 */
export function removeStale(path: string, stalePid: number | null): void {
  const guard = `${path}.takeover`;
  if (!create(guard)) {
    // Another starter is taking over. Its guard outlives it only if it died within these few
    // lines; then the guard is stale in turn.
    const guardPid = holder(guard);
    if (guardPid !== 'gone' && isStale(guardPid)) removeIfExists(guard);
    return;
  }
  try {
    if (holder(path) === stalePid) removeIfExists(path);
  } finally {
    removeIfExists(guard);
  }
}

/**
 * Throws DataDirInUse when a live process (this one included) holds the data directory; takes
 * nothing. For a clear answer before other start-up work; `lockDataDir` is what decides.
 */
export function checkDataDir(dataDir: string): void {
  const path = join(dataDir, LOCK_FILE);
  if (held.has(path)) throw new DataDirInUse(dataDir, process.pid);
  const pid = holder(path);
  if (typeof pid === 'number' && !isStale(pid)) throw new DataDirInUse(dataDir, pid);
}

/**
 * Takes the data directory for this process, or throws DataDirInUse naming the live process
 * that has it. Creates the directory if needed.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  if (held.has(path)) throw new DataDirInUse(dataDir, process.pid);
  for (let tries = 0; !create(path); tries++) {
    const pid = holder(path);
    if (pid === 'gone') continue;
    if (pid !== null && !isStale(pid)) throw new DataDirInUse(dataDir, pid);
    if (tries >= MAX_TRIES)
      throw new Error(`Could not take over the stale lock ${path}; remove it if no Sundown server uses ${dataDir}`);
    removeStale(path, pid);
    if (holder(path) !== 'gone') await new Promise((resolve) => setTimeout(resolve, 20));
  }
  held.add(path);
  return {
    release() {
      if (!held.delete(path)) return;
      if (holder(path) === process.pid) removeIfExists(path);
    },
  };
}
