// Verifies an access token Sundown issued: signature with the realm's keys, issuer, expiry,
// not revoked (nor its grant), its session still active (a logged-out session's tokens stop working) and its
// user still enabled. Userinfo, introspection, revocation and the admin API all call this.
import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import type { ProviderContext } from '../context.ts';
import { SUPPORTED_SIGNING_ALGS } from '../crypto/signing-keys.ts';
import { InvalidToken } from '../errors.ts';
import type { Realm } from '../realm/model.ts';
import { isSessionLive } from '../sessions/sso-session.ts';
import { grantRevoked } from './grant-status.ts';
import { issuedBeforeNotBefore } from './not-before.ts';
import { isStoreUnavailable } from '../store/unavailable.ts';

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

export async function verifyAccessToken(
  ctx: ProviderContext,
  realm: Realm,
  token: string,
): Promise<AccessTokenClaims> {
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
  if (typeof claims.azp !== 'string' || typeof claims.scope !== 'string')
    throw new InvalidToken('Token is not valid');
  // Keycloak's not-before policy (logout-all, push revocation): older tokens are stale.
  if (await issuedBeforeNotBefore(ctx.db, realm.id, { clientId: claims.azp }, claims.iat)) throw new InvalidToken('Token is not valid', 'issued before the not-before time');
  const revoked = await ctx.db
    .selectFrom('revoked_access_token')
    .select('jti')
    .where('jti', '=', claims.jti)
    .executeTakeFirst();
  if (revoked) throw new InvalidToken('Token has been revoked');
  // RFC 6749 §4.1.2 / RFC 7009 §2.1: a revoked grant takes its access tokens with it.
  if (typeof claims.grant_id === 'string' && (await grantRevoked(ctx.db, claims.grant_id)))
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
async function subjectActive(ctx: ProviderContext, realm: Realm, claims: AccessTokenClaims): Promise<boolean> {
  const user = await ctx.realms.userById(claims.sub);
  if (user) return user.realmId === realm.id && user.enabled;
  return claims.sid === undefined;
}

async function sessionActive(
  ctx: ProviderContext,
  realm: Realm,
  sid: string,
  clientId: string,
): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('sso_session')
    .selectAll()
    .where('id', '=', sid)
    .where('realm_id', '=', realm.id)
    .executeTakeFirst();
  if (!row) return false;
  if (isSessionLive(row, realm, Date.now())) return true;
  // Tokens minted from an offline token outlive the SSO session (OIDC Core §11).
  const offline = await ctx.db
    .selectFrom('client_session')
    .innerJoin('client', 'client.id', 'client_session.client_id')
    .select('client_session.id')
    .where('client_session.sso_session_id', '=', sid)
    .where('client.client_id', '=', clientId)
    .where('client_session.offline', '=', 1)
    .where('client_session.ended_at', 'is', null)
    .executeTakeFirst();
  return offline !== undefined;
}
