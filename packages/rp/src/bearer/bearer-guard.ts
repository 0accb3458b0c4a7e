// The bearer guard of an API: an access token is accepted when it verifies locally (RFC 9068
// profile: keys, `typ`, `iss`, `aud`, `exp`, algorithm) and its session has not ended — a
// back-channel logout or a CAEP session-revoked received by any instance left a marker in the
// shared store, so every instance refuses the token at once instead of at its `exp`.
// Refusals follow RFC 6750 §3.
import { errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { type Clock, epochSeconds } from '../clock.ts';
import { BearerTokenError, TemporarilyUnavailableError } from '../errors.ts';
import type { LogoutStore } from '../stores/store.ts';
import { createKeyResolver } from '../validation/key-resolver.ts';
import { createIntrospector, type IntrospectionOptions } from './introspection.ts';
import { bearerChallenge, readBearer } from './www-authenticate.ts';

/**
 * Accept Keycloak's access tokens, whose header says `typ: "JWT"` (not RFC 9068's `at+jwt`): only
 * when the payload's Keycloak claim `typ` is `"Bearer"`, so ID and refresh tokens stay refused.
 * Pass as `compatibility: [ACCEPT_KEYCLOAK_ACCESS_TOKENS]`.
 */
export const ACCEPT_KEYCLOAK_ACCESS_TOKENS: unique symbol = Symbol('sundown.rp.acceptKeycloakAccessTokens');
export type BearerCompatibilityOption = typeof ACCEPT_KEYCLOAK_ACCESS_TOKENS;

export interface BearerGuardOptions {
  /** The provider's issuer, compared exactly. */
  issuer: string;
  /** This API's audience: one of them must be in the token's `aud` (Keycloak: add an audience mapper). */
  audience: string | string[];
  /** The provider's keys: its `jwks_uri`, a key set, or a resolver. */
  keys: URL | JSONWebKeySet | JWTVerifyGetKey;
  /** Allowed algorithms (default `['RS256']`). `none` never. */
  algorithms?: string[];
  jwks?: { cooldownSeconds?: number; cacheMaxAgeSeconds?: number };
  /** The store the logout receivers write: tokens of ended sessions are refused. */
  store?: LogoutStore;
  /** For APIs that cannot receive logout signals: RFC 7662 introspection with a short cache. */
  introspection?: IntrospectionOptions;
  compatibility?: BearerCompatibilityOption[];
  /** Seconds of allowed clock skew (default 30). */
  clockToleranceSeconds?: number;
  clock?: Clock;
  /** `realm` of the WWW-Authenticate challenge (RFC 6750 §3). */
  realm?: string;
}

export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  exp: number;
  iat: number;
  sub?: string;
  sid?: string;
}

/** The answer for one request: the claims, or the refusal to send. */
export type BearerOutcome =
  | { ok: true; claims: AccessTokenClaims }
  | {
      ok: false;
      status: 401 | 503;
      headers: Record<string, string>;
      body: { error: string; error_description: string } | null;
      /** The reason, for logs (absent for a request without a token). */
      error?: Error;
    };

export interface BearerGuard {
  /** Verifies one token. @throws BearerTokenError (401) or TemporarilyUnavailableError (503). */
  verify(token: string): Promise<AccessTokenClaims>;
  /** Checks a request's `Authorization` header value. */
  authenticate(authorization: string | null | undefined): Promise<BearerOutcome>;
}

const ACCESS_TOKEN_TYPES = ['at+jwt', 'application/at+jwt'];

/**
 * @example
 * const guard = createBearerGuard({ issuer, audience: 'orders-api', keys: new URL(jwksUri), store });
 * const outcome = await guard.authenticate(request.headers.get('authorization'));
 * if (!outcome.ok) return bearerRefusal(outcome);
 */
export function createBearerGuard(options: BearerGuardOptions): BearerGuard {
  const getKey = createKeyResolver(options.keys, options.jwks);
  const introspect = options.introspection ? createIntrospector(options.introspection) : undefined;
  const keycloak = options.compatibility?.includes(ACCEPT_KEYCLOAK_ACCESS_TOKENS) ?? false;

  async function verify(token: string): Promise<AccessTokenClaims> {
    let payload: JWTPayload;
    let typ: string | undefined;
    try {
      const result = await jwtVerify(token, getKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: (options.algorithms ?? ['RS256']).filter((a) => a !== 'none'),
        clockTolerance: options.clockToleranceSeconds ?? 30,
        currentDate: new Date(epochSeconds(options.clock) * 1000),
        requiredClaims: ['iss', 'exp', 'iat'],
      });
      payload = result.payload;
      typ = result.protectedHeader.typ;
    } catch (err) {
      if (err instanceof TemporarilyUnavailableError) throw err;
      if (err instanceof errors.JWKSTimeout || (err instanceof Error && !(err instanceof errors.JOSEError)))
        throw new TemporarilyUnavailableError("The issuer's keys could not be fetched", { cause: err });
      throw new BearerTokenError('ERR_BEARER_INVALID', describe(err), { cause: err });
    }
    checkType(typ, payload, keycloak);
    const claims = payload as AccessTokenClaims;
    if (options.store) await checkSessionActive(options.store, claims);
    if (introspect) await checkActive(introspect, token);
    return claims;
  }

  return {
    verify,
    async authenticate(authorization) {
      const token = readBearer(authorization);
      if (token === undefined)
        // RFC 6750 §3.1: no token, no error code.
        return {
          ok: false,
          status: 401,
          headers: challengeHeaders(bearerChallenge({ realm: options.realm })),
          body: null,
        };
      try {
        if (token === null)
          throw new BearerTokenError('ERR_BEARER_MALFORMED', 'The Authorization header is not a Bearer token');
        return { ok: true, claims: await verify(token) };
      } catch (err) {
        if (err instanceof BearerTokenError) {
          const challenge = bearerChallenge({ realm: options.realm, error: 'invalid_token', description: err.message });
          return {
            ok: false,
            status: 401,
            headers: challengeHeaders(challenge),
            body: { error: 'invalid_token', error_description: err.message },
            error: err,
          };
        }
        // Keys, store or introspection unreachable: fail closed, but say it is passing.
        return {
          ok: false,
          status: 503,
          headers: { 'Cache-Control': 'no-store', 'Retry-After': '5' },
          body: { error: 'temporarily_unavailable', error_description: 'The token cannot be checked right now' },
          error: err as Error,
        };
      }
    },
  };
}

function challengeHeaders(challenge: string): Record<string, string> {
  return { 'WWW-Authenticate': challenge, 'Cache-Control': 'no-store' };
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'The access token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `The access token's ${err.claim} claim is not valid`;
  if (err instanceof errors.JOSEAlgNotAllowed) return "The access token's algorithm is not allowed";
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey)
    return "The access token's signature is not valid";
  return 'The access token is not valid';
}

/** RFC 9068 §4: `typ` is `at+jwt`; Keycloak's `JWT` only as a named opt-in, with claim `typ: Bearer`. */
function checkType(typ: string | undefined, payload: JWTPayload, keycloak: boolean): void {
  const header = typ?.toLowerCase();
  if (header !== undefined && ACCESS_TOKEN_TYPES.includes(header)) {
    if (payload.typ === undefined || payload.typ === 'Bearer') return;
  } else if (keycloak && header === 'jwt' && payload.typ === 'Bearer') return;
  throw new BearerTokenError('ERR_BEARER_TYP_INVALID', 'The token is not an access token');
}

/**
 * The token's session (`sid`) has not ended, and its user (`sub`) was not logged out after the
 * token was issued: the markers of BCL §2.7 and CAEP session-revoked, shared by every instance.
 */
async function checkSessionActive(store: LogoutStore, claims: AccessTokenClaims): Promise<void> {
  const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
  if (sid === undefined && sub === undefined) return;
  let markers: { sid?: number; sub?: number };
  try {
    markers = await store.markersFor({ iss: claims.iss, ...(sid ? { sid } : {}), ...(sub ? { sub } : {}) });
  } catch (err) {
    throw new TemporarilyUnavailableError('The logout store is unreachable', { cause: err });
  }
  if (markers.sid !== undefined)
    throw new BearerTokenError('ERR_BEARER_SESSION_ENDED', 'The session of this token has ended');
  // iat has whole seconds: a token issued within the logout's second is refused too (fail closed).
  if (markers.sub !== undefined && claims.iat * 1000 <= markers.sub)
    throw new BearerTokenError('ERR_BEARER_USER_LOGGED_OUT', 'The user was logged out after this token was issued');
}

async function checkActive(introspect: ReturnType<typeof createIntrospector>, token: string): Promise<void> {
  const result = await introspect(token);
  if (!result.active) throw new BearerTokenError('ERR_BEARER_INACTIVE', 'The access token is no longer active');
}

/** The refusal as a Web Response (JSON body for a refused token, empty for a missing one). */
export function bearerRefusal(outcome: Extract<BearerOutcome, { ok: false }>): Response {
  return outcome.body
    ? Response.json(outcome.body, { status: outcome.status, headers: outcome.headers })
    : new Response(null, { status: outcome.status, headers: outcome.headers });
}

/**
 * A Web handler (Next.js, Hono, Bun, Deno) that runs only for requests with an accepted token.
 *
 * @example
 * export const GET = withBearerToken(guard, (req, claims) => Response.json({ hello: claims.sub }));
 */
export function withBearerToken(
  guard: BearerGuard,
  handler: (req: Request, claims: AccessTokenClaims) => Response | Promise<Response>,
): (req: Request) => Promise<Response> {
  return async (req) => {
    const outcome = await guard.authenticate(req.headers.get('authorization'));
    return outcome.ok ? handler(req, outcome.claims) : bearerRefusal(outcome);
  };
}
