// POST of the one-time-code page: the pending sign-in must belong to this browser (binding
// cookie) and carry the user who gave the right password; a right code (throttled, used once)
// makes the sign-in authenticated, and it goes on as after a password alone — required actions,
// then the SSO session (submit-login.ts afterAuthentication).
import { InvalidRequest, TooManyRequests } from '../../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie } from '../../http/cookies.ts';
import { readForm } from '../../http/params.ts';
import { htmlResponse } from '../../http/respond.ts';
import type { RouteHandler } from '../../http/route.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { Realm } from '../../realm/model.ts';
import { type LoginCompletions, type PendingLogin, protocolOf } from '../login-completion.ts';
import { afterAuthentication, LOGIN_EXPIRED, type SubmitLoginDeps } from '../submit-login.ts';
import { checkOneTimeCode } from './check-one-time-code.ts';
import { OTP_MESSAGES, renderOtpPage } from './otp-page.ts';

export function otpPath(ctx: UsesUrls, realm: Realm): string {
  return `${ctx.urls.realmPath(realm.name)}/login-actions/otp`;
}

export function otpPageResponse(
  ctx: UsesUrls,
  realm: Realm,
  authRequestId: string,
  error: string | null,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return htmlResponse(renderOtpPage({ realm, action: otpPath(ctx, realm), authRequestId, error }), status, headers);
}

export function submitOtp<D extends SubmitLoginDeps>(completions: LoginCompletions<D>): RouteHandler<D> {
  return (ctx, realm, req, ip, _facts, addresses) => oneTimeCode(ctx, completions, realm, req, ip, addresses);
}

async function oneTimeCode<D extends SubmitLoginDeps>(
  ctx: D,
  completions: LoginCompletions<D>,
  realm: Realm,
  req: Request,
  ip: string | null,
  addresses: readonly string[],
): Promise<Response> {
  const form = await readForm(req);
  const id = form.require('auth_request');
  const pending = await ctx.pending.findOtpLogin<PendingLogin>(realm.id, id, readCookie(req, LOGIN_BINDING_COOKIE));
  if (!pending) throw new InvalidRequest(LOGIN_EXPIRED);
  const { request } = pending;
  const client = await ctx.realms.clientByClientId(realm.id, request.clientId);
  if (!client?.enabled || client.protocol !== protocolOf(request)) throw new InvalidRequest('Client not found');
  const user = await ctx.realms.userById(pending.userId);
  if (!user?.enabled) throw new InvalidRequest(LOGIN_EXPIRED);

  const credentials = await ctx.otpCredentials.ofUser(user.id);
  let ok: boolean;
  try {
    ok = await checkOneTimeCode(ctx, realm, user, credentials, {
      code: form.get('otp') ?? '',
      ipAddress: ip,
      throttleAddresses: addresses,
      clientId: client.clientId,
    });
  } catch (err) {
    if (err instanceof TooManyRequests)
      return otpPageResponse(ctx, realm, id, err.description, 429, { 'Retry-After': String(err.retryAfterSeconds) });
    throw err;
  }
  if (!ok) return otpPageResponse(ctx, realm, id, OTP_MESSAGES.invalid, 401);
  return afterAuthentication(ctx, completions, { realm, req, ip, id, request, client, user });
}
