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
}

export const LOGIN_DEFAULTS: LoginSettings = {
  loginWithEmailAllowed: true,
  duplicateEmailsAllowed: false,
  resetPasswordAllowed: false,
  verifyEmail: false,
  registrationAllowed: false,
};

/**
 * The settings the sign-in honours today, read at import; the others keep Keycloak's default
 * and the import report lists them as not used until their pages exist.
 */
export const LOGIN_SETTING_NAMES: readonly (keyof LoginSettings)[] = [
  'loginWithEmailAllowed',
  'duplicateEmailsAllowed',
];

/** The stored JSON (possibly written by an older release, with fewer keys) over the defaults. */
export function parseLoginSettings(json: string): LoginSettings {
  const stored = JSON.parse(json) as Partial<LoginSettings>;
  return { ...LOGIN_DEFAULTS, ...stored };
}

export function realmLoginSettings(realm: Pick<Realm, 'login'>): LoginSettings {
  return realm.login;
}
