// Shows the sign-in form for a request that needs the user — an OIDC authorization request or
// a SAML AuthnRequest alike: the validated request is kept as a pending sign-in form
// (pending/pending-requests.ts) bound to this browser by a cookie an attacker can neither set
// nor read (login CSRF), and the form posts to login-actions/authenticate (submit-login.ts).
import { randomToken } from '../crypto/random.ts';
import { LOGIN_BINDING_COOKIE, readCookie, setCookie } from '../http/cookies.ts';
import { htmlResponse } from '../http/respond.ts';
import type { Realm } from '../realm/model.ts';
import { renderLoginPage } from './login-page.ts';
import type { UsesPendingRequests } from '../pending/capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';

/** How long a login form stays usable. */
export const LOGIN_FORM_LIFETIME_MS = 30 * 60_000;

export interface LoginFormRequest {
  /** The client's clientId. */
  clientId: string;
  /** The validated request, stored as JSON, handed back to the protocol once signed in. */
  request: unknown;
  loginHint: string | null;
}

export async function startLogin(
  ctx: UsesPendingRequests & UsesUrls,
  realm: Realm,
  req: Request,
  login: LoginFormRequest,
  now = Date.now(),
): Promise<Response> {
  const binding = readCookie(req, LOGIN_BINDING_COOKIE) ?? randomToken();
  const id = await ctx.pending.saveLogin(
    {
      realmId: realm.id,
      clientId: login.clientId,
      request: login.request,
      binding,
      lifetimeMs: LOGIN_FORM_LIFETIME_MS,
    },
    now,
  );
  return loginFormResponse(ctx, realm, id, binding, login.loginHint);
}

/** The form of an already stored pending sign-in (the browser carries its binding cookie). */
export function loginFormResponse(
  ctx: UsesUrls,
  realm: Realm,
  id: string,
  binding: string,
  loginHint: string | null,
): Response {
  const cookie = setCookie(LOGIN_BINDING_COOKIE, binding, {
    path: `${ctx.urls.realmPath(realm.name)}/`,
    maxAgeSeconds: LOGIN_FORM_LIFETIME_MS / 1000,
    secure: ctx.urls.secure,
  });
  const body = renderLoginPage({
    realm,
    action: `${ctx.urls.realmPath(realm.name)}/login-actions/authenticate`,
    authRequestId: id,
    username: loginHint ?? '',
    error: null,
  });
  return htmlResponse(body, 200, { 'Set-Cookie': cookie });
}
