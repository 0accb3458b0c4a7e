// "Forgot password?" (Keycloak's reset-credentials flow, resetPasswordAllowed): the page asks for
// a username or email address; a user found by either, enabled and with an address, gets a
// signed single-use link (action-tokens/) that leads to choosing a new password. The answer is
// the same page whether or not such a user exists, and it does not wait for the mail: the time
// it takes says nothing either (Keycloak: "You should receive an email shortly"). Mails are
// capped per user and per client address (../mail-throttle.ts): one over the cap is not sent and
// is recorded as SEND_RESET_PASSWORD_ERROR too_many_requests, behind the same answer — a page that
// said "too many" would tell the account exists.
import { InvalidRequest } from '../../errors.ts';
import { readForm } from '../../http/params.ts';
import { htmlResponse } from '../../http/respond.ts';
import type { RouteHandler } from '../../http/route.ts';
import { passwordResetMail } from '../../mail/messages.ts';
import type { Realm, User } from '../../realm/model.ts';
import { html, page } from '../../views/html.ts';
import { actionTokenLink, issueActionToken } from '../action-tokens/action-token.ts';
import { formField, mailRouteNotice } from '../form-fields.ts';
import type { UsesSigningKeys } from '../../crypto/capabilities.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLog } from '../../log.ts';
import type { UsesMailer } from '../../mail/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type { UsesMailThrottle } from '../capabilities.ts';

export type ForgotPasswordDeps = UsesEvents &
  UsesLog &
  UsesMailer &
  UsesMailThrottle &
  UsesRealms &
  UsesSigningKeys &
  UsesUrls;

const TITLE = 'Forgot your password?';
const INSTRUCTION =
  'Enter your username or email address and we will send you instructions on how to create a new password.';

/** GET and POST of `login-actions/reset-credentials`. */
export const forgotPasswordEndpoint: RouteHandler<ForgotPasswordDeps> = async (
  ctx,
  realm,
  req,
  ip,
  _facts,
  addresses,
) => {
  if (!realm.login.resetPasswordAllowed) throw new InvalidRequest('Reset Credential not allowed');
  const url = new URL(req.url);
  if (req.method === 'GET') return formPage(ctx, realm, url.searchParams.get('auth_request'), '', null, 200);
  const form = await readForm(req);
  const authRequest = form.get('auth_request') || null;
  const name = (form.get('username') ?? '').trim();
  if (name === '') return formPage(ctx, realm, authRequest, '', 'Please specify username or email.', 400);

  const user = await findByNameOrEmail(ctx, realm, name);
  const route = ctx.mailer.route(realm);
  if (user?.enabled && user.email && route !== 'none') {
    // Not awaited, and begun only after the answer is on its way: the page answers as fast for a
    // known user as for an unknown one.
    const email = user.email;
    setImmediate(() => void sendResetMail(ctx, realm, user, email, authRequest, ip, addresses));
  } else {
    await ctx.events.record({
      realmId: realm.id,
      type: 'SEND_RESET_PASSWORD_ERROR',
      userId: user?.id ?? null,
      ipAddress: ip,
      error: !user
        ? 'user_not_found'
        : !user.enabled
          ? 'user_disabled'
          : !user.email
            ? 'invalid_email'
            : 'email_send_failed',
    });
  }
  if (route === 'none')
    return formPage(ctx, realm, authRequest, name, 'Failed to send email, please try again later.', 503);
  const body = html`
<h1>${TITLE}</h1>
<div role="status"><p>You should receive an email shortly with further instructions.</p></div>
${mailRouteNotice(route)}`;
  return htmlResponse(page(TITLE, body));
};

/** Keycloak's ResetCredentialChooseUser: the username, else the email address. */
async function findByNameOrEmail(ctx: UsesRealms, realm: Realm, name: string): Promise<User | undefined> {
  // Both lookups always run, so a hit by username costs what a miss does.
  const [byName, byEmail] = await Promise.all([
    ctx.realms.userByUsername(realm.id, name.toLowerCase()),
    name.includes('@') ? ctx.realms.userByEmail(realm.id, name) : Promise.resolve(undefined),
  ]);
  return byName ?? byEmail;
}

async function sendResetMail(
  ctx: ForgotPasswordDeps,
  realm: Realm,
  user: User,
  email: string,
  authRequest: string | null,
  ip: string | null,
  addresses: readonly string[],
): Promise<void> {
  const lifespan = realm.login.actionTokenGeneratedByUserLifespan;
  try {
    if (!(await ctx.mailThrottle.take(realm.id, 'reset-credentials', user.id, addresses))) {
      await ctx.events.record({
        realmId: realm.id,
        type: 'SEND_RESET_PASSWORD_ERROR',
        userId: user.id,
        ipAddress: ip,
        error: 'too_many_requests',
      });
      return;
    }
    const jwt = await issueActionToken(
      ctx,
      realm,
      {
        kind: 'reset-credentials',
        userId: user.id,
        email,
        actions: ['UPDATE_PASSWORD'],
        authRequest,
        clientId: null,
        redirectUri: null,
      },
      lifespan,
    );
    await ctx.mailer.send(
      realm,
      passwordResetMail(email, realm.displayName ?? realm.name, actionTokenLink(ctx, realm, jwt), lifespan),
    );
    await ctx.events.record({ realmId: realm.id, type: 'SEND_RESET_PASSWORD', userId: user.id, ipAddress: ip });
  } catch (err) {
    ctx.log.warn({ realm: realm.name, err: String(err) }, 'the password reset mail could not be sent');
    await ctx.events
      .record({
        realmId: realm.id,
        type: 'SEND_RESET_PASSWORD_ERROR',
        userId: user.id,
        ipAddress: ip,
        error: 'email_send_failed',
      })
      .catch(() => undefined);
  }
}

function formPage(
  ctx: UsesUrls,
  realm: Realm,
  authRequest: string | null,
  username: string,
  error: string | null,
  status: number,
): Response {
  const action = `${ctx.urls.realmPath(realm.name)}/login-actions/reset-credentials`;
  const body = html`
<h1>${TITLE}</h1>
<p>${INSTRUCTION}</p>
<form method="post" action="${action}" novalidate>
  ${authRequest ? html`<input type="hidden" name="auth_request" value="${authRequest}">` : null}
  ${formField({ name: 'username', label: 'Username or email', value: username, autocomplete: 'username', error: error ?? undefined, autofocus: true })}
  <button type="submit">Submit</button>
</form>`;
  return htmlResponse(page(TITLE, body), status);
}
