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

/**
 * A required action as the realm registers it (Keycloak's RequiredActionProviderRepresentation):
 * a disabled one is skipped for users who have it pending, a default one is given to every new
 * user, and a user's pending actions run in priority order.
 */
export interface RequiredActionSetting {
  alias: RequiredAction;
  enabled: boolean;
  defaultAction: boolean;
  priority: number;
}

/** Keycloak's registrations for a new realm (DefaultRequiredActions): terms and conditions off. */
export const REQUIRED_ACTION_DEFAULTS: readonly RequiredActionSetting[] = [
  { alias: 'CONFIGURE_TOTP', enabled: true, defaultAction: false, priority: 10 },
  { alias: 'TERMS_AND_CONDITIONS', enabled: false, defaultAction: false, priority: 20 },
  { alias: 'UPDATE_PASSWORD', enabled: true, defaultAction: false, priority: 30 },
  { alias: 'UPDATE_PROFILE', enabled: true, defaultAction: false, priority: 40 },
  { alias: 'VERIFY_EMAIL', enabled: true, defaultAction: false, priority: 50 },
];

/**
 * The stored JSON: the realm file's list replaces the defaults, as Keycloak's import registers
 * exactly the file's `requiredActions` when it has them; an empty list means the defaults.
 */
export function parseRequiredActionSettings(json: string): readonly RequiredActionSetting[] {
  const stored = JSON.parse(json) as RequiredActionSetting[];
  return stored.length > 0 ? stored : REQUIRED_ACTION_DEFAULTS;
}

/**
 * The user's actions still to run, in the realm's priority order; an action the realm does not
 * register, or has disabled, is skipped (Keycloak's AuthenticationManager.executionActions).
 */
export function pendingRequiredActions(
  realm: { requiredActionSettings: readonly RequiredActionSetting[] },
  user: { requiredActions: readonly string[] },
): RequiredAction[] {
  const settings = new Map(realm.requiredActionSettings.map((s) => [s.alias, s]));
  return user.requiredActions
    .filter((a): a is RequiredAction => isRequiredAction(a) && settings.get(a)?.enabled === true)
    .sort((a, b) => settings.get(a)!.priority - settings.get(b)!.priority);
}

/** The actions the realm gives every new user (`defaultAction`). */
export function defaultRequiredActions(realm: {
  requiredActionSettings: readonly RequiredActionSetting[];
}): RequiredAction[] {
  return realm.requiredActionSettings.filter((s) => s.enabled && s.defaultAction).map((s) => s.alias);
}
