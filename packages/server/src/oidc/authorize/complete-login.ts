// OIDC's completion of a sign-in at the login form (login/login-completion.ts): the authorization
// response, with the cookies the sign-in set.
import type { SignedIn } from '../../login/login-completion.ts';
import { type CompleteAuthorizationDeps, completeAuthorization } from './complete.ts';
import type { AuthorizationRequest } from './request.ts';

export async function completeOidcLogin(ctx: CompleteAuthorizationDeps, s: SignedIn): Promise<Response> {
  // The pending row was stored by the authorization endpoint (protocol absent: openid-connect).
  const request = s.request as AuthorizationRequest;
  const response = await completeAuthorization(ctx, s.realm, s.client, s.session, request, s.ipAddress, s.now);
  // A form_post page is answered as it is, with the session cookie added.
  if (response.status !== 302) {
    for (const cookie of s.headers.getSetCookie()) response.headers.append('Set-Cookie', cookie);
    return response;
  }
  const headers = s.headers;
  for (const [key, value] of response.headers) {
    if (key.toLowerCase() === 'set-cookie') headers.append(key, value);
    else headers.set(key, value);
  }
  // 303: the browser follows a POST's redirect with GET.
  return new Response(null, { status: 303, headers });
}
