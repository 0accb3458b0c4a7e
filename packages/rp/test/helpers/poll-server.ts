// A poll-based SET transmitter written from RFC 8936 §2, not from the SDK: POST with a bearer
// token, `{maxEvents, returnImmediately, ack, setErrs}` in, `{sets, moreAvailable}` out. Acked
// and refused SETs are dropped; the rest are delivered again. Without returnImmediately it holds
// the request until a SET is queued (or `holdMs` passes).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PollServer {
  url: string;
  /** Queues a SET under its jti. */
  queue(jti: string, set: string): void;
  /** Every request body received, in order. */
  requests: Array<Record<string, unknown>>;
  acked: string[];
  errors: Record<string, { err: string; description: string }>;
  close(): Promise<void>;
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.on('data', (d: Buffer) => (s += d.toString()));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

export async function pollServer(token: string, holdMs = 2000): Promise<PollServer> {
  const pending = new Map<string, string>();
  const waiters = new Set<() => void>();
  const state: Omit<PollServer, 'url' | 'close' | 'queue'> = { requests: [], acked: [], errors: {} };
  const server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    const body = JSON.parse(await read(req)) as {
      maxEvents?: number;
      returnImmediately?: boolean;
      ack?: string[];
      setErrs?: Record<string, { err: string; description: string }>;
    };
    state.requests.push(body as Record<string, unknown>);
    for (const jti of body.ack ?? []) {
      pending.delete(jti);
      state.acked.push(jti);
    }
    for (const [jti, e] of Object.entries(body.setErrs ?? {})) {
      pending.delete(jti);
      state.errors[jti] = e;
    }
    const max = body.maxEvents ?? 100;
    if (pending.size === 0 && max > 0 && !body.returnImmediately) {
      await new Promise<void>((resolve) => {
        const done = () => {
          waiters.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, holdMs);
        timer.unref();
        waiters.add(done);
        req.once('close', done);
      });
    }
    const sets = Object.fromEntries([...pending].slice(0, max));
    if (!res.destroyed)
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ sets, moreAvailable: pending.size > Object.keys(sets).length }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/poll`,
    queue(jti, set) {
      pending.set(jti, set);
      for (const w of [...waiters]) w();
    },
    get requests() {
      return state.requests;
    },
    get acked() {
      return state.acked;
    },
    get errors() {
      return state.errors;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
