// OIDC's answer when the user refuses a step of the sign-in (login/login-denial.ts): the
// authorization error access_denied at the request's redirect URI, in its response mode, with
// its state (RFC 6749 §4.1.2.1; Keycloak: OIDCLoginProtocol.sendError(CONSENT_DENIED)).
import type { DeniedLogin } from '../../login/login-denial.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { AuthorizationRequest } from './request.ts';
import { authorizationResponse } from './response-mode.ts';

export async function denyOidcLogin(ctx: UsesUrls, { realm, client, request }: DeniedLogin): Promise<Response> {
  const r = request as AuthorizationRequest;
  const response = authorizationResponse({
    mode: r.responseMode ?? 'query',
    redirectUri: r.redirectUri,
    issuer: ctx.urls.issuer(realm.name),
    values: { error: 'access_denied', state: r.state },
    client,
  });
  // 303: the browser follows a POST's redirect with GET.
  return response.status === 302 ? new Response(null, { status: 303, headers: response.headers }) : response;
}
