// SAML's completion of a sign-in at the login form (login/login-completion.ts): the signed
// Response POSTed to the ACS, with the cookies the sign-in set.
import type { SignedIn } from '../../login/login-completion.ts';
import { type CompleteSamlLoginDeps, completeSamlLogin } from './complete-saml-login.ts';
import type { SamlPendingLogin } from './saml-pending-login.ts';

export function completeSamlSignIn(ctx: CompleteSamlLoginDeps, s: SignedIn): Promise<Response> {
  // login-completion.ts chose this completion by the row's `protocol: 'saml'`, which only the SAML
  // endpoint writes (saml-pending-login.ts).
  const request = s.request as SamlPendingLogin;
  return completeSamlLogin(ctx, s.realm, s.client, s.session, request, s.ipAddress, s.now, s.headers);
}
