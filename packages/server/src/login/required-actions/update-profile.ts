// UPDATE_PROFILE (Keycloak's UpdateProfile required action, login-update-profile.ftl): email,
// first and last name, each required as in Keycloak's default user profile, the email checked
// for its form and, unless the realm allows duplicates, for another user having it. A changed
// email is no longer verified (Keycloak sets emailVerified false). Messages from Keycloak's
// messages_en.properties.
import { realmLoginSettings } from '../../realm/login-settings.ts';
import { html, page } from '../../views/html.ts';
import { formField } from '../form-field.ts';
import type { FieldErrors } from './required-action-page.ts';
import { withoutAction, type RequiredActionHandler } from './required-action-handler.ts';

export const UPDATE_PROFILE_MESSAGES = {
  missingEmail: 'Please specify email.',
  invalidEmail: 'Invalid email address.',
  emailExists: 'Email already exists.',
  missingFirstName: 'Please specify first name.',
  missingLastName: 'Please specify last name.',
} as const;

/**
 * An address of the form local@domain (RFC 5321 §4.1.2, without quoted local parts or address
 * literals, as Keycloak's EmailValidationUtil accepts): at most 64 + 255 characters, the domain
 * dot-separated labels of letters, digits and inner hyphens.
 */
export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at > 64 || value.length > 320) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  const atom = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
  if (!local.split('.').every((part) => atom.test(part))) return false;
  const label = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
  return domain.length <= 255 && domain.split('.').every((part) => label.test(part));
}

export const updateProfile: RequiredActionHandler = {
  async page(_ctx, { realm, user, action, authRequestId, errors, values }) {
    const current = {
      email: values.email ?? user.email ?? '',
      firstName: values.firstName ?? user.firstName ?? '',
      lastName: values.lastName ?? user.lastName ?? '',
    };
    const body = html`
<h1>Update Account Information</h1>
<p>You need to update your user profile to activate your account with ${realm.displayName ?? realm.name}.</p>
<form method="post" action="${action}" novalidate>
  <input type="hidden" name="auth_request" value="${authRequestId}">
  ${formField({ name: 'email', label: 'Email', value: current.email, error: errors.email, attributes: html`autocomplete="email" inputmode="email" autocapitalize="none" spellcheck="false"`, autofocus: true })}
  ${formField({ name: 'firstName', label: 'First name', value: current.firstName, error: errors.firstName, attributes: html`autocomplete="given-name"` })}
  ${formField({ name: 'lastName', label: 'Last name', value: current.lastName, error: errors.lastName, attributes: html`autocomplete="family-name"` })}
  <button type="submit">Submit</button>
</form>`;
    return page('Update Account Information', body);
  },

  async submit(ctx, { realm, user, client, form, ip }) {
    const values = {
      email: (form.get('email') ?? '').trim(),
      firstName: (form.get('firstName') ?? '').trim(),
      lastName: (form.get('lastName') ?? '').trim(),
    };
    const errors: FieldErrors = {};
    if (values.email === '') errors.email = UPDATE_PROFILE_MESSAGES.missingEmail;
    else if (!isEmailAddress(values.email)) errors.email = UPDATE_PROFILE_MESSAGES.invalidEmail;
    else if (!realmLoginSettings(realm).duplicateEmailsAllowed) {
      const other = await ctx.realms.userByEmail(realm.id, values.email);
      if (other && other.id !== user.id) errors.email = UPDATE_PROFILE_MESSAGES.emailExists;
    }
    if (values.firstName === '') errors.firstName = UPDATE_PROFILE_MESSAGES.missingFirstName;
    if (values.lastName === '') errors.lastName = UPDATE_PROFILE_MESSAGES.missingLastName;
    if (Object.keys(errors).length > 0) return { kind: 'invalid', errors, values };

    const emailChanged = values.email.toLowerCase() !== (user.email ?? '').toLowerCase();
    const next = withoutAction(user, 'UPDATE_PROFILE');
    await ctx.realmWriter.updateUser(user.id, {
      email: values.email.toLowerCase(),
      first_name: values.firstName,
      last_name: values.lastName,
      ...(emailChanged ? { email_verified: 0 as const } : {}),
      required_actions: next.json,
    });
    await ctx.events.record({
      realmId: realm.id,
      type: 'UPDATE_PROFILE',
      clientId: client.clientId,
      userId: user.id,
      ipAddress: ip,
      details: emailChanged ? { previous_email: user.email ?? '', updated_email: values.email.toLowerCase() } : {},
    });
    return {
      kind: 'done',
      user: {
        ...next.user,
        email: values.email.toLowerCase(),
        firstName: values.firstName,
        lastName: values.lastName,
        emailVerified: emailChanged ? false : user.emailVerified,
      },
    };
  },
};
