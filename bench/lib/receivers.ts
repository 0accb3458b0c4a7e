// Starts the receivers thread and tracks arrivals.
import { Worker } from 'node:worker_threads';

export interface Receivers {
  urls: string[];
  arrivals: Array<{ receiver: number; at: number }>;
  /** Resolves when `n` tokens in total have arrived. */
  waitForTotal(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceivers(count: number): Promise<Receivers> {
  const worker = new Worker(new URL('./receivers-worker.ts', import.meta.url), { workerData: { count } });
  const arrivals: Array<{ receiver: number; at: number }> = [];
  let waiter: (() => void) | undefined;
  let target = Number.POSITIVE_INFINITY;
  const ports = await new Promise<number[]>((resolve) => {
    worker.on('message', (m: { ports?: number[]; receiver?: number; at?: number }) => {
      if (m.ports) return resolve(m.ports);
      arrivals.push({ receiver: m.receiver!, at: m.at! });
      if (arrivals.length >= target && waiter) waiter();
    });
  });
  return {
    urls: ports.map((p) => `http://127.0.0.1:${p}/backchannel-logout`),
    arrivals,
    waitForTotal(n, timeoutMs = 600_000) {
      if (arrivals.length >= n) return Promise.resolve();
      target = n;
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`only ${arrivals.length} of ${n} tokens arrived`)), timeoutMs);
        waiter = () => {
          clearTimeout(t);
          waiter = undefined;
          target = Number.POSITIVE_INFINITY;
          resolve();
        };
      });
    },
    close: () => worker.terminate().then(() => undefined),
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function table(rows: Array<Record<string, string | number>>): string {
  const head = Object.keys(rows[0] ?? {});
  const cells = rows.map((r) => head.map((h) => String(r[h])));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
