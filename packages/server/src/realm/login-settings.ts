// The realm settings of Keycloak's RealmRepresentation that shape sign-in, with Keycloak's
// defaults (RealmManager / RealmRepresentation): stored as one JSON column of the realm row,
// written by realm import and read here.
import type { Realm } from './model.ts';

export interface LoginSettings {
  /** Sign in with the email address as well as the username (Keycloak default: on). */
  loginWithEmailAllowed: boolean;
  /** Several users may share an email address (default: off); then nobody signs in by email. */
  duplicateEmailsAllowed: boolean;
  /** The "Forgot password?" link (default: off). */
  resetPasswordAllowed: boolean;
  /** Users must verify their email address (default: off). */
  verifyEmail: boolean;
  /** Self-registration (default: off). */
  registrationAllowed: boolean;
  /** Registration asks no username: the email address is the username (default: off). */
  registrationEmailAsUsername: boolean;
  /** Keycloak's policy string (`"length(12) and digits(1)"`), checked at import (password-policy.ts); null: none. */
  passwordPolicy: string | null;
  /** Seconds a link the user asked for (forgot password, verify email) stays valid (Keycloak default 300). */
  actionTokenGeneratedByUserLifespan: number;
  /** Seconds a link an administrator sent (execute-actions-email) stays valid (Keycloak default 43200). */
  actionTokenGeneratedByAdminLifespan: number;
  /** Keycloak's `smtpServer` map (host, port, from, …), as the realm JSON gives it (mail/smtp-settings.ts). */
  smtpServer: Record<string, string>;
}

export const LOGIN_DEFAULTS: LoginSettings = {
  loginWithEmailAllowed: true,
  duplicateEmailsAllowed: false,
  resetPasswordAllowed: false,
  verifyEmail: false,
  registrationAllowed: false,
  registrationEmailAsUsername: false,
  passwordPolicy: null,
  actionTokenGeneratedByUserLifespan: 300,
  actionTokenGeneratedByAdminLifespan: 43200,
  smtpServer: {},
};

/** The on/off settings the sign-in honours, read at import (realm-import/realm-json.ts reads the others). */
export const LOGIN_SETTING_NAMES = [
  'loginWithEmailAllowed',
  'duplicateEmailsAllowed',
  'resetPasswordAllowed',
  'verifyEmail',
  'registrationAllowed',
  'registrationEmailAsUsername',
] as const satisfies readonly (keyof LoginSettings)[];

/** The stored JSON (possibly written by an older release, with fewer keys) over the defaults. */
export function parseLoginSettings(json: string): LoginSettings {
  const stored = JSON.parse(json) as Partial<LoginSettings>;
  return { ...LOGIN_DEFAULTS, ...stored };
}

export function realmLoginSettings(realm: Pick<Realm, 'login'>): LoginSettings {
  return realm.login;
}
