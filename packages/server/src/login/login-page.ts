// The sign-in form every user of every app sees: accessible, no external assets, fields
// named `username` and `password` as in Keycloak.
import type { Realm } from '../realm/model.ts';
import { html, page } from '../views/html.ts';

export interface LoginPageInput {
  realm: Realm;
  action: string;
  authRequestId: string;
  username: string;
  error: string | null;
  /** Sign in with an upstream identity provider instead (issue 26): one link each. */
  providers?: ReadonlyArray<{ label: string; href: string }>;
}

export function renderLoginPage(input: LoginPageInput): string {
  const title = input.realm.displayName ?? input.realm.name;
  const errorId = input.error ? 'login-error' : null;
  const links = loginPageLinks(input);
  const body = html`
<h1>Sign in</h1>
<p>to continue to ${title}</p>
${input.error ? html`<div class="error" id="login-error" role="alert">${input.error}</div>` : null}
<form method="post" action="${input.action}" novalidate>
  <input type="hidden" name="auth_request" value="${input.authRequestId}">
  <label for="username">Username or email</label>
  <input type="text" id="username" name="username" value="${input.username}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus ${errorId ? html`aria-describedby="login-error" aria-invalid="true"` : null}>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required ${errorId ? html`aria-describedby="login-error" aria-invalid="true"` : null}>
  ${links.reset ? html`<a class="link" href="${links.reset}">Forgot password?</a>` : null}
  <button type="submit">Sign in</button>
</form>
${links.register ? html`<p>New user? <a class="link" href="${links.register}">Register</a></p>` : null}
${
  input.providers && input.providers.length > 0
    ? html`<nav aria-label="Other ways to sign in" class="identity-providers">
  <p>Or sign in with</p>
  <ul>${input.providers.map((p) => html`<li><a class="identity-provider" href="${p.href}">${p.label}</a></li>`)}</ul>
</nav>`
    : null
}`;
  return page('Sign in', body);
}

/**
 * Keycloak's links under the form: "Forgot password?" (resetPasswordAllowed) and "Register"
 * (registrationAllowed), both carrying the pending sign-in so that it continues afterwards.
 */
function loginPageLinks(input: LoginPageInput): { reset: string | null; register: string | null } {
  // The form posts to …/login-actions/authenticate; the other login actions are its siblings.
  const actions = input.action.replace(/\/authenticate$/, '');
  const query = `?auth_request=${encodeURIComponent(input.authRequestId)}`;
  return {
    reset: input.realm.login.resetPasswordAllowed ? `${actions}/reset-credentials${query}` : null,
    register: input.realm.login.registrationAllowed ? `${actions}/registration${query}` : null,
  };
}
