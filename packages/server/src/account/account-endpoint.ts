// GET and POST /realms/{realm}/account/: the signed-in user's own page (account-page.ts).
// POST action=this ends this browser's session (the signed-out page follows, as for any logout);
// action=others ends every other session of the user (their clients are told as for any logout),
// then shows the page again with that logout's outcome. Both are logouts with trigger `account`.
import { endSessionsAndWait } from '../logout/end-and-wait.ts';
import { InvalidRequest } from '../errors.ts';
import { clearCookie, readCookie, SESSION_COOKIE } from '../http/cookies.ts';
import { readForm } from '../http/params.ts';
import { htmlResponse } from '../http/respond.ts';
import type { Realm } from '../realm/model.ts';
import { clearSessionStatusCookie } from '../sessions/session-status-cookie.ts';
import { type SignedOutDeps, signedOutResponse } from '../logout/endpoint/signed-out-tail.ts';
import { samlFrontchannelFrames } from '../logout/channels/saml-frontchannel/frames.ts';
import { newBrowserKey } from '../logout/status/browser-key.ts';
import { accountCsrf, checksAccountCsrf } from './account-csrf.ts';
import { renderAccountPage, renderSignedOutAccountPage } from './account-page.ts';
import { type AccountViewDeps, readAccount } from './account-view.ts';
import type { UsesDeliveryWorker, UsesLogout, UsesLogoutWait } from '../logout/capabilities.ts';
import type { UsesSamlKeys } from '../saml/capabilities.ts';

export type AccountDeps = AccountViewDeps &
  SignedOutDeps &
  UsesDeliveryWorker &
  UsesLogout &
  UsesLogoutWait &
  UsesSamlKeys;

export async function accountPageEndpoint(
  ctx: AccountDeps,
  realm: Realm,
  req: Request,
  ip: string | null,
): Promise<Response> {
  const cookie = readCookie(req, SESSION_COOKIE);
  const session = await ctx.sessions.findByCookie(realm, cookie);
  const user = session ? await ctx.realms.userById(session.userId) : undefined;
  if (!session || !user || !cookie) return htmlResponse(renderSignedOutAccountPage(realm));
  const action = `${ctx.urls.realmPath(realm.name)}/account/`;
  if (req.method === 'GET') {
    const view = await readAccount(ctx, realm, user, session.id);
    return htmlResponse(renderAccountPage(view, action, accountCsrf(cookie)));
  }
  const form = await readForm(req);
  if (!checksAccountCsrf(cookie, form.get('csrf')))
    throw new InvalidRequest('This page has expired. Open your account page again.');
  const which = form.get('action');
  if (which === 'others') {
    const others = (await ctx.sessions.liveOfUser(realm, user.id)).map((s) => s.id).filter((id) => id !== session.id);
    // No browser of theirs is here: their front-channel apps are told by back channels or shown as not told.
    await endSessionsAndWait(ctx, realm, others, 'account', { ipAddress: ip, startedBy: 'user' });
    return new Response(null, { status: 303, headers: { Location: action, 'Cache-Control': 'no-store' } });
  }
  if (which !== 'this') throw new InvalidRequest('Unknown action');
  const browserKey = newBrowserKey();
  const result = await endSessionsAndWait(
    ctx,
    realm,
    [session.id],
    'account',
    { ipAddress: ip, startedBy: 'user', browserKey },
    ctx.urls.issuer(realm.name),
  );
  const headers = new Headers({ 'Cache-Control': 'no-store' });
  headers.append(
    'Set-Cookie',
    clearCookie(SESSION_COOKIE, { path: `${ctx.urls.realmPath(realm.name)}/`, secure: ctx.urls.secure }),
  );
  headers.append('Set-Cookie', clearSessionStatusCookie(ctx.urls, realm.name));
  return signedOutResponse(ctx, {
    realm,
    logoutId: result.logoutId,
    browserKey,
    frontchannel: result.frontchannel,
    samlFrames: await samlFrontchannelFrames(ctx, realm, result.samlFrontchannel, result.logoutId),
    continueTo: null,
    headers,
  });
}
