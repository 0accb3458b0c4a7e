// Keycloak's required actions that Sundown runs (Keycloak's RequiredAction provider ids): a user
// with one pending signs in with the password, then completes it before the SSO session is
// complete (login/required-actions/); the password grant refuses such a user, as Keycloak's
// direct grant does ("Account is not fully set up").
export const REQUIRED_ACTIONS = [
  'UPDATE_PASSWORD',
  'CONFIGURE_TOTP',
  'UPDATE_PROFILE',
  'VERIFY_EMAIL',
  'TERMS_AND_CONDITIONS',
] as const;

export type RequiredAction = (typeof REQUIRED_ACTIONS)[number];

export function isRequiredAction(value: string): value is RequiredAction {
  return (REQUIRED_ACTIONS as readonly string[]).includes(value);
}
