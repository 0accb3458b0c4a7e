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
