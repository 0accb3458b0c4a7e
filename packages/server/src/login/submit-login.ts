// POST of the login form: check the browser binding (CSRF), the credentials (throttled), then
// start or refresh the SSO session and hand the request to its protocol's completion
// (login-completion.ts).
import { InvalidRequest, TooManyRequests } from '../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../http/cookies.ts';
import { readForm } from '../http/params.ts';
import { htmlResponse } from '../http/respond.ts';
import type { RouteHandler } from '../http/route.ts';
import type { Client, Realm, User } from '../realm/model.ts';
import { enterRequiredAction, evaluateRequiredActionTriggers } from './required-actions/enter-required-action.ts';
import { requiredActionPage } from './required-actions/required-action-page.ts';
import { authenticateUser, LoginFailed } from './authenticate-user.ts';
import { DEVICE_COOKIE, KNOWN_DEVICE_MAX_AGE_MS } from './known-device.ts';
import { type LoginCompletions, type PendingLogin, protocolOf } from './login-completion.ts';
import { renderLoginPage } from './login-page.ts';
import type { UsesPasswordVerifier, UsesSigningKeys } from '../crypto/capabilities.ts';
import type { UsesMailer } from '../mail/capabilities.ts';
import type { UsesEvents } from '../events/capabilities.ts';
import type { UsesLog } from '../log.ts';
import type { UsesLoginThrottle, UsesMailThrottle, UsesOtpCredentials } from './capabilities.ts';
import { otpPageResponse } from './otp/submit-otp.ts';
import { pendingRequiredActions } from '../realm/required-actions.ts';
import type { UsesSessionEnder } from '../sessions/session-ender.ts';
import type { UsesPendingRequests } from '../pending/capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesPasswordHistory, UsesRealms, UsesRealmWriter } from '../realm/capabilities.ts';
import type { UsesSsoSessions } from '../sessions/capabilities.ts';

/** What submitting the login form uses. */
export type SubmitLoginDeps = UsesEvents &
  UsesLog &
  UsesSessionEnder &
  UsesPendingRequests &
  UsesRealms &
  UsesRealmWriter &
  UsesPasswordHistory &
  UsesSsoSessions &
  UsesLoginThrottle &
  UsesUrls &
  UsesPasswordVerifier &
  UsesOtpCredentials &
  UsesMailer &
  UsesMailThrottle &
  UsesSigningKeys;

export const LOGIN_EXPIRED =
  'This sign-in page has expired or was opened in another browser. Return to the application and sign in again.';

const MESSAGES: Record<LoginFailed['reason'], string> = {
  invalid_user_credentials: 'Invalid username or password.',
  user_disabled: 'This account is disabled. Contact your administrator.',
};

/** The login form's POST handler, finishing each request through its protocol's completion. */
export function submitLogin<D extends SubmitLoginDeps>(completions: LoginCompletions<D>): RouteHandler<D> {
  return (ctx, realm, req, ip, _facts, addresses) => signIn(ctx, completions, realm, req, ip, addresses);
}

/** `ip`: the client's address for events and the session; `addresses`: every one the throttle counts (http/client-address.ts). */
async function signIn<D extends SubmitLoginDeps>(
  ctx: D,
  completions: LoginCompletions<D>,
  realm: Realm,
  req: Request,
  ip: string | null,
  addresses: readonly string[],
): Promise<Response> {
  const form = await readForm(req);
  const id = form.require('auth_request');
  const binding = readCookie(req, LOGIN_BINDING_COOKIE);
  // The same form serves OIDC authorization requests and SAML AuthnRequests.
  const request = await ctx.pending.findLogin<PendingLogin>(realm.id, id, binding);
  if (!request) throw new InvalidRequest(LOGIN_EXPIRED);
  const client = await ctx.realms.clientByClientId(realm.id, request.clientId);
  if (!client?.enabled || client.protocol !== protocolOf(request)) throw new InvalidRequest('Client not found');

  const username = form.get('username') ?? '';
  const password = form.get('password') ?? '';
  const again = (error: string, status: number, headers: Record<string, string> = {}) =>
    htmlResponse(
      renderLoginPage({
        realm,
        action: `${ctx.urls.realmPath(realm.name)}/login-actions/authenticate`,
        authRequestId: id,
        username,
        error,
      }),
      status,
      headers,
    );
  if (!username || !password) return again('Enter your username and password.', 400);

  let user: User;
  try {
    user = await authenticateUser(ctx, realm, {
      username,
      password,
      ipAddress: ip,
      throttleAddresses: addresses,
      clientId: client.clientId,
      deviceCookie: readCookie(req, DEVICE_COOKIE),
    });
  } catch (err) {
    if (err instanceof LoginFailed) return again(MESSAGES[err.reason], 401);
    if (err instanceof TooManyRequests)
      return again(err.description, 429, { 'Retry-After': String(err.retryAfterSeconds) });
    throw err;
  }

  return afterPassword(ctx, completions, { realm, req, ip, id, request, client, user, typedName: username });
}

/**
 * The password was right. The sign-in goes on in Keycloak's order: the one-time code when the
 * user has a code credential (the browser flow's OTP form; not authenticated until then), then
 * afterAuthentication. Also where a link from a mail continues a sign-in that had not got that far.
 */
export async function afterPassword<D extends SubmitLoginDeps>(
  ctx: D,
  completions: LoginCompletions<D>,
  facts: SignInFacts,
): Promise<Response> {
  if ((await ctx.otpCredentials.ofUser(facts.user.id)).length > 0) {
    await ctx.pending.setOtpUser(facts.id, facts.user.id);
    return otpPageResponse(ctx, facts.realm, facts.id, null);
  }
  return afterAuthentication(ctx, completions, facts);
}

/**
 * The user is authenticated (password, and code when they have one). Keycloak's
 * nextRequiredAction: the realm's triggers may give actions (verifyEmail → VERIFY_EMAIL), then
 * the pending ones run in the realm's priority order (realm/required-actions.ts), each page
 * reached through enterRequiredAction; none left, the SSO session (finishSignIn). Called again
 * after each action is done.
 */
export async function afterAuthentication<D extends SubmitLoginDeps>(
  ctx: D,
  completions: LoginCompletions<D>,
  facts: SignInFacts,
): Promise<Response> {
  const user = await evaluateRequiredActionTriggers(ctx, facts.realm, facts.user);
  if (pendingRequiredActions(facts.realm, user).length > 0) {
    await ctx.pending.setLoginUser(facts.id, user.id);
    await enterRequiredAction(ctx, facts.realm, facts.id, user);
    return requiredActionPage(ctx, facts.realm, facts.id, user, null);
  }
  return finishSignIn(ctx, completions, { ...facts, user });
}

export interface SignInFacts {
  realm: Realm;
  req: Request;
  ip: string | null;
  /** The pending sign-in's id. */
  id: string;
  request: PendingLogin;
  client: Client;
  user: User;
  /** The name typed into the form (username or email): the known-device cookie names it. */
  typedName?: string;
}

/**
 * The user is who they said and has nothing left to do: the known-device cookie, the SSO
 * session (started, or refreshed for the same user), then the protocol's completion.
 */
export async function finishSignIn<D extends SubmitLoginDeps>(
  ctx: D,
  completions: LoginCompletions<D>,
  { realm, req, ip, id, request, client, user, typedName }: SignInFacts,
): Promise<Response> {
  const now = Date.now();
  const headers = new Headers();
  headers.append(
    'Set-Cookie',
    setCookie(DEVICE_COOKIE, await ctx.throttle.devices.issue(realm.id, typedName ?? user.username, now), {
      path: `${ctx.urls.realmPath(realm.name)}/`,
      maxAgeSeconds: KNOWN_DEVICE_MAX_AGE_MS / 1000,
      secure: ctx.urls.secure,
    }),
  );
  let session = await ctx.sessions.findByCookie(realm, readCookie(req, SESSION_COOKIE), now);
  if (session && session.userId === user.id) {
    await ctx.sessions.reauthenticated(session.id, now);
    session = { ...session, authTime: now, lastSeenAt: now };
  } else {
    // A different user signing in in the same browser ends the previous user's session first.
    if (session)
      await ctx.logout.endSessions(realm, [session.id], 'user_switch', { ipAddress: ip, clientId: client.clientId });
    const created = await ctx.sessions.create(realm, user.id, ip, now, req.headers.get('user-agent'));
    session = created.session;
    headers.append(
      'Set-Cookie',
      setCookie(SESSION_COOKIE, created.cookie, {
        path: `${ctx.urls.realmPath(realm.name)}/`,
        maxAgeSeconds: realm.ssoSessionMaxLifespan,
        secure: ctx.urls.secure,
      }),
    );
  }
  await ctx.pending.deleteLogin(id);
  return completions[protocolOf(request)](ctx, { realm, client, session, request, ipAddress: ip, now, headers });
}
