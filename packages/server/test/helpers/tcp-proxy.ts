// A loopback TCP proxy in front of PostgreSQL, to cut a process's database connections at will
// (as a restart or a failover does) and to refuse new ones for a while.
import { type AddressInfo, createServer, type Server, Socket } from 'node:net';

export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #port = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(this.#target.port, this.#target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  /** Proxies `url`'s host and port; `url()` gives the same URL through the proxy. */
  static async start(databaseUrl: string): Promise<TcpProxy> {
    const u = new URL(databaseUrl);
    const proxy = new TcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
    await proxy.up();
    return proxy;
  }

  url(databaseUrl: string): string {
    const u = new URL(databaseUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.#port);
    return u.toString();
  }

  /** Drops every connection at once, as a terminated backend or a failed-over host does. */
  cut(): void {
    for (const s of this.#sockets) s.destroy();
  }

  /** Cuts every connection and refuses new ones (connection refused) until `up`. */
  async down(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.cut();
    });
  }

  async up(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (this.#server.listening) await this.down();
    else this.cut();
  }
}
