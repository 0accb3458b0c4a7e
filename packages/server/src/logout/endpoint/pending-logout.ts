// A logout that waits for the user's click: stored server-side, bound to this browser by the
// login-binding cookie, so only a form posted from this browser can carry it out (CSRF; RPI §2
// "ask the End-User whether to log out", standards §2). The confirmation page and the error
// page's "sign out everywhere" button both post one to `login-actions/logout-confirm`.
import { randomToken } from '../../crypto/random.ts';
import { LOGIN_BINDING_COOKIE, readCookie, setCookie } from '../../http/cookies.ts';
import type { Realm } from '../../realm/model.ts';
import type { LogoutRequest } from './logout-request.ts';
import type { UsesPendingRequests } from '../../pending/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';

const CONFIRM_LIFETIME_MS = 10 * 60_000;

export interface PendingLogout {
  /** The form's target. */
  action: string;
  /** The hidden `logout_request` field. */
  requestId: string;
  /** Sets the browser binding the form is checked against. */
  setCookie: string;
}

export async function storePendingLogout(
  ctx: UsesPendingRequests & UsesUrls,
  realm: Realm,
  req: Request,
  request: LogoutRequest,
): Promise<PendingLogout> {
  const now = Date.now();
  const binding = readCookie(req, LOGIN_BINDING_COOKIE) ?? randomToken();
  const id = await ctx.pending.saveLogout(realm.id, request, binding, CONFIRM_LIFETIME_MS, now);
  const realmPath = ctx.urls.realmPath(realm.name);
  return {
    action: `${realmPath}/login-actions/logout-confirm`,
    requestId: id,
    setCookie: setCookie(LOGIN_BINDING_COOKIE, binding, {
      path: `${realmPath}/`,
      maxAgeSeconds: 1800,
      secure: ctx.urls.secure,
    }),
  };
}
