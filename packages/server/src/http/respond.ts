// The one place errors become wire responses: JSON for APIs, an HTML page for browser
// endpoints. Unexpected errors become server_error without leaking internals.
import type { Logger } from 'pino';
import {
  asOAuthError,
  InsufficientScope,
  InvalidClient,
  InvalidToken,
  type OAuthError,
  TemporarilyUnavailable,
  TooManyRequests,
} from '../errors.ts';
import { html, page } from '../views/html.ts';

/** RFC 6749 §5.1: token responses and errors must not be cached. */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

function logError(log: Logger, err: OAuthError): void {
  if (err instanceof TemporarilyUnavailable)
    log.warn({ err: err.detail ?? err.message }, 'request failed: store unavailable');
  else if (err.status >= 500) log.error({ err: err.detail ?? err.message }, 'request failed');
  else log.info({ error: err.error, description: err.description, detail: err.detail }, 'request rejected');
}

function errorHeaders(err: OAuthError): Record<string, string> {
  const headers: Record<string, string> = { ...NO_STORE };
  if (err instanceof InvalidClient && err.usedBasic) headers['WWW-Authenticate'] = 'Basic realm="sundown"';
  // RFC 6750 §3
  if (err instanceof InvalidToken || err instanceof InsufficientScope) {
    const desc = err.description.replace(/["\\]/g, '');
    headers['WWW-Authenticate'] = `Bearer error="${err.error}", error_description="${desc}"`;
  }
  if (err instanceof TooManyRequests || err instanceof TemporarilyUnavailable)
    headers['Retry-After'] = String(err.retryAfterSeconds);
  return headers;
}

export function jsonError(log: Logger, thrown: unknown): Response {
  const err = asOAuthError(thrown);
  logError(log, err);
  return Response.json(
    { error: err.error, error_description: err.description },
    { status: err.status, headers: errorHeaders(err) },
  );
}

export function htmlError(log: Logger, thrown: unknown): Response {
  const err = asOAuthError(thrown);
  logError(log, err);
  const body = html`<h1>We could not complete your request</h1><p role="alert">${err.description}</p><p class="meta">Error: ${err.error}</p>`;
  return htmlResponse(page('Error', body), err.status, errorHeaders(err));
}

export function htmlResponse(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      ...NO_STORE,
      // Our pages load nothing external and must not be framed by other sites (clickjacking).
      'Content-Security-Policy':
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'",
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      ...headers,
    },
  });
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } });
}
