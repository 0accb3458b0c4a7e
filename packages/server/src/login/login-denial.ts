// When the user refuses a step of the sign-in (declines the terms), the application is told so
// in its protocol's way — OIDC: the authorization error access_denied at its redirect URI
// (RFC 6749 §4.1.2.1), as Keycloak's sendError(CONSENT_DENIED) does. A protocol that registers
// no denial gets a page saying the sign-in stopped. Each protocol registers its own (app.ts),
// so the login floor knows none of them.
import { htmlResponse } from '../http/respond.ts';
import type { Client, Realm } from '../realm/model.ts';
import type { ClientProtocol } from '../store/schema.ts';
import { html, page } from '../views/html.ts';
import { type PendingLogin, protocolOf } from './login-completion.ts';

export interface DeniedLogin {
  realm: Realm;
  client: Client;
  request: PendingLogin;
}

export type LoginDenial<D> = (ctx: D, denied: DeniedLogin) => Promise<Response>;

export type LoginDenials<D> = Readonly<Partial<Record<ClientProtocol, LoginDenial<D>>>>;

export async function denyLogin<D>(ctx: D, denials: LoginDenials<D>, denied: DeniedLogin): Promise<Response> {
  const deny = denials[protocolOf(denied.request)];
  if (deny) return deny(ctx, denied);
  const body = html`
<h1>Not signed in</h1>
<div class="error" role="alert">You must agree to our terms and conditions.</div>
<p>Return to the application to sign in again.</p>`;
  return htmlResponse(page('Not signed in', body), 403);
}
