// VERIFY_EMAIL (Keycloak's VerifyEmail required action): the user proves the address by following
// a signed single-use link sent to it (action-tokens/); the page says the mail was sent and offers
// to send it again. Following the link in this browser marks the address verified and the sign-in
// goes on (action-tokens/action-token-endpoint.ts). A realm with `verifyEmail` on gives the action
// to every user whose address is not verified yet, at sign-in (VerifyEmail.evaluateTriggers).
// One entry of registry.ts: entering the page sends the link, its form only sends it again.
// Both are capped per user (and the resend per client address too, ../mail-throttle.ts): a
// signed-in browser could otherwise mail-bomb the address; over the cap the page says a mail
// was sent recently — the user is known to be signed in, so there is nothing to hide.
import { verifyEmailMail } from '../../mail/messages.ts';
import type { MailRoute } from '../../mail/mailer.ts';
import type { Realm, User } from '../../realm/model.ts';
import { html, page } from '../../views/html.ts';
import { actionTokenLink, issueActionToken } from '../action-tokens/action-token.ts';
import { mailRouteNotice } from '../form-fields.ts';
import type { UsesSigningKeys } from '../../crypto/capabilities.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLog } from '../../log.ts';
import type { UsesMailer } from '../../mail/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesMailThrottle } from '../capabilities.ts';
import type { ActionOutcome, RequiredActionHandler } from './required-action-handler.ts';

export type VerifyEmailDeps = UsesEvents & UsesLog & UsesMailer & UsesMailThrottle & UsesSigningKeys & UsesUrls;

/** Whether the realm's verifyEmail flag gives this user VERIFY_EMAIL now. */
export function needsEmailVerification(realm: Pick<Realm, 'login'>, user: User): boolean {
  return (
    realm.login.verifyEmail &&
    user.email !== null &&
    !user.emailVerified &&
    !user.requiredActions.includes('VERIFY_EMAIL')
  );
}

export const verifyEmail: RequiredActionHandler = {
  triggers: needsEmailVerification,

  async enter(ctx, { realm, user, authRequestId }) {
    await sendVerificationMail(ctx, realm, authRequestId, user, []);
  },

  async page(ctx, { realm, user, action, authRequestId, values }) {
    const route = ctx.mailer.route(realm);
    return renderVerifyEmailPage({
      action,
      authRequestId,
      email: user.email,
      route,
      resent: values.resent === '1',
      throttled: values.resent === 'throttled',
    });
  },

  // The link in the mail does the action (action-tokens/action-token-endpoint.ts); this form
  // only sends it again.
  async submit(ctx, { realm, user, form, ip, authRequestId }): Promise<ActionOutcome> {
    if (form.get('resend') !== '1') return { kind: 'again', values: {} };
    const sent = await sendVerificationMail(ctx, realm, authRequestId, user, ip === null ? [] : [ip]);
    return { kind: 'again', values: { resent: sent === 'throttled' ? 'throttled' : '1' } };
  },
};

/**
 * Sends the verification link for the pending sign-in `authRequestId`, counted against the user's
 * cap and that of `addresses` (none: the user's only).
 */
export async function sendVerificationMail(
  ctx: VerifyEmailDeps,
  realm: Realm,
  authRequestId: string,
  user: User,
  addresses: readonly string[],
): Promise<'sent' | 'throttled' | 'failed'> {
  if (!user.email) return 'failed';
  const lifespan = realm.login.actionTokenGeneratedByUserLifespan;
  try {
    if (!(await ctx.mailThrottle.take(realm.id, 'verify-email', user.id, addresses))) {
      await ctx.events.record({
        realmId: realm.id,
        type: 'SEND_VERIFY_EMAIL_ERROR',
        userId: user.id,
        error: 'too_many_requests',
      });
      return 'throttled';
    }
    const jwt = await issueActionToken(
      ctx,
      realm,
      {
        kind: 'verify-email',
        userId: user.id,
        email: user.email,
        actions: [],
        authRequest: authRequestId,
        clientId: null,
        redirectUri: null,
      },
      lifespan,
    );
    const link = actionTokenLink(ctx, realm, jwt);
    await ctx.mailer.send(realm, verifyEmailMail(user.email, realm.displayName ?? realm.name, link, lifespan));
    await ctx.events.record({ realmId: realm.id, type: 'SEND_VERIFY_EMAIL', userId: user.id });
    return 'sent';
  } catch (err) {
    ctx.log.warn({ realm: realm.name, err: String(err) }, 'the verification mail could not be sent');
    // Keycloak's VerifyEmail: an EmailException is SEND_VERIFY_EMAIL_ERROR email_send_failed.
    await ctx.events
      .record({ realmId: realm.id, type: 'SEND_VERIFY_EMAIL_ERROR', userId: user.id, error: 'email_send_failed' })
      .catch(() => undefined);
    return 'failed';
  }
}

export interface VerifyEmailPageInput {
  action: string;
  authRequestId: string;
  email: string | null;
  route: MailRoute;
  /** The resend button was used: say the mail went again. */
  resent: boolean;
  /** The resend button was used over the cap: say a mail was sent recently, none now. */
  throttled?: boolean;
}

export function renderVerifyEmailPage(input: VerifyEmailPageInput): string {
  if (!input.email || input.route === 'none') {
    const why = !input.email
      ? 'Your account has no email address to verify.'
      : 'This server cannot send email for this realm.';
    return page(
      'Email verification',
      html`
<h1>Email verification</h1>
<div class="error" role="alert">${why} Contact your administrator.</div>`,
    );
  }
  const body = html`
<h1>Email verification</h1>
<p>You need to verify your email address to activate your account.</p>
${
  input.throttled
    ? html`<div role="status"><p>An email with instructions to verify your email address was sent to ${input.email} recently. Please wait a few minutes before asking for another one.</p></div>`
    : html`<div role="status"><p>An email with instructions to verify your email address has been sent to ${input.email}${input.resent ? ' again' : ''}.</p></div>`
}
${mailRouteNotice(input.route)}
<form method="post" action="${input.action}" novalidate>
  <input type="hidden" name="auth_request" value="${input.authRequestId}">
  <input type="hidden" name="resend" value="1">
  <p>Haven't received a verification code in your email?</p>
  <button type="submit" class="secondary">Re-send the email</button>
</form>`;
  return page('Email verification', body);
}
