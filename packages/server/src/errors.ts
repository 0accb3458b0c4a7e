// One class per OAuth 2.0 / OpenID Connect error code. `description` is public (it goes on
// the wire); `detail` is private and only logged.
import { isStoreUnavailable, isUnstorableText } from './store/unavailable.ts';

export class OAuthError extends Error {
  readonly error: string;
  readonly status: number;
  readonly description: string;
  readonly detail: string | undefined;

  constructor(error: string, status: number, description: string, detail?: string) {
    super(`${error}: ${description}`);
    this.error = error;
    this.status = status;
    this.description = description;
    this.detail = detail;
  }
}

/** RFC 6749 §5.2 / §4.1.2.1 */
export class InvalidRequest extends OAuthError {
  constructor(description: string, detail?: string) {
    super('invalid_request', 400, description, detail);
  }
}

/** RFC 6749 §5.2: client authentication failed. */
export class InvalidClient extends OAuthError {
  /** Whether the client tried HTTP Basic, so the response must carry WWW-Authenticate. */
  readonly usedBasic: boolean;
  constructor(description: string, usedBasic = false, detail?: string) {
    super('invalid_client', 401, description, detail);
    this.usedBasic = usedBasic;
  }
}

export class InvalidGrant extends OAuthError {
  constructor(description: string, detail?: string) {
    super('invalid_grant', 400, description, detail);
  }
}

export class UnauthorizedClient extends OAuthError {
  constructor(description: string, detail?: string) {
    super('unauthorized_client', 400, description, detail);
  }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(description: string) {
    super('unsupported_grant_type', 400, description);
  }
}

export class UnsupportedResponseType extends OAuthError {
  constructor(description: string) {
    super('unsupported_response_type', 400, description);
  }
}

export class InvalidScope extends OAuthError {
  constructor(description: string) {
    super('invalid_scope', 400, description);
  }
}

/** RFC 6750 §3.1 */
export class InvalidToken extends OAuthError {
  constructor(description: string, detail?: string) {
    super('invalid_token', 401, description, detail);
  }
}

/** RFC 6750 §3.1 */
export class InsufficientScope extends OAuthError {
  constructor(description: string) {
    super('insufficient_scope', 403, description);
  }
}

/** OIDC Core §3.1.2.6 */
export class LoginRequired extends OAuthError {
  constructor(description = 'Authentication required') {
    super('login_required', 400, description);
  }
}

/** Realm, client or route that does not exist. */
export class NotFound extends OAuthError {
  constructor(description: string) {
    super('not_found', 404, description);
  }
}

/** Authenticated, but not allowed (RFC 6750 §3.1 insufficient_scope's cousin for roles). */
export class Forbidden extends OAuthError {
  constructor(description: string) {
    super('forbidden', 403, description);
  }
}

/** The request conflicts with the resource's state. */
export class Conflict extends OAuthError {
  constructor(description: string) {
    super('conflict', 409, description);
  }
}

export class MethodNotAllowed extends OAuthError {
  constructor(description = 'Method not allowed') {
    super('invalid_request', 405, description);
  }
}

export class PayloadTooLarge extends OAuthError {
  constructor(limit: number) {
    super('invalid_request', 413, `Request body larger than ${limit} bytes`);
  }
}

export class TooManyRequests extends OAuthError {
  readonly retryAfterSeconds: number;
  constructor(description: string, retryAfterSeconds: number) {
    super('temporarily_unavailable', 429, description);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * RFC 6749 §4.1.2.1 / §5.2 `temporarily_unavailable`: the store cannot be reached (database
 * restart, failover, lost connection). The request may succeed when repeated shortly.
 */
export class TemporarilyUnavailable extends OAuthError {
  readonly retryAfterSeconds: number;
  constructor(detail?: string, retryAfterSeconds = 1) {
    super('temporarily_unavailable', 503, 'The service is temporarily unavailable. Try again in a moment.', detail);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class ServerError extends OAuthError {
  constructor(detail?: string) {
    super('server_error', 500, 'Internal server error', detail);
  }
}

/**
 * Turns anything thrown into an OAuthError: a store that cannot be reached becomes
 * temporarily_unavailable, text the store refuses (a NUL on PostgreSQL) invalid_request, other
 * unknown errors server_error.
 */
export function asOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  if (isStoreUnavailable(err)) return new TemporarilyUnavailable(String(err));
  if (isUnstorableText(err)) return new InvalidRequest('A parameter contains a character that is not allowed');
  return new ServerError(err instanceof Error ? (err.stack ?? err.message) : String(err));
}
