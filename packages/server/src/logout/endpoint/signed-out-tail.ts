// The browser's end of every logout, OIDC (finish-logout.ts) and SAML (saml/saml-logout-handler.ts)
// alike: the signed-out page with each application's live state, or — when there is nothing left
// to show and the realm does not ask for the page always — straight on to the post-logout
// redirect, as before (RPI §3). The browser gets the key to watch its logout settle.
import { randomToken } from '../../crypto/random.ts';
import { htmlResponse } from '../../http/respond.ts';
import { logoutPageMode } from '../../realm/attributes.ts';
import type { Realm } from '../../realm/model.ts';
import type { FrontchannelTarget } from '../logout-service.ts';
import { browserKeyCookie } from '../status/browser-key.ts';
import type { LogoutStatus } from '../status/app-states.ts';
import { type LogoutStatusDeps, readLogoutStatus } from '../status/logout-status.ts';
import { statusUrls } from '../status/status-urls.ts';
import {
  type ContinueTo,
  type LivePart,
  loggedOutPageHeaders,
  renderLoggedOutPage,
  type SamlFrame,
} from './signed-out-page.ts';
import type { UsesUrls } from '../../provider-urls.ts';

export type SignedOutDeps = LogoutStatusDeps & UsesUrls;

export interface SignedOut {
  realm: Realm;
  /** The logout that ended the sessions; null when none ended (already signed out). */
  logoutId: string | null;
  /** The key the logout keeps the hash of (status/browser-key.ts). */
  browserKey: string | null;
  frontchannel: FrontchannelTarget[];
  samlFrames: SamlFrame[];
  continueTo: ContinueTo;
  /** Headers of the answer (cleared cookies, Cache-Control). */
  headers: Headers;
}

/** Whether the page is shown before the redirect: always, or while an application is not confirmed signed out. */
function showsPage(realm: Realm, status: LogoutStatus | null): boolean {
  if (!status || status.apps.length === 0) return false;
  if (logoutPageMode(realm) === 'always') return true;
  return status.apps.some((a) => a.state !== 'signed_out');
}

export async function signedOutResponse(ctx: SignedOutDeps, out: SignedOut): Promise<Response> {
  const status = out.logoutId ? await readLogoutStatus(ctx, out.logoutId) : null;
  const headers = out.headers;
  if (out.logoutId && out.browserKey)
    headers.append('Set-Cookie', browserKeyCookie(ctx, out.realm.name, out.browserKey));
  const frames = out.frontchannel.length + out.samlFrames.length;
  if (frames === 0 && typeof out.continueTo === 'string' && !showsPage(out.realm, status)) {
    headers.set('Location', out.continueTo);
    headers.set('Cache-Control', 'no-store');
    return new Response(null, { status: 302, headers });
  }
  const live: LivePart | null =
    status && out.logoutId && out.browserKey ? { status, ...statusUrls(ctx, out.realm.name, out.logoutId) } : null;
  const page = renderLoggedOutPage(out.realm, out.frontchannel, out.continueTo, randomToken(16), out.samlFrames, live);
  const res = htmlResponse(page.body, 200, loggedOutPageHeaders(page, out.samlFrames.length > 0));
  headers.forEach((v, k) => {
    if (k.toLowerCase() === 'set-cookie') return;
    res.headers.set(k, v);
  });
  for (const cookie of headers.getSetCookie()) res.headers.append('Set-Cookie', cookie);
  return res;
}
