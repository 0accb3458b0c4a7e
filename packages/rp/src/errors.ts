// Errors with stable codes and a structured cause, like jose's: tests and callers match on
// `code`, people read `message`.

export type LogoutTokenErrorCode =
  | 'ERR_LOGOUT_TOKEN_MALFORMED'
  | 'ERR_LOGOUT_TOKEN_DECRYPTION_FAILED'
  | 'ERR_LOGOUT_TOKEN_NOT_ENCRYPTED'
  | 'ERR_LOGOUT_TOKEN_SIGNATURE_INVALID'
  | 'ERR_LOGOUT_TOKEN_ALG_NOT_ALLOWED'
  | 'ERR_LOGOUT_TOKEN_TYP_INVALID'
  | 'ERR_LOGOUT_TOKEN_ISSUER_INVALID'
  | 'ERR_LOGOUT_TOKEN_AUDIENCE_INVALID'
  | 'ERR_LOGOUT_TOKEN_IAT_INVALID'
  | 'ERR_LOGOUT_TOKEN_EXPIRED'
  | 'ERR_LOGOUT_TOKEN_SUB_SID_MISSING'
  | 'ERR_LOGOUT_TOKEN_EVENTS_INVALID'
  | 'ERR_LOGOUT_TOKEN_NONCE_PRESENT'
  | 'ERR_LOGOUT_TOKEN_JTI_MISSING'
  | 'ERR_LOGOUT_TOKEN_REPLAYED';

export interface ClaimCause {
  claim: string;
  expected?: unknown;
  actual?: unknown;
}

/** The token is invalid: the RP answers 400 (BCL §2.8). */
export class LogoutTokenError extends Error {
  readonly code: LogoutTokenErrorCode;
  override readonly cause: ClaimCause | undefined;

  constructor(code: LogoutTokenErrorCode, message: string, cause?: ClaimCause) {
    super(message);
    this.name = 'LogoutTokenError';
    this.code = code;
    this.cause = cause;
  }
}

export type TemporarilyUnavailableErrorCode = 'ERR_TEMPORARILY_UNAVAILABLE' | 'ERR_JWKS_REFETCH_COOLDOWN';

/**
 * Validation could not be done right now (keys or store unreachable): the RP answers 503 so
 * that a retrying provider tries again, and nothing is lost (standards §4: 5xx is retried).
 */
export class TemporarilyUnavailableError extends Error {
  readonly code: TemporarilyUnavailableErrorCode;
  /** Seconds after which a retry can succeed, when the SDK knows; the handler's `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    message: string,
    options: { cause?: unknown; code?: TemporarilyUnavailableErrorCode; retryAfterSeconds?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TemporarilyUnavailableError';
    this.code = options.code ?? 'ERR_TEMPORARILY_UNAVAILABLE';
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * The token's `kid` is not in the cached key set, and the key set was fetched too recently to
 * fetch it again (the refetch cool-down). After a key rotation this is the normal case for the
 * first tokens signed with the new key, so it must not be final: the handler answers 503 with
 * `Retry-After` set to the rest of the cool-down, and the provider's retry then succeeds. Only a
 * key set fetched after the token arrived can prove the `kid` unknown (then 400).
 */
export class JwksRefetchCooldownError extends TemporarilyUnavailableError {
  declare readonly code: 'ERR_JWKS_REFETCH_COOLDOWN';
  declare readonly retryAfterSeconds: number;
  /** The `kid` that was not found (undefined for a token without one). */
  readonly kid: string | undefined;

  constructor(kid: string | undefined, retryAfterSeconds: number) {
    super(
      `The issuer's key set has no key ${kid === undefined ? 'for this token' : `"${kid}"`} and was fetched too recently to fetch again; retry in ${retryAfterSeconds} s`,
      {
        code: 'ERR_JWKS_REFETCH_COOLDOWN',
        retryAfterSeconds,
      },
    );
    this.name = 'JwksRefetchCooldownError';
    this.kid = kid;
  }
}

/** The error codes of RFC 8935 §2.4 (answered as §2.3 says) and RFC 8936 §2.4 (the IANA "Security Event Token Error Codes"). */
export type SetErrorCode =
  'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience' | 'authentication_failed' | 'access_denied';

export type SecurityEventTokenErrorCode =
  | 'ERR_SET_MALFORMED'
  | 'ERR_SET_ALG_NOT_ALLOWED'
  | 'ERR_SET_SIGNATURE_INVALID'
  | 'ERR_SET_TYP_INVALID'
  | 'ERR_SET_ISSUER_INVALID'
  | 'ERR_SET_AUDIENCE_INVALID'
  | 'ERR_SET_IAT_INVALID'
  | 'ERR_SET_EXPIRED'
  | 'ERR_SET_JTI_MISSING'
  | 'ERR_SET_SUB_PRESENT'
  | 'ERR_SET_EVENTS_INVALID'
  | 'ERR_SET_SUBJECT_INVALID'
  | 'ERR_SET_REPLAYED'
  | 'ERR_SET_BODY_INVALID'
  | 'ERR_SET_AUTHENTICATION_FAILED';

/**
 * A Security Event Token was refused: `err` is the RFC 8935 §2.3 code the push receiver answers
 * (400, `{"err", "description"}`) and the poller reports in `setErrs` (RFC 8936 §2.4.4).
 */
export class SecurityEventTokenError extends Error {
  readonly code: SecurityEventTokenErrorCode;
  readonly err: SetErrorCode;
  override readonly cause: ClaimCause | undefined;

  constructor(code: SecurityEventTokenErrorCode, err: SetErrorCode, message: string, cause?: ClaimCause) {
    super(message);
    this.name = 'SecurityEventTokenError';
    this.code = code;
    this.err = err;
    this.cause = cause;
  }
}

export type BearerTokenErrorCode =
  | 'ERR_BEARER_MALFORMED'
  | 'ERR_BEARER_INVALID'
  | 'ERR_BEARER_TYP_INVALID'
  | 'ERR_BEARER_SESSION_ENDED'
  | 'ERR_BEARER_USER_LOGGED_OUT'
  | 'ERR_BEARER_INACTIVE';

/** An access token the bearer guard refuses: 401 with `error="invalid_token"` (RFC 6750 §3.1). */
export class BearerTokenError extends Error {
  readonly code: BearerTokenErrorCode;
  readonly error = 'invalid_token' as const;

  constructor(code: BearerTokenErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BearerTokenError';
    this.code = code;
  }
}
