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
import type { LoginButton, UsesLoginProviders } from './login-providers.ts';

/** How long a login form stays usable. */
export const LOGIN_FORM_LIFETIME_MS = 30 * 60_000;

export interface LoginFormRequest {
  /** The client's clientId. */
  clientId: string;
  /** The validated request, stored as JSON, handed back to the protocol once signed in. */
  request: unknown;
  loginHint: string | null;
  /** Keycloak's `kc_idp_hint`: go straight to that upstream when the realm has it. */
  idpHint?: string | null;
}

/** What starting a sign-in uses; the upstreams (buttons, kc_idp_hint) where the provider has them. */
export type StartLoginDeps = UsesPendingRequests & UsesUrls & Partial<UsesLoginProviders>;

export async function startLogin(
  ctx: StartLoginDeps,
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
  const providers = ctx.loginProviders;
  const hinted = providers && login.idpHint ? await providers.hinted(realm, login.idpHint) : null;
  if (providers && hinted) {
    // kc_idp_hint: the form is skipped; the pending sign-in and its binding cookie are the same.
    return new Response(null, {
      status: 302,
      headers: { Location: providers.startPath(realm, hinted, id), 'Set-Cookie': bindingCookie(ctx, realm, binding) },
    });
  }
  const buttons = providers ? await providers.buttons(realm) : [];
  return loginFormResponse(ctx, realm, id, binding, login.loginHint, buttons, providers);
}

function bindingCookie(ctx: UsesUrls, realm: Realm, binding: string): string {
  return setCookie(LOGIN_BINDING_COOKIE, binding, {
    path: `${ctx.urls.realmPath(realm.name)}/`,
    maxAgeSeconds: LOGIN_FORM_LIFETIME_MS / 1000,
    secure: ctx.urls.secure,
  });
}

/** The form of an already stored pending sign-in (the browser carries its binding cookie). */
export function loginFormResponse(
  ctx: UsesUrls,
  realm: Realm,
  id: string,
  binding: string,
  loginHint: string | null,
  buttons: readonly LoginButton[] = [],
  providers?: UsesLoginProviders['loginProviders'],
): Response {
  const cookie = bindingCookie(ctx, realm, binding);
  const body = renderLoginPage({
    realm,
    action: `${ctx.urls.realmPath(realm.name)}/login-actions/authenticate`,
    authRequestId: id,
    username: loginHint ?? '',
    error: null,
    providers: providers ? buttons.map((b) => ({ label: b.label, href: providers.startPath(realm, b.alias, id) })) : [],
  });
  return htmlResponse(body, 200, { 'Set-Cookie': cookie });
}
