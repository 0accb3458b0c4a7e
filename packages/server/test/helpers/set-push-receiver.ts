// A push receiver of Security Event Tokens on loopback (RFC 8935 §2), written from the RFC: it
// takes `POST` with `Content-Type: application/secevent+jwt`, answers `202 Accepted`, and answers
// what a test scripts otherwise — another status, or RFC 8935 §2.3's error JSON on a 400.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PushedSet {
  token: string;
  contentType: string | undefined;
  authorization: string | undefined;
  accept: string | undefined;
  at: number;
}

export type PushAnswer = { status: number; body?: string; headers?: Record<string, string> };

export class SetPushReceiver {
  readonly received: PushedSet[] = [];
  answer: (set: PushedSet) => PushAnswer = () => ({ status: 202 });
  readonly #server: Server;
  #port = 0;

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const set: PushedSet = {
          token: Buffer.concat(chunks).toString('utf8'),
          contentType: req.headers['content-type'],
          authorization: req.headers.authorization,
          accept: req.headers.accept,
          at: Date.now(),
        };
        this.received.push(set);
        // RFC 8935 §2.2: the SET is the body, its media type application/secevent+jwt.
        const a =
          req.method !== 'POST' || set.contentType !== 'application/secevent+jwt'
            ? { status: 400, body: JSON.stringify({ err: 'invalid_request', description: 'not a SET' }) }
            : this.answer(set);
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body ?? '');
      });
    });
  }

  static async start(): Promise<SetPushReceiver> {
    const r = new SetPushReceiver();
    await r.listen();
    return r;
  }

  async listen(port = this.#port): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async close(): Promise<void> {
    if (this.#server.listening) await this.stop();
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/ssf/push`;
  }

  async waitFor(n: number, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (this.received.length < n) {
      if (Date.now() > end) throw new Error(`expected ${n} SETs, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
