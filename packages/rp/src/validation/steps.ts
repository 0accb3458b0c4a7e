// Back-Channel Logout 1.0 §2.6, one function per rule, in the spec's order (standards §6).
import {
  compactDecrypt,
  compactVerify,
  decodeProtectedHeader,
  errors,
  type JWSHeaderParameters,
  type JWTVerifyGetKey,
} from 'jose';
import { LogoutTokenError, TemporarilyUnavailableError } from '../errors.ts';
import type { ValidationOptions } from './options.ts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export type Claims = Record<string, unknown>;

/** Step 1 — decrypt an encrypted token; when encryption was agreed, refuse plain ones. */
export async function decryptIfEncrypted(token: string, options: ValidationOptions): Promise<string> {
  const parts = token.split('.').length;
  if (parts === 5) {
    if (!options.decryptionKey)
      throw new LogoutTokenError(
        'ERR_LOGOUT_TOKEN_DECRYPTION_FAILED',
        'Logout token is encrypted but no decryption key is configured',
      );
    try {
      return new TextDecoder().decode((await compactDecrypt(token, options.decryptionKey)).plaintext);
    } catch {
      throw new LogoutTokenError('ERR_LOGOUT_TOKEN_DECRYPTION_FAILED', 'Logout token could not be decrypted');
    }
  }
  if (options.decryptionKey)
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_NOT_ENCRYPTED', 'Logout token must be encrypted');
  return token;
}

/** Reads the protected header; a token that is not a compact JWS is malformed. */
export function readHeader(token: string): JWSHeaderParameters {
  if (token.split('.').length !== 3)
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_MALFORMED', 'Logout token is not a signed JWT');
  try {
    return decodeProtectedHeader(token) as JWSHeaderParameters;
  } catch {
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_MALFORMED', 'Logout token header is not valid');
  }
}

/** Step 2 — the signature verifies with one of the issuer's keys. `alg: none` never does. */
export async function verifySignature(
  token: string,
  header: JWSHeaderParameters,
  getKey: JWTVerifyGetKey,
): Promise<Claims> {
  if (!header.alg || header.alg === 'none') {
    throw new LogoutTokenError(
      'ERR_LOGOUT_TOKEN_ALG_NOT_ALLOWED',
      'Unsigned logout tokens (alg "none") are never accepted',
      {
        claim: 'alg',
        actual: header.alg,
      },
    );
  }
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, getKey));
  } catch (err) {
    // Keys unreachable, or an unknown kid during the refetch cool-down: retry, never 400.
    if (err instanceof TemporarilyUnavailableError) throw err;
    if (err instanceof errors.JWKSTimeout || (err instanceof Error && !(err instanceof errors.JOSEError))) {
      throw new TemporarilyUnavailableError("The issuer's keys could not be fetched", { cause: err });
    }
    const code = err instanceof errors.JOSEError ? err.code : 'unknown';
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_SIGNATURE_INVALID', `Logout token signature is not valid (${code})`, {
      claim: 'signature',
      actual: code,
    });
  }
  try {
    const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown;
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new Error('not an object');
    return claims as Claims;
  } catch {
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_MALFORMED', 'Logout token claims are not a JSON object');
  }
}

/**
 * Step 3 — the algorithm is one the client registered; a valid signature with another fails.
 * Runs before the key lookup. `none` never passes, even if listed.
 */
export function checkAlgorithm(header: JWSHeaderParameters, allowed: string[]): void {
  if (header.alg === 'none') {
    throw new LogoutTokenError(
      'ERR_LOGOUT_TOKEN_ALG_NOT_ALLOWED',
      'Unsigned logout tokens (alg "none") are never accepted',
      {
        claim: 'alg',
        actual: header.alg,
      },
    );
  }
  if (!header.alg || !allowed.includes(header.alg)) {
    throw new LogoutTokenError(
      'ERR_LOGOUT_TOKEN_ALG_NOT_ALLOWED',
      `Logout token algorithm ${header.alg} is not allowed`,
      {
        claim: 'alg',
        expected: allowed,
        actual: header.alg,
      },
    );
  }
}

/** The `typ` header, when present: `logout+jwt` (RFC 8725 §3.11, BCL §2.4). */
export function checkType(header: JWSHeaderParameters, acceptJwt: boolean): void {
  if (header.typ === undefined) return;
  const typ = header.typ.toLowerCase();
  if (typ === 'logout+jwt' || typ === 'application/logout+jwt') return;
  if (acceptJwt && typ === 'jwt') return;
  throw new LogoutTokenError('ERR_LOGOUT_TOKEN_TYP_INVALID', `Logout token typ "${header.typ}" is not "logout+jwt"`, {
    claim: 'typ',
    expected: 'logout+jwt',
    actual: header.typ,
  });
}

/** Step 4a — `iss` is exactly the issuer. */
export function checkIssuer(claims: Claims, issuer: string): string {
  if (claims.iss !== issuer)
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_ISSUER_INVALID', 'Logout token issuer is not the expected issuer', {
      claim: 'iss',
      expected: issuer,
      actual: claims.iss,
    });
  return issuer;
}

/** Step 4b — `aud` contains the client id, and no audience the client does not trust. */
export function checkAudience(claims: Claims, clientId: string, trusted: string[]): void {
  const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : null;
  if (!aud || !aud.includes(clientId)) {
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_AUDIENCE_INVALID', 'Logout token is not addressed to this client', {
      claim: 'aud',
      expected: clientId,
      actual: claims.aud,
    });
  }
  const untrusted = aud.filter((a) => a !== clientId && !trusted.includes(a as string));
  if (untrusted.length > 0) {
    throw new LogoutTokenError(
      'ERR_LOGOUT_TOKEN_AUDIENCE_INVALID',
      'Logout token has an audience this client does not trust',
      {
        claim: 'aud',
        expected: [clientId, ...trusted],
        actual: claims.aud,
      },
    );
  }
}

/** Step 4c — `iat` present and not in the future; `exp`, if present, not passed. Returns the jti lifetime. */
export function checkTimes(claims: Claims, now: number, tolerance: number, maxAge: number): { expiresAt: number } {
  const { iat, exp } = claims;
  if (typeof iat !== 'number' || !Number.isFinite(iat))
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_IAT_INVALID', 'Logout token has no valid iat', {
      claim: 'iat',
      actual: iat,
    });
  if (iat > now + tolerance)
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_IAT_INVALID', 'Logout token iat is in the future', {
      claim: 'iat',
      expected: `<= ${now + tolerance}`,
      actual: iat,
    });
  if (exp !== undefined) {
    if (typeof exp !== 'number' || !Number.isFinite(exp))
      throw new LogoutTokenError('ERR_LOGOUT_TOKEN_EXPIRED', 'Logout token exp is not a number', {
        claim: 'exp',
        actual: exp,
      });
    if (exp <= now - tolerance)
      throw new LogoutTokenError('ERR_LOGOUT_TOKEN_EXPIRED', 'Logout token has expired', {
        claim: 'exp',
        expected: `> ${now - tolerance}`,
        actual: exp,
      });
    return { expiresAt: exp + tolerance };
  }
  // Providers before the 2023 errata send no exp: bound the token's age by iat instead.
  if (iat < now - maxAge)
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_EXPIRED', 'Logout token without exp is too old', {
      claim: 'iat',
      expected: `>= ${now - maxAge}`,
      actual: iat,
    });
  return { expiresAt: iat + maxAge + tolerance };
}

/** Step 5 — `sub` or `sid` (or both). */
export function checkSubjectOrSession(claims: Claims): { sub?: string; sid?: string } {
  const sub = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : undefined;
  const sid = typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined;
  if (!sub && !sid)
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_SUB_SID_MISSING', 'Logout token has neither sub nor sid', {
      claim: 'sub|sid',
    });
  return { ...(sub ? { sub } : {}), ...(sid ? { sid } : {}) };
}

/** Step 6 — `events` is an object with the back-channel logout member, itself an object. */
export function checkEvents(claims: Claims): Record<string, unknown> {
  const events = claims.events;
  if (typeof events !== 'object' || events === null || Array.isArray(events)) {
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_EVENTS_INVALID', 'Logout token has no events object', {
      claim: 'events',
      actual: events,
    });
  }
  const member = (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT];
  if (typeof member !== 'object' || member === null || Array.isArray(member)) {
    throw new LogoutTokenError(
      'ERR_LOGOUT_TOKEN_EVENTS_INVALID',
      'Logout token events lack the back-channel logout event',
      {
        claim: 'events',
        expected: BACKCHANNEL_LOGOUT_EVENT,
        actual: Object.keys(events),
      },
    );
  }
  return member as Record<string, unknown>;
}

/** Step 7 — no `nonce`, so an ID token can never pass as a logout token. */
export function checkNoNonce(claims: Claims): void {
  if ('nonce' in claims)
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_NONCE_PRESENT', 'Logout token must not contain a nonce', {
      claim: 'nonce',
      actual: claims.nonce,
    });
}

/** The `jti` every logout token carries (BCL §2.4). */
export function readJti(claims: Claims): string {
  if (typeof claims.jti !== 'string' || claims.jti === '')
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_JTI_MISSING', 'Logout token has no jti', { claim: 'jti' });
  return claims.jti;
}
