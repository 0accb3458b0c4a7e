// Express: the back-channel logout route, a middleware that ends logged-out express-session
// sessions on their next request (on any instance), and the app-initiated logout redirect.
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { type Clock, epochMillis } from '../clock.ts';
import { type BackchannelLogoutOptions, createLogoutFormHandler, serveLogoutRequests } from '../backchannel-handler.ts';
import { buildEndSessionUrl, type EndSessionUrlOptions } from '../end-session-url.ts';
import { isLoggedOut, type LogoutEvent, type SessionIdentity } from '../session-state.ts';
import type { LogoutStore } from '../stores/store.ts';

/** What the SDK keeps in `req.session[sessionKey]` for a signed-in user. */
export interface StoredIdentity extends SessionIdentity {
  /** The ID token, kept for the logout redirect's `id_token_hint`. */
  idToken?: string;
}

type SessionLike = Record<string, unknown> & { destroy(cb: (err?: unknown) => void): void };

function sessionOf(req: Request): SessionLike | undefined {
  return (req as Request & { session?: SessionLike }).session;
}

async function send(res: Response, response: globalThis.Response): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, key) => res.setHeader(key, value));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** A form body already parsed by express.urlencoded(): arrays mean a repeated field. */
function parsedForm(body: Record<string, unknown>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body))
    for (const item of Array.isArray(v) ? v : [v]) form.append(k, String(item));
  return form;
}

/**
 * The back-channel logout endpoint as Express middleware. Works whether or not the app parses
 * form bodies globally.
 *
 * @example
 * app.use(backchannelLogoutRouter({ path: '/backchannel-logout', issuer, clientId, keys: new URL(jwksUri), store }));
 */
export function backchannelLogout(options: BackchannelLogoutOptions): RequestHandler {
  // One form handler, so one key set, for every path below.
  const handleForm = createLogoutFormHandler(options);
  const limit = options.maxBodyBytes ?? 16 * 1024;
  const handle = serveLogoutRequests(handleForm, limit);
  return (req: Request, res: Response, next: NextFunction) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (req.method !== 'POST' || type !== 'application/x-www-form-urlencoded') {
      // Wrong method or type: the Web handler gives the exact answer (405 or 400).
      handle(
        new Request(new URL(req.originalUrl, 'http://localhost'), {
          method: req.method === 'HEAD' ? 'GET' : req.method,
          headers: { 'content-type': type },
        }),
      )
        .then((response) => send(res, response))
        .catch(next);
      return;
    }
    const body = req.body as unknown;
    if (req.readableEnded && typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) {
      handleForm(parsedForm(body as Record<string, unknown>))
        .then((response) => send(res, response))
        .catch(next);
      return;
    }
    // Read the form straight from the Node stream: cheaper than a Web Request around it.
    readNodeBody(req, limit)
      .then(
        (text) =>
          (text === null
            ? Promise.resolve(
                Response.json(
                  { error: 'invalid_request', error_description: `Request body larger than ${limit} bytes` },
                  { status: 400, headers: { 'Cache-Control': 'no-store' } },
                ),
              )
            : handleForm(new URLSearchParams(text))
          ).then((response) => send(res, response)),
        next,
      )
      .catch(next);
  };
}

function readNodeBody(req: Request, limit: number): Promise<string | null> {
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

/** A router serving `backchannelLogout` at `path` (default `/backchannel-logout`), for every method. */
export function backchannelLogoutRouter(options: BackchannelLogoutOptions & { path?: string }): Router {
  const router = express.Router();
  router.all(options.path ?? '/backchannel-logout', backchannelLogout(options));
  return router;
}

/**
 * Records a sign-in in the express-session: the identity `requireActiveSession` checks, and an
 * index entry so a logout can delete the session directly.
 */
export async function recordLogin(
  req: Request,
  identity: { iss: string; sid?: string; sub?: string; idToken?: string },
  options: { store: LogoutStore; sessionKey?: string; ttlSeconds?: number; clock?: Clock },
): Promise<void> {
  const session = sessionOf(req);
  if (!session) throw new Error('recordLogin needs express-session in front of it');
  // Pass the handler's clock, if it has one: the logout marker is compared with this time.
  const stored: StoredIdentity = { ...identity, createdAt: epochMillis(options.clock) };
  session[options.sessionKey ?? 'sundown'] = stored;
  const id = (req as Request & { sessionID?: string }).sessionID;
  if (id) await options.store.indexSession(identity, id, options.ttlSeconds ?? 14 * 86_400);
}

/** The identity recorded by `recordLogin`, if the request's session has one. */
export function sessionIdentity(req: Request, sessionKey = 'sundown'): StoredIdentity | undefined {
  return sessionOf(req)?.[sessionKey] as StoredIdentity | undefined;
}

/**
 * Ends an express-session whose OpenID session was logged out — by a token that reached any
 * instance — then continues as a signed-out request (or calls `onLoggedOut`).
 */
export function requireActiveSession(options: {
  store: LogoutStore;
  sessionKey?: string;
  onLoggedOut?: RequestHandler;
}): RequestHandler {
  return (req, res, next) => {
    const identity = sessionIdentity(req, options.sessionKey);
    if (!identity) return next();
    isLoggedOut(options.store, identity).then(
      (out) => {
        if (!out) return next();
        sessionOf(req)!.destroy((err) => {
          if (err) return next(err);
          (req as unknown as { session?: unknown }).session = undefined;
          if (options.onLoggedOut) options.onLoggedOut(req, res, next);
          else next();
        });
      },
      // The store is down: fail closed rather than serve a session that may have ended.
      (err: unknown) => next(err),
    );
  };
}

interface SessionStoreLike {
  destroy(sid: string, callback?: (err?: unknown) => void): void;
}

/**
 * An `onLogout` hook that deletes the indexed express-session sessions from their store; the
 * receipt counts them.
 */
export function destroyExpressSessions(sessionStore: SessionStoreLike): (event: LogoutEvent) => Promise<number> {
  return async (event) => {
    await Promise.all(
      event.appSessionIds.map(
        (id) =>
          new Promise<void>((resolve, reject) => sessionStore.destroy(id, (err) => (err ? reject(err) : resolve()))),
      ),
    );
    return event.appSessionIds.length;
  };
}

/**
 * "Sign out" for the app: ends the local session, then sends the browser to the provider's
 * end-session endpoint with the ID token as hint.
 */
export function logoutRedirect(
  options: Omit<EndSessionUrlOptions, 'idTokenHint'> & { sessionKey?: string },
): RequestHandler {
  return (req, res, next) => {
    const idToken = sessionIdentity(req, options.sessionKey)?.idToken;
    const url = buildEndSessionUrl({ ...options, ...(idToken ? { idTokenHint: idToken } : {}) });
    const session = sessionOf(req);
    if (!session) return res.redirect(url);
    session.destroy((err) => (err ? next(err) : res.redirect(url)));
  };
}

export {
  accessTokenClaims,
  type ExpressTabRelayOptions,
  requireBearerToken,
  securityEventPush,
  securityEventPushRouter,
  tabRelayRouter,
} from './express-signals.ts';
