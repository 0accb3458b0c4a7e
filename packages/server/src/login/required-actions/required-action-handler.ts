// What a required action with a page of its own is (registry.ts lists them): its page and its
// form's outcome, what happens when the page is first reached, when the action is given to a user
// on its own (Keycloak's RequiredActionProvider: requiredActionChallenge, processAction,
// evaluateTriggers), and the capabilities they may use.
import type { UsesEvents } from '../../events/capabilities.ts';
import type { Params } from '../../http/params.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms, UsesRealmWriter } from '../../realm/capabilities.ts';
import type { Client, Realm, User } from '../../realm/model.ts';
import type { RequiredAction } from '../../realm/required-actions.ts';
import type { UsesOtpCredentials } from '../capabilities.ts';
import type { FieldErrors } from './required-action-page.ts';
import type { VerifyEmailDeps } from './verify-email.ts';

export type RequiredActionDeps = UsesRealms &
  UsesRealmWriter &
  UsesOtpCredentials &
  UsesEvents &
  UsesUrls &
  VerifyEmailDeps;

export interface ActionPageInput {
  realm: Realm;
  user: User;
  /** Where the form posts. */
  action: string;
  authRequestId: string;
  errors: FieldErrors;
  /** The values the user sent, shown again with the errors. */
  values: Readonly<Record<string, string>>;
}

export interface ActionSubmit {
  realm: Realm;
  user: User;
  client: Client;
  form: Params;
  ip: string | null;
  /** The pending sign-in (a link sent by mail continues it). */
  authRequestId: string;
}

/** The sign-in reaches the action's page (Keycloak: the challenge's side effects, e.g. a mail). */
export interface ActionEnter {
  realm: Realm;
  user: User;
  authRequestId: string;
}

export type ActionOutcome =
  /** Shown again with the errors (400). */
  | { kind: 'invalid'; errors: FieldErrors; values: Record<string, string> }
  /** Shown again without an error (200), e.g. after a mail was sent again. */
  | { kind: 'again'; values: Record<string, string> }
  /** Saved, the action removed from the user: the next one, or the end of the sign-in. */
  | { kind: 'done'; user: User }
  /** The user said no (Keycloak's RequiredActionContext.failure): no sign-in. */
  | { kind: 'declined' };

export interface RequiredActionHandler {
  page(ctx: RequiredActionDeps, input: ActionPageInput): Promise<string>;
  submit(ctx: RequiredActionDeps, input: ActionSubmit): Promise<ActionOutcome>;
  /** Runs each time the sign-in reaches this action as the next one. */
  enter?(ctx: RequiredActionDeps, input: ActionEnter): Promise<void>;
  /**
   * Whether an authenticated user who does not have the action yet gets it now (Keycloak's
   * evaluateTriggers, asked of the realm's enabled actions before the next action is chosen).
   */
  triggers?(realm: Realm, user: User): boolean;
}

/** The user's pending actions without `action`, as stored JSON and as the new user. */
export function withoutAction(user: User, action: RequiredAction): { json: string; user: User } {
  const requiredActions = user.requiredActions.filter((a) => a !== action);
  return { json: JSON.stringify(requiredActions), user: { ...user, requiredActions } };
}
