// The second page of a sign-in for a user with a one-time-code credential (Keycloak's
// login-otp.ftl): one field named `otp`, labelled "One-time code", Keycloak's message
// "Invalid authenticator code." on a wrong code.
import type { Realm } from '../../realm/model.ts';
import { html, page } from '../../views/html.ts';
import { formField } from '../form-field.ts';

export const OTP_MESSAGES = {
  invalid: 'Invalid authenticator code.',
} as const;

export interface OtpPageInput {
  realm: Realm;
  action: string;
  authRequestId: string;
  error: string | null;
}

export function renderOtpPage(input: OtpPageInput): string {
  const body = html`
<h1>One-time code</h1>
<p id="otp-hint">Enter the code your authenticator app shows for ${input.realm.displayName ?? input.realm.name}.</p>
<form method="post" action="${input.action}" novalidate>
  <input type="hidden" name="auth_request" value="${input.authRequestId}">
  ${formField({
    name: 'otp',
    label: 'One-time code',
    error: input.error ?? undefined,
    attributes: html`autocomplete="one-time-code" inputmode="numeric" autocapitalize="none" spellcheck="false"`,
    autofocus: true,
    describedBy: 'otp-hint',
  })}
  <button type="submit">Sign In</button>
</form>`;
  return page('One-time code', body);
}
