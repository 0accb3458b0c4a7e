// The pages of logout: confirmation, and "you are signed out" — which also carries the
// front-channel iframes (FCL §3) and continues to the post-logout redirect.
import type { OAuthError } from '../../errors.ts';
import type { Realm } from '../../realm/model.ts';
import { html, page } from '../../views/html.ts';
import type { FrontchannelTarget } from '../logout-service.ts';
import type { PendingLogout } from './pending-logout.ts';

export function renderConfirmPage(realm: Realm, action: string, requestId: string): string {
  const body = html`<h1>Sign out?</h1>
<p>You are signed in to ${realm.displayName ?? realm.name}. Signing out ends your session in every application that uses it.</p>
<form method="post" action="${action}">
  <input type="hidden" name="logout_request" value="${requestId}">
  <button type="submit" name="confirm" value="yes">Sign out</button>
</form>`;
  return page('Sign out', body);
}

/**
 * A refused logout while the browser's SSO session lives on: the developer's message as on every
 * error page, then, plainly, that the user is still signed in, with a button to end the session
 * in every application (the pending logout's CSRF-protected form).
 */
export function renderStillSignedInErrorPage(realm: Realm, err: OAuthError, pending: PendingLogout): string {
  const name = realm.displayName ?? realm.name;
  const body = html`<h1>We could not complete your request</h1><p role="alert">${err.description}</p>
<h2>You are still signed in</h2>
<p>Your single sign-on session at ${name} is still active, so you are still signed in to the applications that use it, even if this application has signed you out.</p>
<form method="post" action="${pending.action}">
  <input type="hidden" name="logout_request" value="${pending.requestId}">
  <button type="submit" name="confirm" value="yes">Sign out everywhere</button>
</form>
<p class="meta">Error: ${err.error}</p>`;
  return page('Error', body);
}

export interface LoggedOutPage {
  body: string;
  /** CSP additions: the iframes' origins and the script nonce. */
  frameOrigins: string[];
  nonce: string | null;
}

export function renderLoggedOutPage(realm: Realm, frontchannel: FrontchannelTarget[], continueTo: string | null, nonce: string): LoggedOutPage {
  const frames = frontchannel.map((f) => html`<iframe hidden title="Signing out of ${f.clientId}" src="${f.url}" width="0" height="0"></iframe>`);
  // FCL §3: render the iframes, then move on once they have loaded (or after a bound).
  const script =
    frontchannel.length > 0 && continueTo
      ? html`<script nonce="${nonce}">(()=>{const f=[...document.querySelectorAll('iframe')];let n=f.length;const go=()=>location.replace(document.getElementById('continue').href);f.forEach(i=>i.addEventListener('load',()=>{if(--n===0)go()}));setTimeout(go,3000)})()</script>`
      : null;
  const body = html`<h1>You are signed out</h1>
<p>${frontchannel.length > 0 ? 'Signing you out of the other applications…' : `Your ${realm.displayName ?? realm.name} session has ended.`}</p>
${frames}
${continueTo ? html`<p><a id="continue" href="${continueTo}">Continue</a></p>` : null}
${script}`;
  return {
    body: page('Signed out', body),
    frameOrigins: [...new Set(frontchannel.map((f) => new URL(f.url).origin))],
    nonce: script ? nonce : null,
  };
}
