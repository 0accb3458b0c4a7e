// POST of the logout confirmation form: check the browser binding (CSRF), then log out.
import { InvalidRequest } from '../../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie, SESSION_COOKIE } from '../../http/cookies.ts';
import { readForm } from '../../http/params.ts';
import type { Realm } from '../../realm/model.ts';
import type { LogoutRequest } from './logout-request.ts';
import { finishLogout } from './finish-logout.ts';
import type {
  UsesDeliveryStore,
  UsesDeliveryWorker,
  UsesLogout,
  UsesLogoutWait,
  UsesSentLogoutRequests,
} from '../capabilities.ts';
import type { UsesPendingRequests } from '../../pending/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type { UsesSamlKeys } from '../../saml/capabilities.ts';
import type { UsesSsoSessions } from '../../sessions/capabilities.ts';

/** What confirming a pending logout uses. */
export type ConfirmLogoutDeps = UsesDeliveryStore &
  UsesDeliveryWorker &
  UsesLogout &
  UsesLogoutWait &
  UsesPendingRequests &
  UsesRealms &
  UsesSamlKeys &
  UsesSentLogoutRequests &
  UsesSsoSessions &
  UsesUrls;

export async function confirmLogout(
  ctx: ConfirmLogoutDeps,
  realm: Realm,
  req: Request,
  ip: string | null,
): Promise<Response> {
  const form = await readForm(req);
  const id = form.require('logout_request');
  const binding = readCookie(req, LOGIN_BINDING_COOKIE);
  const request = await ctx.pending.takeLogout<LogoutRequest>(realm.id, id, binding);
  if (!request) {
    throw new InvalidRequest(
      'This sign-out page has expired or was opened in another browser. Return to the application and sign out again.',
    );
  }
  const session = await ctx.sessions.findByCookie(realm, readCookie(req, SESSION_COOKIE));
  // The user confirmed in this browser: its session ends too, whoever the hint named.
  return await finishLogout(ctx, realm, request, session, ip, { browserConfirmed: true });
}
