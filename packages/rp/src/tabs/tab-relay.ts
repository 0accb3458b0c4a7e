// Open tabs learn that their session ended: each tab keeps a Server-Sent Events stream to the
// app's own origin; a logout recorded on any instance is published through the store (Redis
// pub/sub, PostgreSQL LISTEN/NOTIFY, in-process for memory) and every relay sends `signed-out`
// to the tabs of that session. A tab that (re)connects is checked against the markers first, so
// a message missed while it was away is made good.
import { isLoggedOut, type SessionIdentity } from '../session-state.ts';
import { broadcastOf, type LogoutMarker, type LogoutStore } from '../stores/store.ts';
import { tabRelayScriptResponse } from './browser-script.ts';

export interface TabRelayOptions {
  /** The store the logout receivers write (it must support publishLogout/subscribeLogouts). */
  store: LogoutStore;
  /** Seconds between keep-alive comments, so proxies keep the stream open (default 25). */
  heartbeatSeconds?: number;
  /** Reconnect delay the browser is told (`retry:`, ms; default 3000). */
  retryMs?: number;
}

/** One tab's stream, written by the framework adapter. */
export interface TabConnection {
  write(chunk: string): void;
  end(): void;
}

interface Tab {
  identity: SessionIdentity;
  connection: TabConnection;
  heartbeat: ReturnType<typeof setInterval>;
}

const SIGNED_OUT = (reason: string) => `event: signed-out\ndata: ${JSON.stringify({ reason })}\n\n`;

/**
 * The per-instance relay: one store subscription, shared by every tab connected to this
 * instance. Create one per app instance and close it on shutdown.
 */
export class TabRelay {
  readonly #store: LogoutStore;
  readonly #heartbeatMs: number;
  readonly #retryMs: number;
  readonly #tabs = new Set<Tab>();
  #subscription: Promise<() => Promise<void>> | undefined;

  constructor(options: TabRelayOptions) {
    broadcastOf(options.store); // fail at start-up, not on the first tab
    this.#store = options.store;
    this.#heartbeatMs = (options.heartbeatSeconds ?? 25) * 1000;
    this.#retryMs = options.retryMs ?? 3000;
  }

  /** Tabs connected to this instance now. */
  get size(): number {
    return this.#tabs.size;
  }

  /** Subscribes now (default: on the first tab); resolves when the subscription is live. */
  async ready(): Promise<void> {
    this.#subscription ??= broadcastOf(this.#store)
      .subscribeLogouts((marker) => this.#onLogout(marker))
      .catch((err: unknown) => {
        this.#subscription = undefined;
        throw err;
      });
    await this.#subscription;
  }

  /**
   * Serves one tab. Without an identity: `false` (answer 204, so the browser stops) for a first
   * connection, `signed-out` for a reconnect (`Last-Event-ID`), whose session is gone.
   * Returns a function to call when the tab goes away, or `false`.
   */
  async connect(
    identity: SessionIdentity | undefined,
    lastEventId: string | null | undefined,
    connection: TabConnection,
  ): Promise<false | (() => void)> {
    if (!identity) {
      if (!lastEventId) return false;
      connection.write(`retry: ${this.#retryMs}\n\n${SIGNED_OUT('session-ended')}`);
      connection.end();
      return () => undefined;
    }
    // Subscribed before the marker check: a logout between the two is then not missed.
    await this.ready();
    const tab: Tab = {
      identity,
      connection,
      heartbeat: setInterval(() => connection.write(': keep-alive\n\n'), this.#heartbeatMs),
    };
    tab.heartbeat.unref?.();
    this.#tabs.add(tab);
    connection.write(`retry: ${this.#retryMs}\nid: signed-in\nevent: ready\ndata: {}\n\n`);
    if (await isLoggedOut(this.#store, identity)) this.#signOut(tab, 'logout');
    return () => this.#drop(tab);
  }

  #onLogout(marker: LogoutMarker): void {
    for (const tab of this.#tabs) {
      const { identity } = tab;
      if (identity.iss !== marker.iss) continue;
      const hit =
        marker.sid !== undefined
          ? identity.sid === marker.sid
          : marker.sub !== undefined && identity.sub === marker.sub && identity.createdAt <= marker.at;
      if (hit) this.#signOut(tab, 'logout');
    }
  }

  #signOut(tab: Tab, reason: string): void {
    if (!this.#tabs.has(tab)) return;
    tab.connection.write(SIGNED_OUT(reason));
    this.#drop(tab);
    tab.connection.end();
  }

  #drop(tab: Tab): void {
    clearInterval(tab.heartbeat);
    this.#tabs.delete(tab);
  }

  /** Ends every tab's stream and the store subscription. */
  async close(): Promise<void> {
    for (const tab of [...this.#tabs]) {
      this.#drop(tab);
      tab.connection.end();
    }
    const subscription = this.#subscription;
    this.#subscription = undefined;
    if (subscription) await (await subscription.catch(() => async () => undefined))();
  }
}

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no',
} as const;

export interface TabRelayHandlerOptions extends TabRelayOptions {
  /** The signed-in session of a request (read the app's cookie/session); undefined when signed out. */
  identify: (req: Request) => SessionIdentity | undefined | Promise<SessionIdentity | undefined>;
  /** A relay to share (default: one of its own, closed by the handler's `close()`). */
  relay?: TabRelay;
}

/**
 * The relay as a Web handler: `GET <path>` is the event stream, `GET <path>.js` the browser
 * module. Mount it at one path and its `.js` twin.
 *
 * @example
 * const tabs = createTabRelayHandler({ store, identify: async (req) => readMySession(req) });
 * // app/sundown/session-events/route.ts and app/sundown/session-events.js/route.ts
 * export const GET = tabs;
 * // in the page: <script type="module" src="/sundown/session-events.js"></script>
 */
export function createTabRelayHandler(
  options: TabRelayHandlerOptions,
): ((req: Request) => Promise<Response>) & { relay: TabRelay; close(): Promise<void> } {
  const relay = options.relay ?? new TabRelay(options);
  const handler = async (req: Request): Promise<Response> => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return new Response(null, { status: 405, headers: { Allow: 'GET, HEAD' } });
    if (new URL(req.url).pathname.endsWith('.js')) return tabRelayScriptResponse();
    const identity = await options.identify(req);
    const encoder = new TextEncoder();
    const tab: { disconnect?: () => void } = {};
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let open = true;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void (controller = c),
      cancel: () => {
        open = false;
        tab.disconnect?.();
      },
    });
    const outcome = await relay.connect(identity, req.headers.get('last-event-id'), {
      write: (chunk) => {
        if (open) controller.enqueue(encoder.encode(chunk));
      },
      end: () => {
        if (!open) return;
        open = false;
        controller.close();
      },
    });
    if (outcome === false) return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
    tab.disconnect = outcome;
    req.signal?.addEventListener('abort', () => outcome());
    return new Response(body, { status: 200, headers: SSE_HEADERS });
  };
  return Object.assign(handler, { relay, close: () => (options.relay ? Promise.resolve() : relay.close()) });
}
