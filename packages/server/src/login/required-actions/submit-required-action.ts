// POST of a required action's page: the pending sign-in must belong to this browser (binding
// cookie, as the login form) and carry the user who gave the right password (and code); the
// action is checked, saved, and the sign-in goes on as after the password (submit-login.ts
// afterAuthentication: triggers, the next action in the realm's order, or the SSO session).
import { InvalidRequest } from '../../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie } from '../../http/cookies.ts';
import { readForm } from '../../http/params.ts';
import type { RouteHandler } from '../../http/route.ts';
import type { Realm } from '../../realm/model.ts';
import { passwordPolicyViolation, storeNewPassword } from '../../realm/password-change.ts';
import { pendingRequiredActions } from '../../realm/required-actions.ts';
import { type LoginCompletions, type PendingLogin, protocolOf } from '../login-completion.ts';
import { afterAuthentication, LOGIN_EXPIRED, type SubmitLoginDeps } from '../submit-login.ts';
import { requiredActionPage } from './required-action-page.ts';
import { denyLogin, type LoginDenials } from '../login-denial.ts';
import { REQUIRED_ACTION_HANDLERS } from './registry.ts';
import { checkNewPassword } from './update-password.ts';
import type { UsesCredentialSignals } from './credential-signals.ts';

export function submitRequiredAction<D extends SubmitLoginDeps & UsesCredentialSignals>(
  completions: LoginCompletions<D>,
  denials: LoginDenials<D> = {},
): RouteHandler<D> {
  return (ctx, realm, req, ip) => requiredAction(ctx, completions, denials, realm, req, ip);
}

async function requiredAction<D extends SubmitLoginDeps & UsesCredentialSignals>(
  ctx: D,
  completions: LoginCompletions<D>,
  denials: LoginDenials<D>,
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
  if (!pending) throw new InvalidRequest(LOGIN_EXPIRED);
  const { request } = pending;
  const client = await ctx.realms.clientByClientId(realm.id, request.clientId);
  if (!client?.enabled || client.protocol !== protocolOf(request)) throw new InvalidRequest('Client not found');
  let user = await ctx.realms.userById(pending.userId);
  if (!user?.enabled) throw new InvalidRequest(LOGIN_EXPIRED);

  const action = pendingRequiredActions(realm, user)[0];
  if (action === 'UPDATE_PASSWORD') {
    const password = form.get('password-new') ?? '';
    const errors = checkNewPassword(password, form.get('password-confirm') ?? '');
    if (errors) return requiredActionPage(ctx, realm, id, user, errors, 400);
    // The realm's password policy (realm/password-policy.ts), with Keycloak's messages.
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
    // CAEP credential-change (initiating_entity user) to the realm's Shared Signals receivers.
    await ctx.credentialSignals.passwordChanged(realm, user);
    user = { ...user, requiredActions };
  }
  const handler = action === undefined ? undefined : REQUIRED_ACTION_HANDLERS[action];
  if (handler) {
    const outcome = await handler.submit(ctx, { realm, user, client, form, ip, authRequestId: id });
    if (outcome.kind === 'invalid')
      return requiredActionPage(ctx, realm, id, user, outcome.errors, 400, outcome.values);
    if (outcome.kind === 'again') return requiredActionPage(ctx, realm, id, user, null, 200, outcome.values);
    if (outcome.kind === 'declined') {
      await ctx.pending.deleteLogin(id);
      return denyLogin(ctx, denials, { realm, client, request });
    }
    user = outcome.user;
  }
  return afterAuthentication(ctx, completions, { realm, req, ip, id, request, client, user });
}
