// Recognises errors that mean "the database cannot serve right now" — a restart, a failover, a
// terminated connection, no free connection slot — as opposed to a bug or bad data. Requests that
// fail this way are answered 503 temporarily_unavailable (RFC 6749 §4.1.2.1) and succeed again
// once the database is back; background work retries them.

/** SQLSTATEs: class 08 (connection exception) plus shutdown, start-up and connection limits. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;

/** Socket errors of a database connection that a reconnect can cure. */
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** What pg and Kysely's PostgreSQL driver throw when a connection is gone or cannot be made. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|Postgres connection has been discarded)$/;

export function isStoreUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
    if (UNAVAILABLE_MESSAGE.test(e.message)) return true;
    if (e instanceof AggregateError && e.errors.some(isStoreUnavailable)) return true;
  }
  return false;
}

/**
 * SQLSTATE 22021 (invalid byte sequence: PostgreSQL refuses U+0000 in text) and 22P05
 * (untranslatable character): the request carried text no store keeps — the client's input is
 * wrong, not the server (params.ts refuses NUL at the edge; this covers what reaches a query
 * another way, such as JSON bodies).
 */
const UNSTORABLE_TEXT_SQLSTATE = new Set(['22021', '22P05']);

export function isUnstorableText(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNSTORABLE_TEXT_SQLSTATE.has(code)) return true;
  }
  return false;
}
