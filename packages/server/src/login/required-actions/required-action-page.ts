// The page of a user's next required action, shown after the password and before the SSO
// session (Keycloak's RequiredActionProvider.requiredActionChallenge). Sundown runs
// UPDATE_PASSWORD (update-password.ts) and the actions of registry.ts (CONFIGURE_TOTP,
// UPDATE_PROFILE, TERMS_AND_CONDITIONS, VERIFY_EMAIL); another pending action stops the sign-in
// with a page that names it, rather than letting the user in without it.
import { htmlResponse } from '../../http/respond.ts';
import type { Realm, User } from '../../realm/model.ts';
import { pendingRequiredActions } from '../../realm/required-actions.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import { REQUIRED_ACTION_HANDLERS } from './registry.ts';
import type { RequiredActionDeps } from './required-action-handler.ts';
import { html, page } from '../../views/html.ts';
import { renderUpdatePasswordPage } from './update-password.ts';

/** The form posts here, with the pending sign-in's id. */
export function requiredActionPath(ctx: UsesUrls, realm: Realm): string {
  return `${ctx.urls.realmPath(realm.name)}/login-actions/required-action`;
}

/** Errors of the submitted form, by field name (`form` for the form as a whole). */
export type FieldErrors = Partial<Record<string, string>>;

export async function requiredActionPage(
  ctx: RequiredActionDeps,
  realm: Realm,
  authRequestId: string,
  user: User,
  errors: FieldErrors | null,
  status = 200,
  values: Readonly<Record<string, string>> = {},
): Promise<Response> {
  const action = pendingRequiredActions(realm, user)[0];
  const input = { realm, action: requiredActionPath(ctx, realm), authRequestId, errors: errors ?? {} };
  if (action === 'UPDATE_PASSWORD') return htmlResponse(renderUpdatePasswordPage(input), status);
  const handler = action === undefined ? undefined : REQUIRED_ACTION_HANDLERS[action];
  if (handler) return htmlResponse(await handler.page(ctx, { ...input, user, values }), status);
  const body = html`
<h1>Your account is not fully set up</h1>
<div class="error" role="alert">This account has a pending action Sundown does not run yet (${action ?? ''}). Contact your administrator.</div>`;
  return htmlResponse(page('Account not set up', body), 400);
}
