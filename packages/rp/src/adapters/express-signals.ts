// Express: the Shared Signals push endpoint (RFC 8935), the bearer guard for APIs (RFC 6750)
// and the open-tabs relay (Server-Sent Events). Re-exported by `@sundown/rp/express`.
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import {
  type AccessTokenClaims,
  type BearerGuard,
  type BearerGuardOptions,
  createBearerGuard,
} from '../bearer/bearer-guard.ts';
import {
  createPushPartsHandler,
  DEFAULT_PUSH_BODY_LIMIT,
  type SetPushOptions,
} from '../security-events/push-handler.ts';
import type { SessionIdentity } from '../session-state.ts';
import { TAB_RELAY_SCRIPT } from '../tabs/browser-script.ts';
import { SSE_HEADERS, TabRelay, type TabRelayOptions } from '../tabs/tab-relay.ts';

async function send(res: Response, response: globalThis.Response): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, key) => res.setHeader(key, value));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** The body as text, whether a body parser ran before or not; null when over `limit`. */
function readBody(req: Request, limit: number): Promise<string | null> {
  const parsed = req.body as unknown;
  if (req.readableEnded) {
    const text = typeof parsed === 'string' ? parsed : Buffer.isBuffer(parsed) ? parsed.toString('utf8') : '';
    return Promise.resolve(Buffer.byteLength(text) > limit ? null : text);
  }
  if (Number(req.headers['content-length'] ?? '0') > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The RFC 8935 push endpoint as Express middleware: 202 for an accepted SET, 400 with
 * `{"err", "description"}` otherwise.
 *
 * @example
 * app.use(securityEventPushRouter({ path: '/ssf/events', issuer, audience: 'my-app', keys: new URL(jwksUri), store, authorizationHeader }));
 */
export function securityEventPush(options: SetPushOptions): RequestHandler {
  const handle = createPushPartsHandler(options);
  const limit = options.maxBodyBytes ?? DEFAULT_PUSH_BODY_LIMIT;
  return (req: Request, res: Response, next: NextFunction) => {
    (req.method === 'POST' ? readBody(req, limit) : Promise.resolve(''))
      .then((body) =>
        handle({
          method: req.method,
          contentType: req.headers['content-type'],
          authorization: req.headers.authorization,
          body,
        }),
      )
      .then((response) => send(res, response))
      .catch(next);
  };
}

/** A router serving `securityEventPush` at `path` (default `/ssf/events`), for every method. */
export function securityEventPushRouter(options: SetPushOptions & { path?: string }): Router {
  const router = express.Router();
  router.all(options.path ?? '/ssf/events', securityEventPush(options));
  return router;
}

const claimsOf = new WeakMap<Request, AccessTokenClaims>();

/**
 * Lets a request through only with an accepted access token; refuses with 401 and
 * `WWW-Authenticate` (RFC 6750 §3) — also a token whose session ended on any instance.
 * The claims are then in `res.locals.accessToken` and `accessTokenClaims(req)`.
 *
 * @example
 * app.use('/api', requireBearerToken({ issuer, audience: 'orders-api', keys: new URL(jwksUri), store }));
 */
export function requireBearerToken(guard: BearerGuard | BearerGuardOptions): RequestHandler {
  const g = 'authenticate' in guard ? guard : createBearerGuard(guard);
  return (req, res, next) => {
    g.authenticate(req.headers.authorization).then((outcome) => {
      if (outcome.ok) {
        claimsOf.set(req, outcome.claims);
        res.locals.accessToken = outcome.claims;
        return next();
      }
      res.status(outcome.status).set(outcome.headers);
      if (outcome.body) res.json(outcome.body);
      else res.end();
    }, next);
  };
}

/** The claims `requireBearerToken` accepted for this request. */
export function accessTokenClaims(req: Request): AccessTokenClaims | undefined {
  return claimsOf.get(req);
}

export interface ExpressTabRelayOptions extends TabRelayOptions {
  /** Path of the event stream (default `/sundown/session-events`); the browser module is at `<path>.js`. */
  path?: string;
  /** The signed-in session of a request; default the identity `recordLogin` stored in express-session. */
  identify?: (req: Request) => SessionIdentity | undefined | Promise<SessionIdentity | undefined>;
  /** A relay to share (default: one of the router's own, at `router.relay`). */
  relay?: TabRelay;
}

/**
 * The open-tabs relay: `GET <path>` streams `signed-out` to the tab when its session ends on
 * any instance, `GET <path>.js` is the browser module. Mount after express-session (and
 * `requireActiveSession`).
 *
 * @example
 * const tabs = tabRelayRouter({ store });
 * app.use(tabs); // and in pages: <script type="module" src="/sundown/session-events.js"></script>
 * // on shutdown: await tabs.relay.close();
 */
export function tabRelayRouter(options: ExpressTabRelayOptions): Router & { relay: TabRelay } {
  const path = options.path ?? '/sundown/session-events';
  const relay = options.relay ?? new TabRelay(options);
  const identify =
    options.identify ??
    ((req: Request) =>
      (req as Request & { session?: Record<string, unknown> }).session?.sundown as SessionIdentity | undefined);
  const router = express.Router();
  router.get(`${path}.js`, (_req, res) => {
    res.set({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }).send(TAB_RELAY_SCRIPT);
  });
  router.get(path, (req, res, next) => {
    Promise.resolve(identify(req))
      .then(async (identity) => {
        let ended = false;
        const disconnect = await relay.connect(identity, req.headers['last-event-id'] as string | undefined, {
          write: (chunk) => {
            if (ended || res.destroyed) return;
            if (!res.headersSent) res.writeHead(200, SSE_HEADERS);
            res.write(chunk);
          },
          end: () => {
            if (ended) return;
            ended = true;
            res.end();
          },
        });
        if (disconnect === false) return void res.status(204).set('Cache-Control', 'no-store').end();
        const gone = () => {
          ended = true;
          disconnect();
        };
        // The tab may have gone while the relay checked its session: then 'close' has fired already.
        if (res.destroyed || res.writableEnded) gone();
        else res.on('close', gone);
      })
      .catch(next);
  });
  return Object.assign(router, { relay });
}
