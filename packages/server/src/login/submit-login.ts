// POST of the login form: check the browser binding (CSRF), the credentials (throttled), then
// start or refresh the SSO session and finish the authorization request.
import type { ProviderContext } from '../context.ts';
import { InvalidRequest, TooManyRequests } from '../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../http/cookies.ts';
import { readForm } from '../http/params.ts';
import { htmlResponse } from '../http/respond.ts';
import { completeAuthorization } from '../oidc/authorize/complete.ts';
import type { AuthorizationRequest } from '../oidc/authorize/request.ts';
import type { Realm } from '../realm/model.ts';
import { completeSamlLogin } from '../saml/login/complete-saml-login.ts';
import { isSamlPendingLogin, type SamlPendingLogin } from '../saml/login/saml-pending-login.ts';
import { authenticateUser, LoginFailed } from './authenticate-user.ts';
import { DEVICE_COOKIE, KNOWN_DEVICE_MAX_AGE_MS } from './known-device.ts';
import { renderLoginPage } from './login-page.ts';

/** What submitting the login form uses. */
export type SubmitLoginDeps = Pick<
  ProviderContext,
  'clientSessions' | 'codes' | 'events' | 'log' | 'logout' | 'pending' | 'realms' | 'samlKeys' | 'sessions' | 'throttle' | 'urls' | 'verifyPassword'
>;

const EXPIRED = 'This sign-in page has expired or was opened in another browser. Return to the application and sign in again.';

const MESSAGES: Record<LoginFailed['reason'], string> = {
  invalid_user_credentials: 'Invalid username or password.',
  user_disabled: 'This account is disabled. Contact your administrator.',
};

/** `ip`: the client's address for events and the session; `addresses`: every one the throttle counts (http/client-address.ts). */
export async function submitLogin(ctx: SubmitLoginDeps, realm: Realm, req: Request, ip: string | null, addresses: readonly string[]): Promise<Response> {
  const form = await readForm(req);
  const id = form.require('auth_request');
  const binding = readCookie(req, LOGIN_BINDING_COOKIE);
  // The same form serves OIDC authorization requests and SAML AuthnRequests.
  const request = await ctx.pending.findLogin<AuthorizationRequest | SamlPendingLogin>(realm.id, id, binding);
  if (!request) throw new InvalidRequest(EXPIRED);
  const client = await ctx.realms.clientByClientId(realm.id, request.clientId);
  if (!client?.enabled || client.protocol !== (isSamlPendingLogin(request) ? 'saml' : 'openid-connect')) throw new InvalidRequest('Client not found');

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

  let user: Awaited<ReturnType<typeof authenticateUser>>;
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
    if (err instanceof TooManyRequests) return again(err.description, 429, { 'Retry-After': String(err.retryAfterSeconds) });
    throw err;
  }

  const now = Date.now();
  const headers = new Headers();
  headers.append(
    'Set-Cookie',
    setCookie(DEVICE_COOKIE, await ctx.throttle.devices.issue(realm.id, username, now), {
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
    if (session) await ctx.logout.endSessions(realm, [session.id], 'user_switch', { ipAddress: ip, clientId: client.clientId });
    const created = await ctx.sessions.create(realm, user.id, ip, now);
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
  // SAML: a POST form to the ACS (a 200 page), with the cookies.
  if (isSamlPendingLogin(request)) return completeSamlLogin(ctx, realm, client, session, request, ip, now, headers);
  const response = await completeAuthorization(ctx, realm, client, session, request, ip, now);
  // A form_post page is answered as it is, with the session cookie added.
  if (response.status !== 302) {
    for (const cookie of headers.getSetCookie()) response.headers.append('Set-Cookie', cookie);
    return response;
  }
  for (const [key, value] of response.headers) {
    if (key.toLowerCase() === 'set-cookie') headers.append(key, value);
    else headers.set(key, value);
  }
  // 303: the browser follows a POST's redirect with GET.
  return new Response(null, { status: 303, headers });
}
