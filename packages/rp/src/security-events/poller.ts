// The poll side of RFC 8936: ask the transmitter's poll endpoint for SETs, apply each, and
// acknowledge them (`ack`) or report why not (`setErrs`) in the next request (§2.4). Long-polls
// unless told to return immediately; a SET whose processing failed for a passing reason (store
// or keys down) is neither acknowledged nor refused, so the transmitter delivers it again.
import { SecurityEventTokenError } from '../errors.ts';
import {
  createSecurityEventReceiver,
  type SecurityEventReceiver,
  type SecurityEventReceiverOptions,
} from './receiver.ts';

export interface SetPollerOptions {
  /** The stream's poll URL (`delivery.endpoint_url` of a poll stream). */
  endpoint: URL | string;
  /** The bearer token for the poll endpoint, or a function giving a current one. */
  accessToken: string | (() => Promise<string> | string);
  /** The receiver to apply SETs with, or the options to make one. */
  receiver: SecurityEventReceiver | SecurityEventReceiverOptions;
  /** `maxEvents` per request (default 100). */
  maxEvents?: number;
  /** `returnImmediately` (default false: the transmitter holds the request until events come). */
  returnImmediately?: boolean;
  /** Pause between polls that brought nothing, in ms (default 1000 with returnImmediately, else 0). */
  intervalMs?: number;
  /** Pause after a failed poll, in ms (default 5000). */
  retryDelayMs?: number;
  /** Abort a poll request after this many ms (default 60 000). */
  requestTimeoutMs?: number;
  /** Every failed poll request and every refused SET, for logging. */
  onError?: (error: Error) => void;
}

/** What one poll request did. */
export interface PollResult {
  /** SETs received (processed, refused or left for redelivery). */
  received: number;
  /** `moreAvailable` of the response (RFC 8936 §2.5). */
  moreAvailable: boolean;
}

export interface SetPoller {
  /** One request: sends pending acks and errors, applies what comes back. */
  pollOnce(): Promise<PollResult>;
  /** Polls until stop(): again at once while `moreAvailable`, else after `intervalMs`. */
  start(): void;
  /** Stops polling, aborting a request in flight, and sends the pending acknowledgements. */
  stop(): Promise<void>;
}

export class PollRequestError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PollRequestError';
    this.status = status;
  }
}

/**
 * @example
 * const poller = createSetPoller({ endpoint: stream.delivery.endpoint_url, accessToken: () => tokens.current(), receiver: { issuer, audience, keys, store } });
 * poller.start();
 * // on shutdown
 * await poller.stop();
 */
export function createSetPoller(options: SetPollerOptions): SetPoller {
  const receive =
    typeof options.receiver === 'function' ? options.receiver : createSecurityEventReceiver(options.receiver);
  const returnImmediately = options.returnImmediately ?? false;
  const interval = options.intervalMs ?? (returnImmediately ? 1000 : 0);
  let acks: string[] = [];
  let setErrs: Record<string, { err: string; description: string }> = {};
  let running = false;
  let controller: AbortController | undefined;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const token = async () =>
    typeof options.accessToken === 'string' ? options.accessToken : await options.accessToken();

  async function request(body: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 60_000);
    let res: Response;
    try {
      res = await fetch(options.endpoint, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await token()}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      throw new PollRequestError('The poll request failed', undefined, { cause: err });
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new PollRequestError(`The poll endpoint answered HTTP ${res.status}`, res.status);
    }
    try {
      const json = (await res.json()) as unknown;
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not an object');
      return json as Record<string, unknown>;
    } catch (err) {
      throw new PollRequestError('The poll response is not a JSON object', 200, { cause: err });
    }
  }

  async function pollOnce(signal?: AbortSignal): Promise<PollResult> {
    const sentAcks = acks;
    const sentErrs = setErrs;
    // RFC 8936 §2.4: acknowledgements and errors of the last batch ride on the next request.
    const body: Record<string, unknown> = { maxEvents: options.maxEvents ?? 100, returnImmediately, ack: sentAcks };
    if (Object.keys(sentErrs).length > 0) body.setErrs = sentErrs;
    acks = [];
    setErrs = {};
    let response: Record<string, unknown>;
    try {
      response = await request(body, signal);
    } catch (err) {
      // Not delivered: keep them for the next request.
      acks = [...sentAcks, ...acks];
      setErrs = { ...sentErrs, ...setErrs };
      throw err;
    }
    const sets =
      typeof response.sets === 'object' && response.sets !== null ? (response.sets as Record<string, unknown>) : {};
    for (const [jti, set] of Object.entries(sets)) {
      try {
        if (typeof set !== 'string')
          throw new SecurityEventTokenError('ERR_SET_MALFORMED', 'invalid_request', 'The SET is not a string');
        await receive(set);
        acks.push(jti);
      } catch (err) {
        options.onError?.(err as Error);
        if (err instanceof SecurityEventTokenError) {
          // A replay was applied before: acknowledge it rather than report it as an error.
          if (err.code === 'ERR_SET_REPLAYED') acks.push(jti);
          else setErrs[jti] = { err: err.err, description: err.message };
        }
        // Anything else (store, keys): neither acked nor refused, so it comes again.
      }
    }
    return { received: Object.keys(sets).length, moreAvailable: response.moreAvailable === true };
  }

  function pause(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    while (running) {
      controller = new AbortController();
      try {
        const result = await pollOnce(controller.signal);
        if (!result.moreAvailable && running) await pause(result.received === 0 ? interval : 0);
      } catch (err) {
        if (!running) break;
        options.onError?.(err as Error);
        await pause(options.retryDelayMs ?? 5000);
      }
    }
  }

  return {
    pollOnce: () => pollOnce(),
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      controller?.abort();
      wake?.();
      await loop;
      loop = undefined;
      // RFC 8936 §2.4.2: acknowledge without asking for more (maxEvents 0, returnImmediately).
      if (acks.length > 0 || Object.keys(setErrs).length > 0) {
        const body: Record<string, unknown> = { maxEvents: 0, returnImmediately: true, ack: acks };
        if (Object.keys(setErrs).length > 0) body.setErrs = setErrs;
        try {
          await request(body);
          acks = [];
          setErrs = {};
        } catch (err) {
          options.onError?.(err as Error);
        }
      }
    },
  };
}
