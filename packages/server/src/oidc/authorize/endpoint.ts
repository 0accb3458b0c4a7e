// The authorization endpoint (OIDC Core §3.1.2), as the spec's sequence of checks.
import { LoginRequired, OAuthError } from '../../errors.ts';
import { readCookie, SESSION_COOKIE } from '../../http/cookies.ts';
import { readQueryOrForm } from '../../http/params.ts';
import { startLogin } from '../../login/start-login.ts';
import type { Realm } from '../../realm/model.ts';
import type { SsoSession } from '../../sessions/sso-session.ts';
import { checkClient } from './check-client.ts';
import { checkRedirectUri } from './check-redirect-uri.ts';
import { checkRequest } from './check-request.ts';
import { completeAuthorization } from './complete.ts';
import { authorizationResponse, checkResponseMode } from './response-mode.ts';
import type { AuthorizationRequest } from './request.ts';
import type { UsesAccessModel } from '../../access/capabilities.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLog } from '../../log.ts';
import type { UsesPendingRequests } from '../../pending/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type { UsesSsoSessions } from '../../sessions/capabilities.ts';
import type { UsesAuthorizationCodes } from '../../tokens/capabilities.ts';

/** What the authorization endpoint and the steps it hands on to use. */
export type AuthorizeDeps = UsesAccessModel &
  UsesAuthorizationCodes &
  UsesEvents &
  UsesLog &
  UsesPendingRequests &
  UsesRealms &
  UsesSsoSessions &
  UsesUrls;

export async function authorizeEndpoint(
  ctx: AuthorizeDeps,
  realm: Realm,
  req: Request,
  ip: string | null,
): Promise<Response> {
  // Until the redirect URI is trusted, errors are the route's error page (OIDC Core §3.1.2.6);
  // so is an unsupported response mode, which no response could be sent back in.
  const params = await readQueryOrForm(req);
  const client = await checkClient(ctx.realms, realm, params);
  const redirectUri = checkRedirectUri(client, params, ctx.urls.baseUrl);
  const responseMode = checkResponseMode(params);

  const issuer = ctx.urls.issuer(realm.name);
  try {
    const request = checkRequest(await ctx.accessModel.of(realm.id), client, redirectUri, responseMode, params);
    const now = Date.now();
    const session = await ctx.sessions.findByCookie(realm, readCookie(req, SESSION_COOKIE), now);
    if (!needsLogin(session, request, now)) {
      return completeAuthorization(ctx, realm, client, session as SsoSession, request, ip, now);
    }
    // OIDC Core §3.1.2.6
    if (request.prompt.includes('none')) throw new LoginRequired();
    return startLogin(ctx, realm, req, {
      clientId: request.clientId,
      request,
      loginHint: request.loginHint,
      idpHint: params.get('kc_idp_hint') ?? null,
    });
  } catch (err) {
    // After it, the error goes back to the client (RFC 6749 §4.1.2.1); outages stay a page.
    if (!(err instanceof OAuthError) || err.status >= 500) throw err;
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
