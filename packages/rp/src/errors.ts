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

/**
 * Validation could not be done right now (keys or store unreachable): the RP answers 503 so
 * that a retrying provider tries again, and nothing is lost.
 */
export class TemporarilyUnavailableError extends Error {
  readonly code = 'ERR_TEMPORARILY_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemporarilyUnavailableError';
  }
}
