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
  <button type="submit">Sign in</button>
</form>
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
