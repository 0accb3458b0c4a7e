// Security Event Token validation: RFC 8417 §2–3, SSF 1.0 §4.1 and the CAEP 1.0
// interoperability profile, one function per rule, in the order a receiver can afford them
// (header rules before any key lookup, the replay store last).
import {
  compactVerify,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type JWTVerifyGetKey,
} from 'jose';
import { type Clock, epochSeconds } from '../clock.ts';
import { SecurityEventTokenError, TemporarilyUnavailableError } from '../errors.ts';
import type { ReplayStore } from '../stores/store.ts';
import { createKeyResolver } from '../validation/key-resolver.ts';
import { readSubject, type SubjectIdentifier } from './subject.ts';

type Claims = Record<string, unknown>;

export interface SetValidationOptions {
  /** The transmitter's issuer (the realm issuer for Sundown and Keycloak), compared exactly. */
  issuer: string;
  /** This receiver's audience (the stream's `aud`, e.g. its client id); one of them must be in `aud`. */
  audience: string | string[];
  /** The transmitter's keys: its `jwks_uri` (fetched, cached, refetched on an unknown kid), a key set, or a resolver. */
  keys: URL | JSONWebKeySet | JWTVerifyGetKey;
  /** Allowed algorithms; default `['RS256']` (the CAEP interoperability profile's). `none` never. */
  algorithms?: string[];
  /** Remote JWKS caching, as for logout tokens. */
  jwks?: { cooldownSeconds?: number; cacheMaxAgeSeconds?: number };
  /** Where seen `jti`s are remembered: a store shared by every instance. */
  replayStore: ReplayStore;
  /** How long a `jti` is remembered (default 7 days: a paused stream may deliver late). */
  replayWindowSeconds?: number;
  /** Seconds of allowed clock skew for `iat` (default 30). */
  clockToleranceSeconds?: number;
  clock?: Clock;
}

/** One validated SET with its single event. */
export interface SecurityEvent {
  iss: string;
  jti: string;
  iat: number;
  /** The event type URI (the one member of `events`). */
  type: string;
  /** The event's own claims (`initiating_entity`, `reason_admin`, `event_timestamp`, …). */
  payload: Claims;
  /** `sub_id` (SSF 1.0 §4.1), or the event's `subject` of pre-1.0 CAEP transmitters. */
  subject: SubjectIdentifier | undefined;
  /** `txn` (RFC 8417 §2.2): Sundown's logout id, the same on every stream. */
  txn?: string;
  /** Every claim of the SET. */
  claims: Claims;
}

export type SecurityEventTokenValidator = (token: string) => Promise<SecurityEvent>;

const DEFAULT_REPLAY_WINDOW = 7 * 86_400;

/**
 * A SET validator with its own key set; create one per transmitter and keep it.
 *
 * @example
 * const validate = createSecurityEventTokenValidator({
 *   issuer: 'https://sso.example.com/realms/acme',
 *   audience: 'my-app',
 *   keys: new URL('https://sso.example.com/realms/acme/protocol/openid-connect/certs'),
 *   replayStore: store,
 * });
 * const event = await validate(token);
 * @throws SecurityEventTokenError (its `err` is the RFC 8935 code) or TemporarilyUnavailableError.
 */
export function createSecurityEventTokenValidator(options: SetValidationOptions): SecurityEventTokenValidator {
  const getKey = createKeyResolver(options.keys, options.jwks);
  const algorithms = options.algorithms ?? ['RS256'];
  const audiences = typeof options.audience === 'string' ? [options.audience] : options.audience;
  return async (token) => {
    const now = epochSeconds(options.clock);
    const tolerance = options.clockToleranceSeconds ?? 30;
    const header = readHeader(token);
    checkAlgorithm(header, algorithms);
    checkType(header); // RFC 8417 §2.3, SSF 1.0 §4.1: before any key lookup
    const claims = await verifySignature(token, getKey);
    const iss = checkIssuer(claims, options.issuer);
    checkAudience(claims, audiences);
    const iat = checkIssuedAt(claims, now, tolerance);
    checkNotExpired(claims, now, tolerance);
    const jti = readJti(claims);
    checkNoSub(claims);
    const [type, payload] = readSingleEvent(claims);
    const subject = readSubject(claims.sub_id ?? payload.subject);
    await rememberOnce(options.replayStore, iss, jti, options.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW);
    return {
      iss,
      jti,
      iat,
      type,
      payload,
      subject,
      ...(typeof claims.txn === 'string' ? { txn: claims.txn } : {}),
      claims,
    };
  };
}

function fail(
  code: SecurityEventTokenError['code'],
  err: SecurityEventTokenError['err'],
  message: string,
  cause?: SecurityEventTokenError['cause'],
): never {
  throw new SecurityEventTokenError(code, err, message, cause);
}

/** A compact JWS with a readable protected header (RFC 8417 §2: SETs are JWTs). */
export function readHeader(token: string): JWSHeaderParameters {
  if (typeof token !== 'string' || token.split('.').length !== 3)
    fail('ERR_SET_MALFORMED', 'invalid_request', 'The SET is not a signed JWT');
  try {
    return decodeProtectedHeader(token) as JWSHeaderParameters;
  } catch {
    return fail('ERR_SET_MALFORMED', 'invalid_request', 'The SET header is not valid');
  }
}

/** The algorithm is in the allow-list; `none` never (CAEP interoperability profile: RS256). */
export function checkAlgorithm(header: JWSHeaderParameters, allowed: string[]): void {
  if (!header.alg || header.alg === 'none' || !allowed.includes(header.alg))
    fail('ERR_SET_ALG_NOT_ALLOWED', 'invalid_request', `The SET algorithm ${String(header.alg)} is not allowed`, {
      claim: 'alg',
      expected: allowed,
      actual: header.alg,
    });
}

/** RFC 8417 §2.3 and SSF 1.0 §4.1: `typ` is `secevent+jwt`, so no other JWT passes as a SET. */
export function checkType(header: JWSHeaderParameters): void {
  const typ = header.typ?.toLowerCase();
  if (typ !== 'secevent+jwt' && typ !== 'application/secevent+jwt')
    fail('ERR_SET_TYP_INVALID', 'invalid_request', `The SET typ "${String(header.typ)}" is not "secevent+jwt"`, {
      claim: 'typ',
      expected: 'secevent+jwt',
      actual: header.typ,
    });
}

/** The signature verifies with one of the transmitter's keys (RFC 8935 §2.3: else `invalid_key`). */
export async function verifySignature(token: string, getKey: JWTVerifyGetKey): Promise<Claims> {
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, getKey));
  } catch (err) {
    if (err instanceof TemporarilyUnavailableError) throw err;
    if (err instanceof errors.JWKSTimeout || (err instanceof Error && !(err instanceof errors.JOSEError)))
      throw new TemporarilyUnavailableError("The transmitter's keys could not be fetched", { cause: err });
    const code = err instanceof errors.JOSEError ? err.code : 'unknown';
    return fail('ERR_SET_SIGNATURE_INVALID', 'invalid_key', `The SET signature is not valid (${code})`, {
      claim: 'signature',
      actual: code,
    });
  }
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    claims = undefined;
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    fail('ERR_SET_MALFORMED', 'invalid_request', 'The SET claims are not a JSON object');
  return claims as Claims;
}

/** RFC 8417 §2.2: `iss` is the transmitter's issuer, exactly. */
export function checkIssuer(claims: Claims, issuer: string): string {
  if (claims.iss !== issuer)
    fail('ERR_SET_ISSUER_INVALID', 'invalid_issuer', 'The SET issuer is not the expected issuer', {
      claim: 'iss',
      expected: issuer,
      actual: claims.iss,
    });
  return issuer;
}

/** RFC 8417 §2.2: `aud` names this receiver. */
export function checkAudience(claims: Claims, audiences: string[]): void {
  const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (!aud.some((a) => typeof a === 'string' && audiences.includes(a)))
    fail('ERR_SET_AUDIENCE_INVALID', 'invalid_audience', 'The SET is not addressed to this receiver', {
      claim: 'aud',
      expected: audiences,
      actual: claims.aud,
    });
}

/** RFC 8417 §2.2: `iat` is required; one from the future is refused. */
export function checkIssuedAt(claims: Claims, now: number, tolerance: number): number {
  const { iat } = claims;
  if (typeof iat !== 'number' || !Number.isFinite(iat))
    fail('ERR_SET_IAT_INVALID', 'invalid_request', 'The SET has no valid iat', { claim: 'iat', actual: iat });
  if (iat > now + tolerance)
    fail('ERR_SET_IAT_INVALID', 'invalid_request', 'The SET iat is in the future', {
      claim: 'iat',
      expected: `<= ${now + tolerance}`,
      actual: iat,
    });
  return iat;
}

/** SSF 1.0 §4.1: SETs carry no `exp`; one that does and has passed is refused. */
export function checkNotExpired(claims: Claims, now: number, tolerance: number): void {
  if (claims.exp === undefined) return;
  if (typeof claims.exp !== 'number' || claims.exp <= now - tolerance)
    fail('ERR_SET_EXPIRED', 'invalid_request', 'The SET has expired', { claim: 'exp', actual: claims.exp });
}

/** RFC 8417 §2.2: `jti` is required (it is the replay key and the poll acknowledgement id). */
export function readJti(claims: Claims): string {
  if (typeof claims.jti !== 'string' || claims.jti === '')
    fail('ERR_SET_JTI_MISSING', 'invalid_request', 'The SET has no jti', { claim: 'jti' });
  return claims.jti;
}

/**
 * SSF 1.0 §4.1: the subject is `sub_id`, never `sub` — so that an ID or access token can
 * never be taken for a SET, nor a SET for one (RFC 8417 §4.2).
 */
export function checkNoSub(claims: Claims): void {
  if ('sub' in claims)
    fail('ERR_SET_SUB_PRESENT', 'invalid_request', 'The SET must not contain a sub claim', {
      claim: 'sub',
      actual: claims.sub,
    });
}

/** SSF 1.0 §4.1: `events` holds exactly one event, whose value is an object. */
export function readSingleEvent(claims: Claims): [string, Claims] {
  const events = claims.events;
  if (typeof events !== 'object' || events === null || Array.isArray(events))
    fail('ERR_SET_EVENTS_INVALID', 'invalid_request', 'The SET has no events object', { claim: 'events' });
  const entries = Object.entries(events as Claims);
  if (entries.length !== 1)
    fail('ERR_SET_EVENTS_INVALID', 'invalid_request', `The SET must hold exactly one event, not ${entries.length}`, {
      claim: 'events',
      expected: 1,
      actual: entries.map(([k]) => k),
    });
  const [type, payload] = entries[0]!;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    fail('ERR_SET_EVENTS_INVALID', 'invalid_request', 'The SET event is not an object', {
      claim: 'events',
      actual: type,
    });
  return [type, payload as Claims];
}

/** The replay store's issuer key for SETs, apart from the same issuer's logout tokens. */
export function replayKey(iss: string): string {
  return `secevent:${iss}`;
}

/** RFC 8936 §2.4 / RFC 8935 §2: a SET delivered twice (same `jti`) is applied once. */
async function rememberOnce(store: ReplayStore, iss: string, jti: string, ttlSeconds: number): Promise<void> {
  let fresh: boolean;
  try {
    fresh = await store.rememberJti(replayKey(iss), jti, ttlSeconds);
  } catch (err) {
    throw new TemporarilyUnavailableError('The replay store is unreachable', { cause: err });
  }
  if (!fresh)
    fail('ERR_SET_REPLAYED', 'invalid_request', 'The SET was already received', { claim: 'jti', actual: jti });
}
