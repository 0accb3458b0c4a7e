// The authorization endpoint (OIDC Core §3.1.2), as the spec's sequence of checks.
import type { ProviderContext } from '../../context.ts';
import { newId, randomToken, sha256 } from '../../crypto/random.ts';
import { LoginRequired, OAuthError } from '../../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../../http/cookies.ts';
import { readQueryOrForm } from '../../http/params.ts';
import { htmlError, htmlResponse } from '../../http/respond.ts';
import { renderLoginPage } from '../../login/login-page.ts';
import type { Realm } from '../../realm/model.ts';
import type { SsoSession } from '../../sessions/sso-session.ts';
import { checkClient } from './check-client.ts';
import { checkRedirectUri } from './check-redirect-uri.ts';
import { checkRequest } from './check-request.ts';
import { completeAuthorization } from './complete.ts';
import { authorizationResponse, checkResponseMode, type ResponseMode } from './response-mode.ts';
import type { AuthorizationRequest } from './request.ts';

/** How long a login form stays usable. */
const LOGIN_FORM_LIFETIME_MS = 30 * 60_000;

export async function authorizeEndpoint(
  ctx: ProviderContext,
  realm: Realm,
  req: Request,
  ip: string | null,
): Promise<Response> {
  let params: Awaited<ReturnType<typeof readQueryOrForm>>;
  let client: Awaited<ReturnType<typeof checkClient>>;
  let redirectUri: string;
  let responseMode: ResponseMode;
  try {
    params = await readQueryOrForm(req);
    client = await checkClient(ctx.realms, realm, params);
    redirectUri = checkRedirectUri(client, params);
    responseMode = checkResponseMode(params);
  } catch (err) {
    return htmlError(ctx.log, err);
  }

  const issuer = ctx.urls.issuer(realm.name);
  try {
    const request = checkRequest(client, redirectUri, responseMode, params);
    const now = Date.now();
    const session = await ctx.sessions.findByCookie(realm, readCookie(req, SESSION_COOKIE), now);
    if (!needsLogin(session, request, now)) {
      return completeAuthorization(ctx, realm, client, session as SsoSession, request, ip, now);
    }
    // OIDC Core §3.1.2.6
    if (request.prompt.includes('none')) throw new LoginRequired();
    return startLogin(ctx, realm, req, request);
  } catch (err) {
    if (!(err instanceof OAuthError) || err.status >= 500) return htmlError(ctx.log, err);
    ctx.log.info({ error: err.error, description: err.description }, 'authorization request rejected');
    return authorizationResponse({
      mode: responseMode,
      redirectUri,
      issuer,
      values: { error: err.error, error_description: err.description, state: params.get('state') },
      client,
    });
  }
}

function needsLogin(session: SsoSession | undefined, request: AuthorizationRequest, now: number): boolean {
  if (!session) return true;
  if (request.prompt.includes('login')) return true;
  // OIDC Core §3.1.2.1: re-authenticate when the last authentication is older than max_age.
  return request.maxAge !== null && now - session.authTime > request.maxAge * 1000;
}

async function startLogin(
  ctx: ProviderContext,
  realm: Realm,
  req: Request,
  request: AuthorizationRequest,
): Promise<Response> {
  const now = Date.now();
  // The login form is bound to this browser by a cookie the attacker cannot set or read,
  // which defeats login CSRF.
  const binding = readCookie(req, LOGIN_BINDING_COOKIE) ?? randomToken();
  const id = newId();
  await ctx.pendingLogins.save({
    id,
    realm_id: realm.id,
    client_id: request.clientId,
    params: JSON.stringify(request),
    csrf_hash: sha256(`${binding}:${id}`),
    created_at: now,
    expires_at: now + LOGIN_FORM_LIFETIME_MS,
  });
  const cookie = setCookie(LOGIN_BINDING_COOKIE, binding, {
    path: `${ctx.urls.realmPath(realm.name)}/`,
    maxAgeSeconds: LOGIN_FORM_LIFETIME_MS / 1000,
    secure: ctx.urls.secure,
  });
  const body = renderLoginPage({
    realm,
    action: `${ctx.urls.realmPath(realm.name)}/login-actions/authenticate`,
    authRequestId: id,
    username: request.loginHint ?? '',
    error: null,
  });
  return htmlResponse(body, 200, { 'Set-Cookie': cookie });
}
