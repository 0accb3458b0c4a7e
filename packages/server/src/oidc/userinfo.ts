// The UserInfo endpoint (OIDC Core §5.3) with bearer tokens per RFC 6750 §2.1–2.2.
import { InsufficientScope, InvalidRequest, InvalidToken } from '../errors.ts';
import { readForm } from '../http/params.ts';
import { jsonResponse, NO_STORE } from '../http/respond.ts';
import type { Realm } from '../realm/model.ts';
import { userClaims } from '../tokens/scopes.ts';
import { verifyAccessToken, type AccessTokenDeps } from '../tokens/verify-access-token.ts';

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

export async function userinfoEndpoint(ctx: AccessTokenDeps, realm: Realm, req: Request): Promise<Response> {
  const token = await bearerToken(req);
  // RFC 6750 §3.1: no credentials at all gets a bare challenge without an error code.
  if (!token)
    return new Response(null, {
      status: 401,
      headers: { ...NO_STORE, 'WWW-Authenticate': 'Bearer realm="sundown"' },
    });
  const claims = await verifyAccessToken(ctx, realm, token);
  const scopes = claims.scope.split(' ');
  if (!scopes.includes('openid')) throw new InsufficientScope('The openid scope is required');
  const user = await ctx.realms.userById(claims.sub);
  if (!user?.enabled) throw new InvalidToken('User not found or disabled');
  return jsonResponse({ sub: user.id, ...userClaims(user, scopes) });
}
