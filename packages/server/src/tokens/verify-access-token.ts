// Verifies an access token Sundown issued: signature with the realm's keys, issuer, expiry, its
// client (`azp`) still existing and enabled, not revoked (nor its grant), its session still active
// (a logged-out session's tokens stop working) and its user still enabled. Userinfo,
// introspection, revocation and the admin API all call this.
import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { SUPPORTED_SIGNING_ALGS } from '../crypto/signing-keys.ts';
import { InvalidToken } from '../errors.ts';
import type { Realm } from '../realm/model.ts';
import { isSessionLive } from '../sessions/session-liveness.ts';
import { isStoreUnavailable } from '../store/unavailable.ts';
import type { UsesSigningKeys } from '../crypto/capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesRealms } from '../realm/capabilities.ts';
import type { UsesClientSessions, UsesSsoSessionStore } from '../sessions/capabilities.ts';
import type { UsesNotBefore, UsesRefreshTokens, UsesRevokedAccessTokens } from './capabilities.ts';
import { checkTokenClient } from './token-client.ts';

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  jti: string;
  exp: number;
  iat: number;
  azp: string;
  scope: string;
  sid?: string;
  /** The grant (refresh-token family) the token was minted in; absent for client credentials. */
  grant_id?: string;
}

/** What verifying an access token reads. */
export type AccessTokenDeps = UsesSigningKeys &
  UsesUrls &
  UsesRealms &
  UsesRevokedAccessTokens &
  UsesRefreshTokens &
  UsesSsoSessionStore &
  UsesClientSessions &
  UsesNotBefore;

export async function verifyAccessToken(ctx: AccessTokenDeps, realm: Realm, token: string): Promise<AccessTokenClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, await ctx.keys.verificationKeys(realm.id), {
      issuer: ctx.urls.issuer(realm.name),
      algorithms: [...SUPPORTED_SIGNING_ALGS],
      typ: 'at+jwt',
      requiredClaims: ['sub', 'jti', 'exp', 'iat'],
    }));
  } catch (err) {
    // Reading keys may need the store: its outage is not the token's fault (answered 503).
    if (isStoreUnavailable(err)) throw err;
    const expired = err instanceof joseErrors.JWTExpired;
    throw new InvalidToken(expired ? 'Token expired' : 'Token is not valid', String(err));
  }
  const claims = payload as AccessTokenClaims;
  if (typeof claims.azp !== 'string' || typeof claims.scope !== 'string') throw new InvalidToken('Token is not valid');
  // A disabled, deleted or non-OIDC client's tokens are refused (tokens/token-client.ts).
  const azp = checkTokenClient(await ctx.realms.clientByClientId(realm.id, claims.azp));
  if (!azp.ok) throw new InvalidToken(azp.problem, `client ${claims.azp}`);
  // Keycloak's not-before policy (logout-all, push revocation): older tokens are stale.
  if (await ctx.notBefore.issuedBefore(realm.id, azp.client.id, claims.iat))
    throw new InvalidToken('Token is not valid', 'issued before the not-before time');
  if (await ctx.revokedAccessTokens.isRevoked(claims.jti)) throw new InvalidToken('Token has been revoked');
  // RFC 6749 §4.1.2 / RFC 7009 §2.1: a revoked grant takes its access tokens with it.
  if (typeof claims.grant_id === 'string' && (await ctx.refreshTokens.grantRevoked(claims.grant_id)))
    throw new InvalidToken('Token has been revoked');
  if (claims.sid && !(await sessionActive(ctx, realm, claims.sid, claims.azp)))
    throw new InvalidToken('Session not active');
  if (!(await subjectActive(ctx, realm, claims))) throw new InvalidToken('User not found or disabled');
  return claims;
}

/**
 * A user's token (it carries the session's `sid`) needs its user to exist and be enabled, as
 * Keycloak checks at userinfo and introspection. A client-credentials token's subject is the
 * client itself, not a user.
 */
async function subjectActive(ctx: AccessTokenDeps, realm: Realm, claims: AccessTokenClaims): Promise<boolean> {
  const user = await ctx.realms.userById(claims.sub);
  if (user) return user.realmId === realm.id && user.enabled;
  return claims.sid === undefined;
}

async function sessionActive(ctx: AccessTokenDeps, realm: Realm, sid: string, clientId: string): Promise<boolean> {
  const row = await ctx.sessionStore.byId(realm.id, sid);
  if (!row) return false;
  if (isSessionLive(row, realm, Date.now())) return true;
  // Tokens minted from an offline token outlive the SSO session (OIDC Core §11).
  return ctx.clientSessions.hasLiveOffline(sid, clientId);
}
