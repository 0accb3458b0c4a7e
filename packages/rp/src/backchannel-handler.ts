// The back-channel logout endpoint over Web-standard Request → Response (Next.js route
// handlers, Hono, Bun, Deno), following BCL §2.5–2.8 and standards §7.
import { readBodyLimited } from './read-body-limited.ts';
import { LogoutTokenError, TemporarilyUnavailableError } from './errors.ts';
import { logoutReceipt } from './logout-receipt.ts';
import { applyLogout, type LogoutEvent } from './session-state.ts';
import type { LogoutStore } from './stores/store.ts';
import type { ValidationOptions } from './validation/options.ts';
import { createLogoutTokenValidator } from './validate-logout-token.ts';

export interface BackchannelLogoutOptions extends Omit<ValidationOptions, 'replayStore'> {
  /** Shared store: replay protection and logged-out markers for every instance. */
  store: LogoutStore;
  /**
   * Called after the logout is recorded: delete server-side sessions here. Return how many
   * sessions you ended to have the receipt say so (see logout-receipt.ts).
   */
  onLogout?: (event: LogoutEvent) => unknown;
  /** Marker lifetime, no shorter than your longest session (default 14 days). */
  markerTtlSeconds?: number;
  /** Largest accepted body in bytes (default 16 KiB; a logout token is ~1 KiB). */
  maxBodyBytes?: number;
  /**
   * Seconds a provider should wait before retrying when the store or the keys are unreachable
   * (default 5). During a JWKS refetch cool-down the rest of the cool-down is sent instead.
   */
  retryAfterSeconds?: number;
  /** Called with every rejected or failed request, for logging. */
  onError?: (error: Error) => void;
}

const HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

function invalid(description: string): Response {
  return Response.json({ error: 'invalid_request', error_description: description }, { status: 400, headers: HEADERS });
}

/** 503 + Retry-After: the SDK's own estimate when it has one (the rest of a JWKS cool-down). */
function unavailable(err: unknown, fallbackSeconds: number): Response {
  const known = err instanceof TemporarilyUnavailableError ? err : undefined;
  const retryAfter = String(known?.retryAfterSeconds ?? fallbackSeconds);
  const description = known ? known.message : 'Logout could not be recorded; retry later';
  return Response.json(
    { error: 'temporarily_unavailable', error_description: description },
    { status: 503, headers: { ...HEADERS, 'Retry-After': retryAfter } },
  );
}

/** Extracts the single `logout_token` of a form body, or says what is wrong with it. */
export function readLogoutToken(form: URLSearchParams): string | { error: string } {
  const tokens = form.getAll('logout_token');
  if (tokens.length === 0 || tokens[0] === '') return { error: 'Missing logout_token' };
  if (tokens.length > 1) return { error: 'logout_token must appear once' };
  return tokens[0]!;
}

/** Answers one already parsed back-channel logout form; see createLogoutFormHandler. */
export type LogoutFormHandler = (form: URLSearchParams) => Promise<Response>;

/**
 * Creates the handler for the URL you register as the client's back-channel logout URL. It owns
 * its key set (a JWKS URL is fetched and cached for this handler alone): create it once.
 *
 * @example
 * // Next.js: app/backchannel-logout/route.ts
 * const handler = createBackchannelLogoutHandler({ issuer, clientId, keys: new URL(jwksUri), store });
 * export const POST = handler;
 */
export function createBackchannelLogoutHandler(options: BackchannelLogoutOptions): (req: Request) => Promise<Response> {
  return serveLogoutRequests(createLogoutFormHandler(options), options.maxBodyBytes ?? 16 * 1024);
}

/** The Web-standard request checks around a form handler (shared with the Express adapter). */
export function serveLogoutRequests(handleForm: LogoutFormHandler, limit: number): (req: Request) => Promise<Response> {
  return async (req) => {
    // BCL §2.5: the OP uses POST; anything else is not this endpoint.
    if (req.method !== 'POST') return new Response(null, { status: 405, headers: { ...HEADERS, Allow: 'POST' } });
    const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded')
      return invalid('Content-Type must be application/x-www-form-urlencoded');
    const body = await readBodyLimited(req, limit);
    if (body === null) return invalid(`Request body larger than ${limit} bytes`);
    return handleForm(new URLSearchParams(body));
  };
}

/**
 * The part after body parsing, for adapters that receive an already parsed form (Express,
 * Fastify, your own). Like the handler, it owns its key set: create it once, at start-up.
 *
 * @example
 * const handleForm = createLogoutFormHandler({ issuer, clientId, keys: new URL(jwksUri), store });
 * const response = await handleForm(new URLSearchParams(rawBody));
 */
export function createLogoutFormHandler(options: BackchannelLogoutOptions): LogoutFormHandler {
  const validate = createLogoutTokenValidator({ ...options, replayStore: options.store });
  return async (form) => {
    const token = readLogoutToken(form);
    if (typeof token !== 'string') return invalid(token.error);
    try {
      const claims = await validate(token);
      const event = await applyLogout(options.store, claims, options);
      // BCL §2.8: 200 on success (the conformance suite requires 200, not 204), with a receipt
      // body saying how many of the app's sessions ended, which the provider may record.
      return Response.json(logoutReceipt(event, event.sessionsEnded), { status: 200, headers: HEADERS });
    } catch (err) {
      options.onError?.(err as Error);
      if (err instanceof LogoutTokenError) return invalid(err.message);
      // The store or the keys are unreachable, or a just-rotated key is still in the refetch
      // cool-down: ask the provider to retry (standards §4) rather than lose the logout.
      return unavailable(err, options.retryAfterSeconds ?? 5);
    }
  };
}
