// The registration form (Keycloak's register.ftl): username (unless the email is the username),
// email, first and last name, password and its confirmation; each field's error tied to it.
// Checked with Keycloak's messages (messages_en.properties), every field at once.
import type { Realm } from '../../realm/model.ts';
import { html, page } from '../../views/html.ts';
import { formField } from '../form-fields.ts';

export interface Registration {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  password: string;
  confirm: string;
}

export type RegistrationErrors = Partial<Record<keyof Registration | 'password-confirm', string>>;

export const REGISTRATION_MESSAGES = {
  missingUsername: 'Please specify username.',
  missingEmail: 'Please specify email.',
  invalidEmail: 'Invalid email address.',
  missingFirstName: 'Please specify first name.',
  missingLastName: 'Please specify last name.',
  missingPassword: 'Please specify password.',
  confirmMismatch: "Password confirmation doesn't match.",
  usernameExists: 'Username already exists.',
  emailExists: 'Email already exists.',
} as const;

/** The form's fields, trimmed (the passwords as typed); the username lower-cased as Keycloak stores it. */
export function readRegistration(get: (name: string) => string | undefined, emailAsUsername: boolean): Registration {
  const email = (get('email') ?? '').trim();
  return {
    username: emailAsUsername ? email.toLowerCase() : (get('username') ?? '').trim().toLowerCase(),
    email,
    firstName: (get('firstName') ?? '').trim(),
    lastName: (get('lastName') ?? '').trim(),
    password: get('password') ?? '',
    confirm: get('password-confirm') ?? '',
  };
}

/** What is missing or malformed, field by field (the store's checks come after). */
export function checkRegistration(r: Registration, emailAsUsername: boolean): RegistrationErrors {
  const m = REGISTRATION_MESSAGES;
  const errors: RegistrationErrors = {};
  if (!emailAsUsername && r.username === '') errors.username = m.missingUsername;
  if (r.email === '') errors.email = m.missingEmail;
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(r.email)) errors.email = m.invalidEmail;
  if (r.firstName === '') errors.firstName = m.missingFirstName;
  if (r.lastName === '') errors.lastName = m.missingLastName;
  if (r.password === '') errors.password = m.missingPassword;
  else if (r.password !== r.confirm) errors['password-confirm'] = m.confirmMismatch;
  return errors;
}

export interface RegistrationPageInput {
  realm: Realm;
  action: string;
  authRequestId: string;
  values: Registration | null;
  errors: RegistrationErrors;
  loginUrl: string;
}

export function renderRegistrationPage(input: RegistrationPageInput): string {
  const v = input.values;
  const e = input.errors;
  const emailAsUsername = input.realm.login.registrationEmailAsUsername;
  const first = Object.keys(e)[0];
  const body = html`
<h1>Register</h1>
<p>Create an account with ${input.realm.displayName ?? input.realm.name}.</p>
<form method="post" action="${input.action}" novalidate>
  <input type="hidden" name="auth_request" value="${input.authRequestId}">
  ${emailAsUsername ? null : formField({ name: 'username', label: 'Username', value: v?.username, autocomplete: 'username', error: e.username, autofocus: first === undefined || first === 'username' })}
  ${formField({ name: 'email', label: 'Email', type: 'email', value: v?.email, autocomplete: 'email', error: e.email, autofocus: (emailAsUsername && first === undefined) || first === 'email' })}
  ${formField({ name: 'firstName', label: 'First name', value: v?.firstName, autocomplete: 'given-name', error: e.firstName, autofocus: first === 'firstName' })}
  ${formField({ name: 'lastName', label: 'Last name', value: v?.lastName, autocomplete: 'family-name', error: e.lastName, autofocus: first === 'lastName' })}
  ${formField({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', error: e.password, autofocus: first === 'password' })}
  ${formField({ name: 'password-confirm', label: 'Confirm password', type: 'password', autocomplete: 'new-password', error: e['password-confirm'], autofocus: first === 'password-confirm' })}
  <button type="submit">Register</button>
</form>
<a class="link" href="${input.loginUrl}">« Back to Login</a>`;
  return page('Register', body);
}
