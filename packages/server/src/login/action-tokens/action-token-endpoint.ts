// `login-actions/action-token` (Keycloak's LoginActionsService.executeActionToken): the page a
// link sent by email opens. GET only shows what the link will do — mail scanners fetch links, and
// a fetch must not use one up — and POST does it: the new password (the realm's policy applies),
// the verified address, the administrator's actions. A link works once (used-action-tokens.ts);
// an expired, forged, used or stale one (the user's address changed) gets a page that says so.
// When the link was sent during a sign-in that this browser still has open, the sign-in goes on.
import { LOGIN_BINDING_COOKIE, readCookie } from '../../http/cookies.ts';
import { readForm } from '../../http/params.ts';
import { htmlResponse } from '../../http/respond.ts';
import type { RouteHandler } from '../../http/route.ts';
import { ACTION_NAMES } from '../../mail/messages.ts';
import type { Realm, User } from '../../realm/model.ts';
import { passwordPolicyViolation, storeNewPassword } from '../../realm/password-change.ts';
import { html, page } from '../../views/html.ts';
import type { UsesUsedActionTokens } from '../capabilities.ts';
import { type LoginCompletions, type PendingLogin, protocolOf } from '../login-completion.ts';
import { formField } from '../form-fields.ts';
import { checkNewPassword } from '../required-actions/update-password.ts';
import { afterAuthentication, afterPassword, type SubmitLoginDeps } from '../submit-login.ts';
import { type ActionToken, ActionTokenRefused, readActionToken } from './action-token.ts';
import type { UsesCredentialSignals } from '../required-actions/credential-signals.ts';

export type ActionTokenDeps = SubmitLoginDeps & UsesUsedActionTokens & UsesCredentialSignals;

/** The link's page must not hand its URL (the token) to anyone. */
const NO_REFERRER = { 'Referrer-Policy': 'no-referrer' };

/** Keycloak's texts (messages_en.properties). */
export const LINK_MESSAGES = {
  expired: 'Action expired. Please start again.',
  invalid: 'This link is not valid. Ask for a new one.',
  used: 'This link was already used. Ask for a new one if you still need it.',
} as const;

export function actionTokenEndpoint<D extends ActionTokenDeps>(completions: LoginCompletions<D>): RouteHandler<D> {
  return async (ctx, realm, req, ip) => {
    const form = req.method === 'POST' ? await readForm(req) : null;
    const key = form ? form.get('key') : new URL(req.url).searchParams.get('key');
    let token: ActionToken;
    try {
      token = await readActionToken(ctx, realm, key ?? '');
    } catch (err) {
      if (err instanceof ActionTokenRefused) return refused(ctx, realm, ip, err.problem, null);
      throw err;
    }
    if (await ctx.usedActionTokens.used(token.jti)) return refused(ctx, realm, ip, 'used', token);
    const user = await ctx.realms.userById(token.userId);
    // A link sent to an address the user no longer has is stale (Keycloak checks `eml` too).
    if (!user?.enabled || user.realmId !== realm.id || user.email?.toLowerCase() !== token.email.toLowerCase())
      return refused(ctx, realm, ip, 'invalid', token);

    const needsPassword = token.actions.includes('UPDATE_PASSWORD');
    if (!form) return actionPage(ctx, realm, token, key!, {}, 200);

    let password: string | null = null;
    if (needsPassword) {
      password = form.get('password-new') ?? '';
      const errors = checkNewPassword(password, form.get('password-confirm') ?? '');
      if (errors) return actionPage(ctx, realm, token, key!, errors, 400);
      const broken = await passwordPolicyViolation(ctx, realm, user, password);
      if (broken) return actionPage(ctx, realm, token, key!, { 'password-new': broken.message }, 400);
    }
    if (!(await ctx.usedActionTokens.use(realm.id, token.jti, token.expiresAt, Date.now())))
      return refused(ctx, realm, ip, 'used', token);

    const updated = await applyToken(ctx, realm, token, user, password, ip);
    // The sign-in the link was sent from goes on, in the browser that started it: from the
    // required actions when it had got there (VERIFY_EMAIL's link), else as after the password —
    // a user with a one-time code still gives it, since the mailbox is not a second factor.
    if (token.authRequest) {
      const binding = readCookie(req, LOGIN_BINDING_COOKIE);
      const request = await ctx.pending.findLogin<PendingLogin>(realm.id, token.authRequest, binding);
      const client = request && (await ctx.realms.clientByClientId(realm.id, request.clientId));
      if (request && client?.enabled && client.protocol === protocolOf(request)) {
        const authenticated = await ctx.pending.findAuthenticatedLogin(realm.id, token.authRequest, binding);
        const facts = { realm, req, ip, id: token.authRequest, request, client, user: updated };
        return authenticated?.userId === updated.id
          ? afterAuthentication(ctx, completions, facts)
          : afterPassword(ctx, completions, facts);
      }
    }
    return donePage(token, needsPassword);
  };
}

/** Writes what the link does; returns the user as it is now. */
async function applyToken(
  ctx: ActionTokenDeps,
  realm: Realm,
  token: ActionToken,
  user: User,
  password: string | null,
  ip: string | null,
): Promise<User> {
  const verifies = token.kind === 'verify-email' || token.actions.includes('VERIFY_EMAIL');
  let remaining = user.requiredActions;
  if (password !== null) remaining = remaining.filter((a) => a !== 'UPDATE_PASSWORD');
  if (verifies) remaining = remaining.filter((a) => a !== 'VERIFY_EMAIL');
  // Actions a link cannot do on its own page (Keycloak runs them in the link's flow) wait for
  // the next sign-in, where the required-action pages run them.
  const later = token.actions.filter((a) => a !== 'UPDATE_PASSWORD' && a !== 'VERIFY_EMAIL' && !remaining.includes(a));
  const requiredActions = [...remaining, ...later];
  const also = {
    required_actions: JSON.stringify(requiredActions),
    ...(verifies ? { email_verified: 1 as const } : {}),
  };
  if (password !== null) {
    await storeNewPassword(ctx, user, password, also);
    // CAEP credential-change (initiating_entity user) to the realm's Shared Signals receivers.
    await ctx.credentialSignals.passwordChanged(realm, user);
    // Whoever knew the old password loses the sessions it opened (Keycloak's "sign out from
    // other devices", on by default).
    const live = await ctx.sessions.liveOfUser(realm, user.id);
    if (live.length > 0)
      await ctx.logout.endSessions(
        realm,
        live.map((s) => s.id),
        'password_change',
        { ipAddress: ip, clientId: token.clientId, startedBy: 'user', actor: user.username },
      );
  } else await ctx.realmWriter.updateUser(user.id, also);
  const event = (type: 'RESET_PASSWORD' | 'VERIFY_EMAIL' | 'EXECUTE_ACTIONS' | 'UPDATE_PASSWORD') =>
    ctx.events.record({ realmId: realm.id, type, clientId: token.clientId, userId: user.id, ipAddress: ip });
  if (token.kind === 'reset-credentials') await event('RESET_PASSWORD');
  if (token.kind === 'execute-actions') await event('EXECUTE_ACTIONS');
  if (password !== null) await event('UPDATE_PASSWORD');
  if (verifies) await event('VERIFY_EMAIL');
  return { ...user, requiredActions, emailVerified: user.emailVerified || verifies };
}

function actionPage(
  ctx: ActionTokenDeps,
  realm: Realm,
  token: ActionToken,
  key: string,
  errors: Partial<Record<string, string>>,
  status: number,
): Response {
  const action = `${ctx.urls.realmPath(realm.name)}/login-actions/action-token`;
  const needsPassword = token.actions.includes('UPDATE_PASSWORD');
  const title =
    token.kind === 'reset-credentials'
      ? 'Update password'
      : token.kind === 'verify-email'
        ? 'Email verification'
        : 'Update your account';
  const intro =
    token.kind === 'verify-email'
      ? html`<p>Confirm validity of e-mail address ${token.email}.</p>`
      : token.kind === 'execute-actions'
        ? html`<p>Perform the following action(s):</p><ul>${token.actions.map((a) => html`<li>${ACTION_NAMES[a] ?? a}</li>`)}</ul>`
        : html`<p>Choose a new password for your ${realm.displayName ?? realm.name} account.</p>`;
  const body = html`
<h1>${title}</h1>
${intro}
<form method="post" action="${action}" novalidate>
  <input type="hidden" name="key" value="${key}">
  ${needsPassword ? formField({ name: 'password-new', label: 'New password', type: 'password', autocomplete: 'new-password', error: errors['password-new'], autofocus: true }) : null}
  ${needsPassword ? formField({ name: 'password-confirm', label: 'Confirm password', type: 'password', autocomplete: 'new-password', error: errors['password-confirm'] }) : null}
  <button type="submit">${needsPassword ? 'Submit' : token.kind === 'verify-email' ? 'Confirm' : 'Continue'}</button>
</form>`;
  return htmlResponse(page(title, body), status, NO_REFERRER);
}

function donePage(token: ActionToken, passwordChanged: boolean): Response {
  const message =
    token.kind === 'reset-credentials'
      ? 'Your password has been updated.'
      : token.kind === 'verify-email'
        ? 'Your email address has been verified.'
        : 'Your account has been updated.';
  const later = passwordChanged ? html`<p>You can now sign in with your new password.</p>` : null;
  const body = html`
<h1>${message}</h1>
<div role="status">${later}</div>
${token.redirectUri ? html`<a class="link" href="${token.redirectUri}">« Back to application</a>` : null}`;
  return htmlResponse(page(message, body), 200, NO_REFERRER);
}

/**
 * A link that cannot be used: its page, and Keycloak's EXECUTE_ACTION_TOKEN_ERROR event
 * (LoginActionsService.handleActionTokenVerificationException: `expired_code` for an expired
 * link, `invalid_code` otherwise).
 */
async function refused(
  ctx: ActionTokenDeps,
  realm: Realm,
  ip: string | null,
  problem: keyof typeof LINK_MESSAGES,
  token: ActionToken | null,
): Promise<Response> {
  await ctx.events.record({
    realmId: realm.id,
    type: 'EXECUTE_ACTION_TOKEN_ERROR',
    clientId: token?.clientId ?? null,
    userId: token?.userId ?? null,
    ipAddress: ip,
    error: problem === 'expired' ? 'expired_code' : 'invalid_code',
    details: { reason: problem },
  });
  return linkProblem(LINK_MESSAGES[problem]);
}

function linkProblem(message: string): Response {
  const body = html`
<h1>This link cannot be used</h1>
<div class="error" role="alert">${message}</div>`;
  return htmlResponse(page('Link cannot be used', body), 400, NO_REFERRER);
}
