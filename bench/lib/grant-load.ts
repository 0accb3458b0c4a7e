// Runs grant-worker.ts: token-endpoint load from its own thread.
import { Worker } from 'node:worker_threads';

export interface Rate {
  perSecond: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  firstError?: string;
  /** [end time (epoch ms), latency ms] per request, when asked for. */
  samples?: Array<[number, number]>;
}

export interface LoadOptions {
  tokenUrl: string;
  authorization: string;
  mode: 'client_credentials' | 'refresh_token';
  refreshTokens?: string[];
  concurrency?: number;
  durationMs: number;
  body?: string;
  samples?: boolean;
}

export interface RunningLoad {
  /** Resolves once the worker sends its first request. */
  started: Promise<void>;
  done: Promise<Rate>;
  stop(): void;
}

export function startLoad(o: LoadOptions): RunningLoad {
  const worker = new Worker(new URL('./grant-worker.ts', import.meta.url), {
    workerData: { concurrency: 16, refreshTokens: [], ...o },
  });
  let onStarted: () => void = () => {};
  const started = new Promise<void>((r) => (onStarted = r));
  const done = new Promise<Rate>((resolve, reject) => {
    worker.on(
      'message',
      (
        m:
          | 'started'
          | {
              count: number;
              seconds: number;
              statuses: Record<string, number>;
              firstError?: string;
              p50: number;
              p99: number;
              samples: Array<[number, number]>;
            },
      ) => {
        if (m === 'started') return onStarted();
        void worker.terminate();
        resolve({
          perSecond: m.count / m.seconds,
          p50: m.p50,
          p99: m.p99,
          statuses: m.statuses,
          ...(m.firstError ? { firstError: m.firstError } : {}),
          ...(o.samples ? { samples: m.samples } : {}),
        });
      },
    );
    worker.once('error', reject);
  });
  return { started, done, stop: () => worker.postMessage('stop') };
}

export const load = (o: LoadOptions): Promise<Rate> => startLoad(o).done;
