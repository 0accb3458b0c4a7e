// The mails Sundown sends, after Keycloak's email templates (password-reset, email-verification,
// executeActions in messages_en.properties of the email theme): plain text with the link and how
// long it stays valid.
import type { MailMessage } from './mailer.ts';

/** Keycloak's "{0} minutes" wording of a link's lifespan. */
export function lifespanText(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes % 1440 === 0) return minutes === 1440 ? '1 day' : `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? '1 hour' : `${minutes / 60} hours`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export function passwordResetMail(to: string, realmName: string, link: string, lifespanSeconds: number): MailMessage {
  return {
    to,
    subject: 'Reset password',
    text: `Someone just requested to change your ${realmName} account's credentials. If this was you, follow the link below to reset them.

${link}

This link will expire within ${lifespanText(lifespanSeconds)}.

If you don't want to reset your credentials, just ignore this message and nothing will be changed.
`,
  };
}

export function verifyEmailMail(to: string, realmName: string, link: string, lifespanSeconds: number): MailMessage {
  return {
    to,
    subject: 'Verify email',
    text: `Someone has created a ${realmName} account with this email address. If this was you, follow the link below to verify your email address.

${link}

This link will expire within ${lifespanText(lifespanSeconds)}.

If you didn't create this account, just ignore this message.
`,
  };
}

/** Keycloak's requiredAction.* names, for the execute-actions mail and page. */
export const ACTION_NAMES: Readonly<Record<string, string>> = {
  UPDATE_PASSWORD: 'Update Password',
  VERIFY_EMAIL: 'Verify Email',
  CONFIGURE_TOTP: 'Configure OTP',
  UPDATE_PROFILE: 'Update Profile',
  TERMS_AND_CONDITIONS: 'Terms and Conditions',
};

export function executeActionsMail(
  to: string,
  realmName: string,
  actions: readonly string[],
  link: string,
  lifespanSeconds: number,
): MailMessage {
  const names = actions.map((a) => ACTION_NAMES[a] ?? a).join(', ');
  return {
    to,
    subject: 'Update Your Account',
    text: `Your administrator has just requested that you update your ${realmName} account by performing the following action(s): ${names}. Follow the link below to start this process.

${link}

This link will expire within ${lifespanText(lifespanSeconds)}.

If you are unaware that your administrator has requested this, just ignore this message and nothing will be changed.
`,
  };
}
