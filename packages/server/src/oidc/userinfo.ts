// The UserInfo endpoint (OIDC Core §5.3) with bearer tokens per RFC 6750 §2.1–2.2.
import { InsufficientScope, InvalidRequest, InvalidToken } from '../errors.ts';
import { readForm } from '../http/params.ts';
import { jsonResponse, NO_STORE } from '../http/respond.ts';
import type { Realm } from '../realm/model.ts';
import { userinfoClaims } from '../tokens/claims/token-claims.ts';
import { OPENID, storedScopes } from '../tokens/scopes.ts';
import { userSessionFacts } from '../tokens/session-tokens.ts';
import { verifyAccessToken, type AccessTokenDeps } from '../tokens/verify-access-token.ts';
import type { UsesAccessModel, UsesUserAccess } from '../access/capabilities.ts';

/** What userinfo reads: the token's checks, and the client's mappers with the user's roles and groups. */
export type UserinfoDeps = AccessTokenDeps & UsesAccessModel & UsesUserAccess;

async function bearerToken(req: Request): Promise<string | undefined> {
  const header = req.headers.get('authorization');
  const fromHeader = header && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
  const form =
    req.method === 'POST' && req.headers.get('content-type')?.startsWith('application/x-www-form-urlencoded')
      ? await readForm(req)
      : undefined;
  const fromBody = form?.get('access_token');
  // RFC 6750 §2: clients must not use more than one method.
  if (fromHeader && fromBody) throw new InvalidRequest('Token sent in more than one way');
  return fromHeader || fromBody;
}

export async function userinfoEndpoint(ctx: UserinfoDeps, realm: Realm, req: Request): Promise<Response> {
  const token = await bearerToken(req);
  // RFC 6750 §3.1: no credentials at all gets a bare challenge without an error code.
  if (!token)
    return new Response(null, {
      status: 401,
      headers: { ...NO_STORE, 'WWW-Authenticate': 'Bearer realm="sundown"' },
    });
  const claims = await verifyAccessToken(ctx, realm, token);
  if (!claims.scope.split(' ').includes(OPENID)) throw new InsufficientScope('The openid scope is required');
  const user = await ctx.realms.userById(claims.sub);
  if (!user?.enabled) throw new InvalidToken('User not found or disabled');
  // verifyAccessToken found the client enabled, through the same cached lookup.
  const client = await ctx.realms.clientByClientId(realm.id, claims.azp);
  if (!client) throw new InvalidToken('Client not found');
  const access = await ctx.accessModel.of(realm.id);
  // The token's `scope` lists the applied scopes (TokenManager: userinfo follows the token's scopes).
  const draft = userinfoClaims({
    access,
    client,
    user,
    grants: await ctx.userAccess.grantsOf(user.id),
    scopes: storedScopes(access, client, claims.scope),
    session: userSessionFacts(typeof claims.auth_time === 'number' ? claims.auth_time * 1000 : Date.now()),
  });
  // TokenManager.generateUserInfoClaims: `sub`, then the mappers' claims.
  return jsonResponse({ ...draft.claims, sub: user.id });
}
