// A back-channel logout receiver on loopback: records every logout token and answers as the
// test scripts it (status, Retry-After, hang, connection refused by closing).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

export interface Received {
  /** Path and query the request was sent to. */
  path: string;
  token: string;
  at: number;
  contentType: string | undefined;
}

export class Receiver {
  readonly received: Received[] = [];
  /** TCP connections accepted, whether or not a request followed. */
  connections = 0;
  answer: (n: number) => Answer = () => ({ status: 200 });
  readonly #server: Server;
  readonly #scheme: 'http' | 'https';
  readonly #hanging = new Set<ServerResponse>();
  #port = 0;
  #waiters: Array<() => void> = [];

  private constructor(server: Server, scheme: 'http' | 'https') {
    this.#server = server;
    this.#scheme = scheme;
    server.on('request', (req, res) => this.#handle(req, res));
    server.on('connection', () => this.connections++);
  }

  static async start(tls?: { key: string; cert: string }, port = 0): Promise<Receiver> {
    const r = tls ? new Receiver(createHttpsServer(tls), 'https') : new Receiver(createHttpServer(), 'http');
    await r.listen(port);
    return r;
  }

  async listen(port = this.#port): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `${this.#scheme}://127.0.0.1:${this.#port}/backchannel-logout`;
  }

  get port(): number {
    return this.#port;
  }

  tokens(): string[] {
    return this.received.map((r) => r.token);
  }

  /** Resolves when at least `n` tokens have arrived; rejects after `ms`. */
  async waitFor(n: number, ms = 10_000): Promise<void> {
    const until = Date.now() + ms;
    while (this.received.length < n) {
      const left = until - Date.now();
      if (left <= 0) throw new Error(`receiver got ${this.received.length} of ${n} tokens in ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Stops listening (new connections are refused) but keeps the port for `listen()`. */
  async stop(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async close(): Promise<void> {
    if (this.#server.listening) await this.stop();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token') ?? '';
      this.received.push({ path: req.url ?? '', token, at: Date.now(), contentType: req.headers['content-type'] });
      for (const w of this.#waiters.splice(0)) w();
      const answer = this.answer(this.received.length);
      if (answer === 'hang') {
        this.#hanging.add(res);
        return;
      }
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    });
  }
}
