// An upstream's logout token, checked strictly (BCL §2.6; keycloak-brokering.md "Upstream →
// Keycloak"), one named step per rule, in the spec's order. Unlike Keycloak, the signature is
// always checked (CVE-2026-18569) and a replayed jti is refused. Every failure is an
// UpstreamLogoutRefused carrying the error_description the upstream reads.
import {
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import type { IdentityProvider } from './identity-provider.ts';
import type { UpstreamMetadata } from './upstream-metadata.ts';
import { CLOCK_TOLERANCE_S } from './upstream-id-token.ts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A token without `exp` (pre-2024 providers) is accepted only this long after its `iat`. */
export const MAX_AGE_WITHOUT_EXP_S = 3600;

export class UpstreamLogoutRefused extends Error {}

export interface AcceptedLogoutToken {
  idp: IdentityProvider;
  sid: string | null;
  sub: string | null;
  jti: string;
  /** Until when the jti must be remembered (ms). */
  rememberUntil: number;
  revokeOffline: boolean;
}

const refuse = (msg: string): never => {
  throw new UpstreamLogoutRefused(msg);
};

/** Step 0 — readable at all: a compact JWS with a header and claims. */
function decode(token: string): { header: ProtectedHeaderParameters; claims: JWTPayload } {
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    return refuse('The logout token is not a readable JWT');
  }
}

/** `typ`, when present, is logout+jwt (BCL §2.4); old Keycloaks send JWT (keycloak-brokering.md). */
function checkTyp(header: ProtectedHeaderParameters): void {
  const typ = header.typ?.toLowerCase();
  if (typ !== undefined && !['logout+jwt', 'application/logout+jwt', 'jwt'].includes(typ))
    refuse(`The logout token's typ "${header.typ}" is not logout+jwt`);
}

/** BCL §2.6 step 3 — never `alg: none` (also unsigned tokens: a JWS needs a signature). */
function checkAlgNotNone(header: ProtectedHeaderParameters, token: string): void {
  if (!header.alg || header.alg.toLowerCase() === 'none' || token.split('.')[2] === '')
    refuse('The logout token is not signed');
}

/** `iss` selects the upstreams this token can come from (one endpoint serves every upstream). */
function providersOf(claims: JWTPayload, providers: readonly IdentityProvider[]): IdentityProvider[] {
  if (typeof claims.iss !== 'string') return refuse('The logout token has no issuer');
  const matching = providers.filter((p) => p.enabled && p.config.issuer === claims.iss);
  return matching.length > 0 ? matching : refuse("No identity provider of this realm has the logout token's issuer");
}

/** BCL §2.6 steps 2–4 — signature with that upstream's keys and algorithms, iss, aud, exp, azp. */
async function verifyFor(metadata: UpstreamMetadata, idp: IdentityProvider, token: string): Promise<JWTPayload> {
  const endpoints = await metadata.endpoints(idp);
  try {
    const { payload } = await jwtVerify(token, metadata.keys(endpoints.jwksUrl), {
      issuer: idp.config.issuer,
      audience: idp.config.clientId,
      algorithms: idp.config.algorithms,
      clockTolerance: CLOCK_TOLERANCE_S,
    });
    return payload;
  } catch (err) {
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud')
      return refuse(`The logout token's audience is not ${idp.alias}'s client id`);
    if (err instanceof errors.JWTExpired) return refuse('The logout token has expired');
    if (err instanceof errors.JOSEAlgNotAllowed) return refuse("The logout token's alg is not allowed");
    if (err instanceof errors.JOSEError) return refuse(`The logout token's signature is not valid (${err.code})`);
    throw err;
  }
}

function checkAzp(claims: JWTPayload, idp: IdentityProvider): void {
  if (claims.azp !== undefined && claims.azp !== idp.config.clientId)
    refuse("The logout token's azp is not our client id");
}

/** BCL §2.6 step 4 — iat present and not in the future; without exp, not older than the bound. */
function checkIat(claims: JWTPayload, now: number): void {
  const iat = claims.iat;
  if (typeof iat !== 'number') return refuse('The logout token has no iat');
  if (iat > now / 1000 + CLOCK_TOLERANCE_S) refuse('The logout token was issued in the future');
  if (claims.exp === undefined && iat < now / 1000 - MAX_AGE_WITHOUT_EXP_S) refuse('The logout token is too old');
}

/** BCL §2.6 step 5 — sub or sid (or both). */
function checkSubOrSid(claims: JWTPayload): void {
  const sid = (claims as { sid?: unknown }).sid;
  if (typeof claims.sub !== 'string' && typeof sid !== 'string') refuse('The logout token has neither sub nor sid');
}

/** BCL §2.6 step 6 — events holds the back-channel logout member, an object. */
function checkEvents(claims: JWTPayload): void {
  const events = (claims as { events?: unknown }).events;
  const member =
    typeof events === 'object' && events !== null
      ? (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT]
      : undefined;
  if (typeof member !== 'object' || member === null || Array.isArray(member))
    refuse('The logout token has no back-channel logout event');
}

/** BCL §2.6 step 7 — no nonce (an ID token is not a logout token). */
function checkNoNonce(claims: JWTPayload): void {
  if (claims.nonce !== undefined) refuse('The logout token has a nonce');
}

/** BCL §2.4 — a jti (replay is checked by the caller against the store). */
function checkJti(claims: JWTPayload): string {
  return typeof claims.jti === 'string' && claims.jti !== '' ? claims.jti : refuse('The logout token has no jti');
}

export async function validateUpstreamLogoutToken(
  metadata: UpstreamMetadata,
  providers: readonly IdentityProvider[],
  token: string,
  now = Date.now(),
): Promise<AcceptedLogoutToken> {
  const { header, claims: unverified } = decode(token);
  checkTyp(header);
  checkAlgNotNone(header, token);
  const candidates = providersOf(unverified, providers);
  // Several providers may share an issuer (two clients at one upstream): the token is for the
  // one whose keys and client id it passes.
  let claims: JWTPayload | undefined;
  let idp: IdentityProvider | undefined;
  let firstError: unknown;
  for (const candidate of candidates) {
    try {
      claims = await verifyFor(metadata, candidate, token);
      idp = candidate;
      break;
    } catch (err) {
      firstError ??= err;
    }
  }
  if (!claims || !idp) throw firstError;
  checkAzp(claims, idp);
  checkIat(claims, now);
  checkSubOrSid(claims);
  checkEvents(claims);
  checkNoNonce(claims);
  const jti = checkJti(claims);
  const events = (claims as { events: Record<string, unknown> }).events;
  const sid = (claims as { sid?: unknown }).sid;
  return {
    idp,
    sid: typeof sid === 'string' ? sid : null,
    sub: typeof claims.sub === 'string' ? claims.sub : null,
    jti,
    rememberUntil:
      (typeof claims.exp === 'number' ? claims.exp * 1000 : (claims.iat! + MAX_AGE_WITHOUT_EXP_S) * 1000) +
      CLOCK_TOLERANCE_S * 1000,
    revokeOffline: events.revoke_offline_access === true,
  };
}
