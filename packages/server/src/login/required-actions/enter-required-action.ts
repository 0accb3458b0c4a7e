// The step between actions (Keycloak's AuthenticationManager.nextRequiredAction): before the next
// action is chosen, the realm's enabled actions may give the user one (evaluateTriggers — the
// realm's verifyEmail gives VERIFY_EMAIL to an unverified address, also after UPDATE_PROFILE
// changed it); when the sign-in reaches an action's page, the action may act first
// (VERIFY_EMAIL sends its link). Called wherever the sign-in reaches a new action: after the
// password (and code), after the previous action, after a link from a mail, after registration.
import type { UsesRealmWriter } from '../../realm/capabilities.ts';
import type { Realm, User } from '../../realm/model.ts';
import { pendingRequiredActions } from '../../realm/required-actions.ts';
import { REQUIRED_ACTION_HANDLERS } from './registry.ts';
import type { RequiredActionDeps } from './required-action-handler.ts';

/** The user with the actions the realm's enabled ones give them now, stored. */
export async function evaluateRequiredActionTriggers(ctx: UsesRealmWriter, realm: Realm, user: User): Promise<User> {
  const added = realm.requiredActionSettings
    .filter((s) => s.enabled && !user.requiredActions.includes(s.alias))
    .filter((s) => REQUIRED_ACTION_HANDLERS[s.alias]?.triggers?.(realm, user) === true)
    .map((s) => s.alias);
  if (added.length === 0) return user;
  const requiredActions = [...user.requiredActions, ...added];
  await ctx.realmWriter.updateUser(user.id, { required_actions: JSON.stringify(requiredActions) });
  return { ...user, requiredActions };
}

/** The sign-in reaches the user's next action: it acts first when it has something to do. */
export async function enterRequiredAction(
  ctx: RequiredActionDeps,
  realm: Realm,
  authRequestId: string,
  user: User,
): Promise<void> {
  const action = pendingRequiredActions(realm, user)[0];
  const handler = action === undefined ? undefined : REQUIRED_ACTION_HANDLERS[action];
  await handler?.enter?.(ctx, { realm, user, authRequestId });
}
