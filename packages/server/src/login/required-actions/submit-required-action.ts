// POST of a required action's page: the pending sign-in must belong to this browser (binding
// cookie, as the login form) and carry the user who gave the right password; the action is
// checked, saved, and the next one shown — or, none left, the sign-in finishes as after the
// password (submit-login.ts finishSignIn).
import { InvalidRequest } from '../../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie } from '../../http/cookies.ts';
import { readForm } from '../../http/params.ts';
import type { RouteHandler } from '../../http/route.ts';
import type { Realm } from '../../realm/model.ts';
import { passwordPolicyViolation, storeNewPassword } from '../../realm/password-change.ts';
import { type LoginCompletions, type PendingLogin, protocolOf } from '../login-completion.ts';
import { finishSignIn, type SubmitLoginDeps } from '../submit-login.ts';
import { htmlResponse } from '../../http/respond.ts';
import { enterRequiredAction } from './enter-required-action.ts';
import { requiredActionPage, requiredActionPath } from './required-action-page.ts';
import { renderVerifyEmailPage, sendVerificationMail } from './verify-email.ts';
import { checkNewPassword } from './update-password.ts';

const EXPIRED =
  'This sign-in page has expired or was opened in another browser. Return to the application and sign in again.';

export function submitRequiredAction<D extends SubmitLoginDeps>(completions: LoginCompletions<D>): RouteHandler<D> {
  return (ctx, realm, req, ip) => requiredAction(ctx, completions, realm, req, ip);
}

async function requiredAction<D extends SubmitLoginDeps>(
  ctx: D,
  completions: LoginCompletions<D>,
  realm: Realm,
  req: Request,
  ip: string | null,
): Promise<Response> {
  const form = await readForm(req);
  const id = form.require('auth_request');
  const pending = await ctx.pending.findAuthenticatedLogin<PendingLogin>(
    realm.id,
    id,
    readCookie(req, LOGIN_BINDING_COOKIE),
  );
  if (!pending) throw new InvalidRequest(EXPIRED);
  const { request } = pending;
  const client = await ctx.realms.clientByClientId(realm.id, request.clientId);
  if (!client?.enabled || client.protocol !== protocolOf(request)) throw new InvalidRequest('Client not found');
  let user = await ctx.realms.userById(pending.userId);
  if (!user?.enabled) throw new InvalidRequest(EXPIRED);

  const action = user.requiredActions[0];
  if (action === 'UPDATE_PASSWORD') {
    const password = form.get('password-new') ?? '';
    const errors = checkNewPassword(password, form.get('password-confirm') ?? '');
    if (errors) return requiredActionPage(ctx, realm, id, user, errors, 400);
    const broken = await passwordPolicyViolation(ctx, realm, user, password);
    if (broken) return requiredActionPage(ctx, realm, id, user, { 'password-new': broken.message }, 400);
    const requiredActions = user.requiredActions.filter((a) => a !== 'UPDATE_PASSWORD');
    await storeNewPassword(ctx, user, password, { required_actions: JSON.stringify(requiredActions) });
    await ctx.events.record({
      realmId: realm.id,
      type: 'UPDATE_PASSWORD',
      clientId: client.clientId,
      userId: user.id,
      ipAddress: ip,
    });
    user = { ...user, requiredActions };
  }
  if (action === 'VERIFY_EMAIL') {
    // The link in the mail does the action (action-tokens/action-token-endpoint.ts); this form
    // only sends it again.
    if (form.get('resend') !== '1') return requiredActionPage(ctx, realm, id, user, null);
    await sendVerificationMail(ctx, realm, id, user);
    const input = { action: requiredActionPath(ctx, realm), authRequestId: id, email: user.email };
    return htmlResponse(renderVerifyEmailPage({ ...input, route: ctx.mailer.route(realm), resent: true }));
  }
  if (user.requiredActions.length > 0) {
    if (user.requiredActions[0] !== action) await enterRequiredAction(ctx, realm, id, user);
    return requiredActionPage(ctx, realm, id, user, null);
  }
  return finishSignIn(ctx, completions, { realm, req, ip, id, request, client, user });
}
