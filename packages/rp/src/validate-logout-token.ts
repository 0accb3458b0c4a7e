// validateLogoutToken: Back-Channel Logout 1.0 §2.6, steps 1–8 in order.
import { TemporarilyUnavailableError, LogoutTokenError } from './errors.ts';
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
  keyResolver,
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

/**
 * Validates a back-channel logout token strictly, in the order of BCL §2.6.
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
  const now = options.now?.() ?? Math.floor(Date.now() / 1000);
  const tolerance = options.clockToleranceSeconds ?? 30;
  const maxAge = options.maxTokenAgeSeconds ?? 600;

  const jws = await decryptIfEncrypted(token, options); // step 1
  const header = readHeader(jws);
  const claims = await verifySignature(jws, header, keyResolver(options.keys, options.jwks)); // step 2
  checkAlgorithm(header, options.algorithms ?? DEFAULT_ALGORITHMS); // step 3
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
    revokeOfflineAccess: (claims.events as Record<string, unknown>).revoke_offline_access === true || event.revoke_offline_access === true,
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
  if (!fresh) throw new LogoutTokenError('ERR_LOGOUT_TOKEN_REPLAYED', 'Logout token was already used', { claim: 'jti', actual: jti });
}
