// The page of a user's next required action, shown after the password and before the SSO
// session (Keycloak's RequiredActionProvider.requiredActionChallenge). Sundown runs
// UPDATE_PASSWORD (update-password.ts) and VERIFY_EMAIL (verify-email.ts); another pending
// action stops the sign-in with a page that names it, rather than letting the user in without it.
import { htmlResponse } from '../../http/respond.ts';
import type { Realm, User } from '../../realm/model.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import { html, page } from '../../views/html.ts';
import { renderUpdatePasswordPage } from './update-password.ts';
import { renderVerifyEmailPage } from './verify-email.ts';
import type { UsesMailer } from '../../mail/capabilities.ts';

/** The form posts here, with the pending sign-in's id. */
export function requiredActionPath(ctx: UsesUrls, realm: Realm): string {
  return `${ctx.urls.realmPath(realm.name)}/login-actions/required-action`;
}

/** Errors of the submitted form, by field name (`form` for the form as a whole). */
export type FieldErrors = Partial<Record<string, string>>;

export function requiredActionPage(
  ctx: UsesUrls & UsesMailer,
  realm: Realm,
  authRequestId: string,
  user: User,
  errors: FieldErrors | null,
  status = 200,
): Response {
  const action = user.requiredActions[0];
  const input = { realm, action: requiredActionPath(ctx, realm), authRequestId, errors: errors ?? {} };
  if (action === 'UPDATE_PASSWORD') return htmlResponse(renderUpdatePasswordPage(input), status);
  if (action === 'VERIFY_EMAIL')
    return htmlResponse(
      renderVerifyEmailPage({ ...input, email: user.email, route: ctx.mailer.route(realm), resent: false }),
      status,
    );
  const body = html`
<h1>Your account is not fully set up</h1>
<div class="error" role="alert">This account has a pending action Sundown does not run yet (${action ?? ''}). Contact your administrator.</div>`;
  return htmlResponse(page('Account not set up', body), 400);
}
