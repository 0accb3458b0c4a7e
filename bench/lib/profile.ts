// CPU profiles of the server on request (`npm run bench -- --profile`): the servers under test run
// in the bench's main thread (load generators and receivers run in worker threads), so a
// node:inspector session on the main thread profiles exactly the server's event loop. Each
// measured phase is written to bench/results/profiles/<name>.cpuprofile (open it in Chrome
// DevTools or VS Code) and summarised: how busy the thread was and where its time went.
// Profiling slows the server; the rows of a profiled run are marked as such.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Share of samples not idle / program / GC-free: how busy the main thread was. */
  busy: number;
  /** Share of samples by area (store, crypto, HTTP, …), self time. */
  areas: Record<string, number>;
  /** Top functions by self time. */
  top: Array<{ fn: string; share: number }>;
}

let enabled = false;
export function enableProfiling(): void {
  enabled = true;
}
export const profilingEnabled = (): boolean => enabled;

/** Where a frame belongs, from its script URL. */
function area(url: string, fn: string): string {
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(program)') return 'program (native, unattributed)';
  if (url === 'node:inspector') return 'profiler';
  // node:sqlite's StatementSync methods are native frames without a script URL.
  if (url === '' && ['run', 'all', 'get', 'iterate', 'exec', 'prepare'].includes(fn))
    return 'store (Kysely, driver, SQL)';
  if (/packages\/server\/src\/store\/|\/kysely\//.test(url) || /node:sqlite|^pg\b|\/pg(-\w+)?\//.test(url))
    return 'store (Kysely, driver, SQL)';
  if (/\/jose\//.test(url) || /internal\/crypto/.test(url)) return 'crypto (jose, WebCrypto calls)';
  if (/\/hono\/|@hono/.test(url)) return 'hono';
  if (/\/pino|thread-stream|sonic-boom/.test(url)) return 'logging';
  if (/packages\/server\/src\//.test(url)) return 'sundown (other)';
  if (
    /internal\/deps\/undici|internal\/webstreams|node:internal\/http|node:_http|_http_|node:net|internal\/streams|node:internal\/stream/.test(
      url,
    )
  )
    return 'node HTTP, streams, Web Request';
  if (/oidc-provider|koa|express/.test(url)) return 'peer (oidc-provider, koa)';
  if (url === '') return 'native / builtins';
  return 'other';
}

function summarise(profile: CpuProfile, file: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  let idle = 0;
  const areas: Record<string, number> = {};
  const fns: Record<string, number> = {};
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    total += us;
    const a = area(n.callFrame.url, n.callFrame.functionName);
    if (a === 'idle') idle += us;
    areas[a] = (areas[a] ?? 0) + us;
    const name = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules|packages)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
    fns[name] = (fns[name] ?? 0) + us;
  }
  const share = (us: number) => Math.round((1000 * us) / Math.max(1, total)) / 10;
  return {
    file,
    busy: share(total - idle),
    areas: Object.fromEntries(
      Object.entries(areas)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, share(v)]),
    ),
    top: Object.entries(fns)
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([fn, us]) => ({ fn, share: share(us) })),
  };
}

export const profiles: ProfileSummary[] = [];

/** Runs `fn`; with profiling on, under the CPU profiler, writing `<name>.cpuprofile`. */
export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    session.disconnect();
    const dir = new URL('../results/profiles/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL(`${name}.cpuprofile`, dir);
    writeFileSync(file, JSON.stringify(profile));
    const summary = summarise(profile, `bench/results/profiles/${name}.cpuprofile`);
    profiles.push(summary);
    process.stderr.write(
      `bench: profile ${name}: main thread busy ${summary.busy}% — ${Object.entries(summary.areas)
        .slice(0, 6)
        .map(([k, v]) => `${k} ${v}%`)
        .join(', ')}\n`,
    );
  }
}
