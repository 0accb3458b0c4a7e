// The end of every browser logout: end the session(s), wait a bounded time for the first
// back-channel attempts (standards §4), then the front-channel page, the post-logout
// redirect, or the signed-out page. (A refused logout's page and LOGOUT_ERROR event are the
// route's error policy, http/route.ts — except the still-signed-in page below.)
import { endSessionsAndWait } from '../end-and-wait.ts';
import { asOAuthError } from '../../errors.ts';
import { clearCookie, SESSION_COOKIE } from '../../http/cookies.ts';
import { htmlError, htmlResponse } from '../../http/respond.ts';
import type { Realm } from '../../realm/model.ts';
import { clearSessionStatusCookie } from '../../sessions/session-status-cookie.ts';
import type { SsoSession } from '../../sessions/sso-session.ts';
import { samlFrontchannelFrames } from '../channels/saml-frontchannel/frames.ts';
import type { LogoutRequest } from './logout-request.ts';
import { renderStillSignedInErrorPage } from './logout-pages.ts';
import { type SignedOutDeps, signedOutResponse } from './signed-out-tail.ts';
import { newBrowserKey } from '../status/browser-key.ts';
import type { PendingLogout } from './pending-logout.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLog } from '../../log.ts';
import type { UsesDeliveryWorker, UsesLogout, UsesLogoutWait, UsesSentLogoutRequests } from '../capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type { UsesSamlKeys } from '../../saml/capabilities.ts';
import type { UsesSsoSessions } from '../../sessions/capabilities.ts';
import type { UsesUpstreamLogout } from '../upstream-logout.ts';

/** What finishing a logout uses. */
export type FinishLogoutDeps = SignedOutDeps &
  UsesDeliveryWorker &
  UsesLogout &
  UsesLogoutWait &
  UsesRealms &
  UsesSamlKeys &
  UsesSentLogoutRequests &
  UsesSsoSessions &
  UsesUrls &
  Partial<UsesUpstreamLogout>;

export interface FinishOptions {
  /** The user confirmed on the CSRF-protected page: end the browser's session whatever the hint. */
  browserConfirmed?: boolean;
}

export async function finishLogout(
  ctx: FinishLogoutDeps,
  realm: Realm,
  request: LogoutRequest,
  cookieSession: SsoSession | undefined,
  ip: string | null,
  options: FinishOptions = {},
): Promise<Response> {
  const toEnd = new Set<string>();
  // The browser's session, unless the hint names another user and the user did not confirm.
  const endBrowserSession =
    cookieSession !== undefined &&
    (options.browserConfirmed === true || request.hintSub === null || cookieSession.userId === request.hintSub);
  if (cookieSession && endBrowserSession) toEnd.add(cookieSession.id);
  // The hint's session, even from another browser (the RP's back-end may call logout).
  if (request.hintSid) {
    const hinted = await ctx.sessions.findLive(realm, request.hintSid);
    if (hinted && hinted.userId === request.hintSub) toEnd.add(hinted.id);
  }
  // Where the page continues, decided before the logout so the logout keeps it (a reload of the
  // page without scripts still offers it). A target named without a hint only after the user's
  // click (Keycloak does the same).
  let continueTo: string | null = null;
  const redirectUri = request.redirectUri ?? (options.browserConfirmed ? (request.confirmedRedirectUri ?? null) : null);
  if (redirectUri) {
    const target = new URL(redirectUri);
    // RPI §3: state is passed back unchanged, and nothing else is added.
    if (request.state !== null) target.searchParams.append('state', request.state);
    continueTo = target.toString();
  }
  // A brokered browser session: after every app here was told, the browser goes on to the
  // upstream's end-session endpoint, which sends it back to continueTo (logout/upstream-logout.ts).
  let upstreamUrl: string | null = null;
  if (cookieSession && endBrowserSession && ctx.upstreamLogout)
    upstreamUrl = await ctx.upstreamLogout.browserLogout(realm, cookieSession.id, continueTo);
  if (upstreamUrl) continueTo = upstreamUrl;
  const issuer = ctx.urls.issuer(realm.name);
  const browserKey = newBrowserKey();
  // Every RP is notified, including the one that asked, before the redirect — within a bound.
  const result = await endSessionsAndWait(
    ctx,
    realm,
    [...toEnd],
    'rp_initiated',
    {
      ipAddress: ip,
      clientId: request.clientId,
      startedBy: 'user',
      browserKey,
      continueTo: continueTo === null ? null : JSON.stringify(continueTo),
      upstreamByBrowser: upstreamUrl !== null,
    },
    issuer,
  );

  const headers = new Headers();
  // Never clear the cookie of a session that stays alive: the user would look signed out
  // while no RP was told (the logout CSRF the hint check above prevents).
  if (cookieSession === undefined || endBrowserSession) {
    headers.append(
      'Set-Cookie',
      clearCookie(SESSION_COOKIE, { path: `${ctx.urls.realmPath(realm.name)}/`, secure: ctx.urls.secure }),
    );
    // SM §3.1: with the session, the session-status cookie goes, so every login-status iframe
    // in this browser reports "changed".
    headers.append('Set-Cookie', clearSessionStatusCookie(ctx.urls, realm.name));
  }
  // SAML front-channel participants: one signed LogoutRequest each, in its iframe (saml.md §4).
  const samlFrames = await samlFrontchannelFrames(ctx, realm, result.samlFrontchannel, result.logoutId);
  return signedOutResponse(ctx, {
    realm,
    logoutId: result.logoutId,
    browserKey,
    frontchannel: result.frontchannel,
    samlFrames,
    continueTo,
    headers,
  });
}

/**
 * The logout error page with its LOGOUT_ERROR event. With `stillSignedIn`, the page also tells
 * the user their SSO session is alive and offers that pending logout as a button.
 */
export async function logoutErrorPage(
  ctx: UsesEvents & UsesLog,
  realm: Realm,
  thrown: unknown,
  ip: string | null,
  stillSignedIn?: PendingLogout,
): Promise<Response> {
  const err = asOAuthError(thrown);
  if (err.status < 500) {
    await ctx.events.record({
      realmId: realm.id,
      type: 'LOGOUT_ERROR',
      ipAddress: ip,
      error: err.error,
      details: { description: err.description },
    });
  }
  if (!stillSignedIn || err.status >= 500) return htmlError(ctx.log, err);
  ctx.log.info({ error: err.error, description: err.description, detail: err.detail }, 'request rejected');
  return htmlResponse(renderStillSignedInErrorPage(realm, err, stillSignedIn), err.status, {
    'Set-Cookie': stillSignedIn.setCookie,
  });
}
