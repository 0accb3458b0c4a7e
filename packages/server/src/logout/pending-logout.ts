// A logout that waits for the user's click: stored server-side, bound to this browser by the
// login-binding cookie, so only a form posted from this browser can carry it out (CSRF; RPI §2
// "ask the End-User whether to log out", standards §2). The confirmation page and the error
// page's "sign out everywhere" button both post one to `login-actions/logout-confirm`.
import type { ProviderContext } from '../context.ts';
import { newId, randomToken, sha256 } from '../crypto/random.ts';
import { LOGIN_BINDING_COOKIE, readCookie, setCookie } from '../http/cookies.ts';
import type { Realm } from '../realm/model.ts';
import type { LogoutRequest } from './logout-request.ts';

const CONFIRM_LIFETIME_MS = 10 * 60_000;

export interface PendingLogout {
  /** The form's target. */
  action: string;
  /** The hidden `logout_request` field. */
  requestId: string;
  /** Sets the browser binding the form is checked against. */
  setCookie: string;
}

export async function storePendingLogout(ctx: ProviderContext, realm: Realm, req: Request, request: LogoutRequest): Promise<PendingLogout> {
  const now = Date.now();
  const binding = readCookie(req, LOGIN_BINDING_COOKIE) ?? randomToken();
  const id = newId();
  await ctx.db.deleteFrom('logout_request').where('expires_at', '<', now).execute();
  await ctx.db
    .insertInto('logout_request')
    .values({ id, realm_id: realm.id, params: JSON.stringify(request), csrf_hash: sha256(`${binding}:${id}`), expires_at: now + CONFIRM_LIFETIME_MS })
    .execute();
  const realmPath = ctx.urls.realmPath(realm.name);
  return {
    action: `${realmPath}/login-actions/logout-confirm`,
    requestId: id,
    setCookie: setCookie(LOGIN_BINDING_COOKIE, binding, { path: `${realmPath}/`, maxAgeSeconds: 1800, secure: ctx.urls.secure }),
  };
}
