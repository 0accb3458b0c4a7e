// The pages of logout: confirmation, and "you are signed out" — which also carries the
// front-channel iframes (FCL §3) and continues to the post-logout redirect.
import type { OAuthError } from '../../errors.ts';
import type { Realm } from '../../realm/model.ts';
import { Html, html, page } from '../../views/html.ts';
import type { FrontchannelMessage } from '../saml/frontchannel-message.ts';
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
  /** CSP additions: the iframes' origins, the SAML POST forms' origins, and the script nonce. */
  frameOrigins: string[];
  formOrigins: string[];
  nonce: string | null;
}

/** A front-channel SAML LogoutRequest, in its iframe (logout/saml/frontchannel-message.ts). */
export interface SamlFrame {
  clientId: string;
  message: FrontchannelMessage;
}

/** Where the page continues: a URL, or a POST form (a SAML LogoutResponse to the requester). */
export type ContinueTo = string | { action: string; fields: Record<string, string> } | null;

/**
 * What the page a SAML SP's LogoutResponse gets inside its iframe (saml/endpoint/frontchannel-answer-page.ts)
 * posts to the signed-out page, from our own origin: the answer is back, checked and recorded.
 */
export const SAML_ANSWER_ARRIVED = 'sundown:saml-logout-answer';

/** How long the signed-out page waits for its iframes before it continues anyway. */
export const FRONTCHANNEL_WAIT_MS = 5000;

/**
 * "You are signed out", with the front-channel iframes: OIDC (FCL §3) and SAML (one signed
 * LogoutRequest per SAML participant, Redirect as the iframe's URL, POST as a form submitted into
 * its iframe). Every iframe is independent, so one SP with a broken SLO URL cannot stop the others
 * (Keycloak's redirect chain does, keycloak#22086); the page moves on once all are done, or after
 * a bound. An OIDC iframe is done when it has loaded (FCL §3 asks no answer). A SAML iframe is
 * done only when the SP's LogoutResponse is back on our origin, which the answer page announces:
 * the SP's own page loading proves nothing, and one that answers by an auto-submitted POST form
 * (pysaml2) would have that POST aborted by our navigation, its refusal never recorded.
 */
export function renderLoggedOutPage(
  realm: Realm,
  frontchannel: FrontchannelTarget[],
  continueTo: ContinueTo,
  nonce: string,
  saml: SamlFrame[] = [],
): LoggedOutPage {
  const frames = frontchannel.map(
    (f) => html`<iframe hidden title="Signing out of ${f.clientId}" src="${f.url}" width="0" height="0"></iframe>`,
  );
  const samlFrames = saml.map((f, i) =>
    f.message.binding === 'redirect'
      ? html`<iframe hidden title="Signing out of ${f.clientId}" src="${f.message.url}" width="0" height="0" data-saml="${f.clientId}"></iframe>`
      : // Without scripts, the form shows its button: the user sends each LogoutRequest, then continues.
        html`<iframe hidden title="Signing out of ${f.clientId}" name="saml-slo-${i}" width="0" height="0" data-saml="${f.clientId}"></iframe><form method="post" action="${f.message.action}" target="saml-slo-${i}" data-saml-post><input type="hidden" name="SAMLRequest" value="${f.message.samlRequest}"><noscript><button type="submit" class="secondary">Sign out of ${f.clientId}</button></noscript></form>`,
  );
  const postForms = saml.some((f) => f.message.binding === 'post');
  const count = frontchannel.length + saml.length;
  const continueHtml =
    continueTo === null
      ? null
      : typeof continueTo === 'string'
        ? html`<p><a id="continue" href="${continueTo}">Continue</a></p>`
        : html`<form id="continue" method="post" action="${continueTo.action}">${Object.entries(continueTo.fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit">Continue</button></form>`;
  // Listen for the SAML answers, submit the SAML POST forms, then continue when every iframe is
  // done (see above) or after the bound. A message counts only from our own origin and from one of
  // the SAML iframes, once.
  const script =
    count > 0
      ? html`<script nonce="${nonce}">(()=>{const c=document.getElementById('continue');const oidc=[...document.querySelectorAll('iframe:not([data-saml])')];const saml=[...document.querySelectorAll('iframe[data-saml]')];let n=oidc.length+saml.length,done=false;const go=()=>{if(done||!c)return;done=true;document.body.dataset.logoutDone='1';c.tagName==='FORM'?c.submit():location.replace(c.href)};const one=()=>{if(--n===0){document.body.dataset.framesDone='1';go()}};oidc.forEach(i=>i.addEventListener('load',one,{once:true}));addEventListener('message',e=>{if(e.origin!==location.origin||e.data!==${new Html(JSON.stringify(SAML_ANSWER_ARRIVED))})return;const i=saml.find(f=>f.contentWindow===e.source);if(!i||i.dataset.answered)return;i.dataset.answered='1';one()});document.querySelectorAll('form[data-saml-post]').forEach(f=>f.submit());setTimeout(go,${FRONTCHANNEL_WAIT_MS})})()</script>`
      : continueTo !== null && typeof continueTo !== 'string'
        ? html`<script nonce="${nonce}">document.getElementById('continue').submit()</script>`
        : null;
  const body = html`<h1>You are signed out</h1>
<p>${count > 0 ? 'Signing you out of the other applications…' : `Your ${realm.displayName ?? realm.name} session has ended.`}</p>
${postForms ? html`<noscript><p>Scripts are off in this browser: press each “Sign out of …” button, then continue.</p></noscript>` : null}
${frames}
${samlFrames}
${continueHtml}
${script}`;
  const originOf = (u: string) => new URL(u).origin;
  const samlFrameUrls = saml.map((f) => (f.message.binding === 'redirect' ? f.message.url : f.message.action));
  return {
    body: page('Signed out', body),
    frameOrigins: [...new Set([...frontchannel.map((f) => originOf(f.url)), ...samlFrameUrls.map(originOf)])],
    formOrigins: [
      ...new Set([
        ...saml.flatMap((f) => (f.message.binding === 'post' ? [originOf(f.message.action)] : [])),
        ...(continueTo !== null && typeof continueTo !== 'string' ? [originOf(continueTo.action)] : []),
      ]),
    ],
    nonce: script ? nonce : null,
  };
}

/**
 * The CSP of the signed-out page: its iframes' origins (and our own, where a SAML SP answers its
 * LogoutResponse inside the iframe), the SAML POST forms' origins, and the one script.
 */
export function loggedOutPageHeaders(page: LoggedOutPage, selfFrames: boolean): Record<string, string> {
  if (page.frameOrigins.length === 0 && !page.nonce) return {};
  const frames = [...(selfFrames ? ["'self'"] : []), ...page.frameOrigins];
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      "style-src 'unsafe-inline'",
      frames.length > 0 ? `frame-src ${frames.join(' ')}` : null,
      // 'self' too: form-action also governs the SP's redirect back here with its LogoutResponse.
      page.formOrigins.length > 0
        ? `form-action ${[...(selfFrames ? ["'self'"] : []), ...page.formOrigins].join(' ')}`
        : null,
      page.nonce ? `script-src 'nonce-${page.nonce}'` : null,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ]
      .filter(Boolean)
      .join('; '),
  };
}
