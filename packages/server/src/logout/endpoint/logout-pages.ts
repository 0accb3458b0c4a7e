// The pages of logout before it happens: the confirmation, and the refusal that leaves the user
// signed in. The signed-out page is signed-out-page.ts.
import type { OAuthError } from '../../errors.ts';
import type { Realm } from '../../realm/model.ts';
import { html, page } from '../../views/html.ts';
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
