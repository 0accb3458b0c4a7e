// PostgreSQL LISTEN for every channel a process follows, on one dedicated connection that
// outlives database restarts and failovers: when the connection is lost it is opened again with
// growing, jittered delays, every channel is listened to again, and every handler is called once,
// because notifications sent while the connection was down are lost (catch-up).
import type { Logger } from 'pino';
import type pg from 'pg';

export interface ListenerOptions {
  /** Opens a new, connected client. */
  connect: () => Promise<pg.Client>;
  log: Logger;
  /** First reconnect delay; doubles up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export class NotificationListener {
  readonly #o: Required<ListenerOptions>;
  readonly #handlers = new Map<string, Set<() => void>>();
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: ListenerOptions) {
    this.#o = { minDelayMs: 100, maxDelayMs: 5000, ...options };
  }

  /**
   * Calls `handler` on every notification of `channel` and after every reconnection. The first
   * call connects and fails when the database cannot be reached; later losses are repaired.
   */
  async listen(channel: string, handler: () => void): Promise<() => void> {
    if (this.#closed) throw new Error('listener is closed');
    let handlers = this.#handlers.get(channel);
    const first = !handlers;
    if (!handlers) this.#handlers.set(channel, (handlers = new Set()));
    handlers.add(handler);
    try {
      const client = this.#client ?? (await this.#connect());
      if (first && client === this.#client) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (err) {
      handlers.delete(handler);
      if (handlers.size === 0) this.#handlers.delete(channel);
      throw err;
    }
    return () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.#handlers.get(channel) !== handlers) return;
      this.#handlers.delete(channel);
      this.#client?.query(`UNLISTEN ${this.#client.escapeIdentifier(channel)}`).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  /** One connection attempt at a time; resolves with the client once it listens to every channel. */
  #connect(): Promise<pg.Client> {
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #open(): Promise<pg.Client> {
    const client = await this.#o.connect();
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => {});
      if (this.#closed) return;
      this.#o.log.warn(
        { err: err === undefined ? 'connection ended' : String(err) },
        'database notifications: connection lost; reconnecting',
      );
      this.#scheduleReconnect();
    };
    // Without an error listener a lost connection would crash the process.
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (msg) => {
      for (const handler of this.#handlers.get(msg.channel) ?? []) handler();
    });
    try {
      for (const channel of this.#handlers.keys()) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (err) {
      onLost(err);
      throw err;
    }
    if (this.#closed || lost) {
      await client.end().catch(() => {});
      throw new Error('listener closed or connection lost while connecting');
    }
    this.#client = client;
    return client;
  }

  #scheduleReconnect(): void {
    clearTimeout(this.#retryTimer);
    const base = Math.min(this.#o.maxDelayMs, this.#o.minDelayMs * 2 ** this.#failures);
    const delay = base / 2 + Math.random() * (base / 2);
    this.#retryTimer = setTimeout(() => {
      if (this.#closed || this.#client) return;
      this.#connect().then(
        () => {
          this.#failures = 0;
          this.#o.log.info('database notifications: reconnected');
          // Whatever was notified while the connection was down is lost: let every follower catch up.
          for (const handlers of this.#handlers.values()) for (const handler of handlers) handler();
        },
        (err: unknown) => {
          this.#failures++;
          this.#o.log.warn(
            { err: String(err), attempt: this.#failures },
            'database notifications: reconnect failed; retrying',
          );
          if (!this.#closed) this.#scheduleReconnect();
        },
      );
    }, delay);
    this.#retryTimer.unref();
  }
}
