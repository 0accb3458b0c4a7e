// validateLogoutToken: Back-Channel Logout 1.0 §2.6, steps 1–8 in order (step 3, a header check,
// before the key lookup of step 2).
import type { JWTVerifyGetKey } from 'jose';
import { epochSeconds, rejectLegacyNow } from './clock.ts';
import { TemporarilyUnavailableError, LogoutTokenError } from './errors.ts';
import { createKeyResolver, sharedKeyResolver } from './validation/key-resolver.ts';
import { ACCEPT_JWT_TYP, DEFAULT_ALGORITHMS, type ValidationOptions } from './validation/options.ts';
import {
  checkAlgorithm,
  checkAudience,
  checkEvents,
  checkIssuer,
  checkNoNonce,
  checkSubjectOrSession,
  checkTimes,
  checkType,
  decryptIfEncrypted,
  readHeader,
  readJti,
  verifySignature,
} from './validation/steps.ts';

export interface LogoutTokenClaims {
  iss: string;
  sub?: string;
  sid?: string;
  jti: string;
  iat: number;
  exp?: number;
  /**
   * Keycloak: `revoke_offline_access: true` — offline tokens should go too. Keycloak writes it
   * beside the event inside `events`; older Sundown versions wrote it inside the event's value.
   */
  revokeOfflineAccess: boolean;
  /** Every claim, including ones this SDK does not use. */
  claims: Record<string, unknown>;
}

/** Validates one logout token; see createLogoutTokenValidator. */
export type LogoutTokenValidator = (token: string) => Promise<LogoutTokenClaims>;

/**
 * A validator with its own key set: a remote JWKS is fetched on first use, cached for
 * `jwks.cacheMaxAgeSeconds` and fetched again on an unknown `kid` at most once per
 * `jwks.cooldownSeconds`. Create one per issuer and keep it; the handlers do this for you.
 *
 * @example
 * const validate = createLogoutTokenValidator({
 *   issuer: 'https://sso.example.com/realms/acme',
 *   clientId: 'my-app',
 *   keys: new URL('https://sso.example.com/realms/acme/protocol/openid-connect/certs'),
 *   replayStore: store,
 * });
 * const claims = await validate(token);
 * @throws LogoutTokenError (answer 400) or TemporarilyUnavailableError (answer 503; a
 *   JwksRefetchCooldownError says how long to wait).
 */
export function createLogoutTokenValidator(options: ValidationOptions): LogoutTokenValidator {
  rejectLegacyNow(options);
  const getKey = createKeyResolver(options.keys, options.jwks);
  return (token) => runSteps(token, options, getKey);
}

/**
 * Validates a back-channel logout token strictly, in the order of BCL §2.6. For a JWKS URL the
 * key set is kept in a small process-wide cache (the 8 most recently used URLs); a long-lived
 * endpoint should use createLogoutTokenValidator, or a handler, which own theirs.
 *
 * @example
 * const claims = await validateLogoutToken(token, {
 *   issuer: 'https://sso.example.com/realms/acme',
 *   clientId: 'my-app',
 *   keys: new URL('https://sso.example.com/realms/acme/protocol/openid-connect/certs'),
 *   replayStore: store,
 * });
 * @throws LogoutTokenError (answer 400) or TemporarilyUnavailableError (answer 503).
 */
export async function validateLogoutToken(token: string, options: ValidationOptions): Promise<LogoutTokenClaims> {
  rejectLegacyNow(options);
  return runSteps(token, options, sharedKeyResolver(options.keys, options.jwks));
}

async function runSteps(
  token: string,
  options: ValidationOptions,
  getKey: JWTVerifyGetKey,
): Promise<LogoutTokenClaims> {
  const now = epochSeconds(options.clock);
  const tolerance = options.clockToleranceSeconds ?? 30;
  const maxAge = options.maxTokenAgeSeconds ?? 600;

  const jws = await decryptIfEncrypted(token, options); // step 1
  const header = readHeader(jws);
  // Step 3 before step 2, as jose and oauth4webapi do: the header alone decides it, and a token
  // with an algorithm the client never registered must not make us look up, or fetch, keys.
  checkAlgorithm(header, options.algorithms ?? DEFAULT_ALGORITHMS); // step 3
  const claims = await verifySignature(jws, header, getKey); // step 2
  checkType(header, options.compatibility?.includes(ACCEPT_JWT_TYP) ?? false);
  const iss = checkIssuer(claims, options.issuer); // step 4
  checkAudience(claims, options.clientId, options.trustedAudiences ?? []);
  const { expiresAt } = checkTimes(claims, now, tolerance, maxAge);
  const subject = checkSubjectOrSession(claims); // step 5
  const event = checkEvents(claims); // step 6
  checkNoNonce(claims); // step 7
  const jti = readJti(claims); // step 8
  await rememberOnce(options, iss, jti, Math.max(1, expiresAt - now));

  return {
    iss,
    ...subject,
    jti,
    iat: claims.iat as number,
    ...(typeof claims.exp === 'number' ? { exp: claims.exp } : {}),
    revokeOfflineAccess:
      (claims.events as Record<string, unknown>).revoke_offline_access === true || event.revoke_offline_access === true,
    claims,
  };
}

async function rememberOnce(options: ValidationOptions, iss: string, jti: string, ttlSeconds: number): Promise<void> {
  let fresh: boolean;
  try {
    fresh = await options.replayStore.rememberJti(iss, jti, ttlSeconds);
  } catch (err) {
    throw new TemporarilyUnavailableError('The replay store is unreachable', { cause: err });
  }
  if (!fresh)
    throw new LogoutTokenError('ERR_LOGOUT_TOKEN_REPLAYED', 'Logout token was already used', {
      claim: 'jti',
      actual: jti,
    });
}
