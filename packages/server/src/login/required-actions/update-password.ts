// UPDATE_PASSWORD (Keycloak's UpdatePassword required action): after signing in with a temporary
// or imported password marked for change, the user chooses a new one. Fields and messages as in
// Keycloak's login-update-password.ftl and messages_en.properties: `password-new`,
// `password-confirm`, "Please specify password.", "Passwords don't match."
import type { Realm } from '../../realm/model.ts';
import { html, page } from '../../views/html.ts';
import type { FieldErrors } from './required-action-page.ts';

export interface UpdatePasswordPageInput {
  realm: Realm;
  action: string;
  authRequestId: string;
  errors: FieldErrors;
}

export const UPDATE_PASSWORD_MESSAGES = {
  missing: 'Please specify password.',
  mismatch: "Passwords don't match.",
} as const;

/** What is wrong with the two fields, or null. */
export function checkNewPassword(password: string, confirm: string): FieldErrors | null {
  if (password === '') return { 'password-new': UPDATE_PASSWORD_MESSAGES.missing };
  if (password !== confirm) return { 'password-confirm': UPDATE_PASSWORD_MESSAGES.mismatch };
  return null;
}

export function renderUpdatePasswordPage(input: UpdatePasswordPageInput): string {
  const field = (name: string, label: string, autofocus: boolean) => {
    const error = input.errors[name];
    const errorId = `${name}-error`;
    return html`
  <label for="${name}">${label}</label>
  <input type="password" id="${name}" name="${name}" autocomplete="new-password" required ${autofocus ? html`autofocus` : null} ${error ? html`aria-invalid="true" aria-describedby="${errorId}"` : null}>
  ${error ? html`<div class="error" id="${errorId}" role="alert">${error}</div>` : null}`;
  };
  const body = html`
<h1>Update password</h1>
<p>You need to change your password to activate your account with ${input.realm.displayName ?? input.realm.name}.</p>
<form method="post" action="${input.action}" novalidate>
  <input type="hidden" name="auth_request" value="${input.authRequestId}">
  ${field('password-new', 'New password', true)}
  ${field('password-confirm', 'Confirm password', false)}
  <button type="submit">Submit</button>
</form>`;
  return page('Update password', body);
}
