// The upstream's ID token, validated as any relying party must (OIDC Core §3.1.3.7): signature
// with the upstream's keys (an allowed asymmetric algorithm; never `none`), `iss` exactly the
// configured issuer, `aud` containing our client id there (and `azp` equal to it when present),
// `exp` not passed, `iat` present, and `nonce` the one this sign-in sent.
import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { IdentityProvider } from './identity-provider.ts';
import type { UpstreamMetadata } from './upstream-metadata.ts';

export class UpstreamTokenInvalid extends Error {}

/** The claims the broker reads. */
export interface UpstreamIdentity {
  sub: string;
  sid: string | null;
  email: string | null;
  emailVerified: boolean;
  preferredUsername: string | null;
  givenName: string | null;
  familyName: string | null;
  claims: JWTPayload;
}

/** Clock skew allowed on exp/iat between us and the upstream. */
export const CLOCK_TOLERANCE_S = 60;

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

export async function verifyUpstreamIdToken(
  metadata: UpstreamMetadata,
  idp: IdentityProvider,
  jwksUrl: string,
  idToken: string,
  nonce: string,
): Promise<UpstreamIdentity> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, metadata.keys(jwksUrl), {
      issuer: idp.config.issuer,
      audience: idp.config.clientId,
      algorithms: idp.config.algorithms,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['iat', 'exp', 'sub'],
    }));
  } catch (err) {
    const reason = err instanceof errors.JOSEError ? `${err.code}: ${err.message}` : String(err);
    throw new UpstreamTokenInvalid(`the upstream's ID token is not valid (${reason})`);
  }
  // OIDC Core §3.1.3.7 steps 4–5: several audiences need azp, and azp must be us.
  if (payload.azp !== undefined && payload.azp !== idp.config.clientId)
    throw new UpstreamTokenInvalid("the upstream's ID token has another authorized party (azp)");
  // OIDC Core §3.1.3.7 step 11 / §15.5.2: the nonce binds the token to this browser's sign-in.
  if (payload.nonce !== nonce) throw new UpstreamTokenInvalid("the upstream's ID token has a wrong nonce");
  return identityOf(payload);
}

/** The identity of verified claims (the ID token's, with the UserInfo's added beneath them). */
export function identityOf(payload: JWTPayload): UpstreamIdentity {
  return {
    sub: payload.sub!,
    sid: str(payload.sid),
    email: str(payload.email),
    emailVerified: payload.email_verified === true || payload.email_verified === 'true',
    preferredUsername: str(payload.preferred_username),
    givenName: str(payload.given_name),
    familyName: str(payload.family_name),
    claims: payload,
  };
}
