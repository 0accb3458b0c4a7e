// "You are signed out": each application of the ended session with its live state, the
// front-channel iframes (OIDC FCL §3, SAML), and the way on to the post-logout redirect.
//   - The list is rendered by the server with the states known when the logout wait ended, so the
//     page says what happened without scripts; without scripts it reloads itself (a meta refresh
//     to signed-out-again, which re-renders from the store) while anything is still settling.
//   - With scripts it polls the logout's status (its JSON endpoint, readable only by this
//     browser: status/browser-key.ts) and updates the list in place; the outcome line is a live
//     region; it continues once every iframe is done and every application has had its first
//     attempt (or after a bound), pausing briefly so the outcome can be read.
// Every iframe is independent, so one SP with a broken SLO URL cannot stop the others (Keycloak's
// redirect chain does, keycloak#22086). An OIDC iframe is done when it has loaded (FCL §3 asks no
// answer). A SAML iframe is done only when the SP's LogoutResponse is back on our origin, which
// the answer page announces: the SP's own page loading proves nothing, and one that answers by an
// auto-submitted POST form (pysaml2) would have that POST aborted by our navigation.
import type { Realm } from '../../realm/model.ts';
import { Html, html, page } from '../../views/html.ts';
import type { FrontchannelMessage } from '../channels/saml-frontchannel/message.ts';
import type { FrontchannelTarget } from '../logout-service.ts';
import { appList, APP_SYMBOLS } from '../status/app-list.ts';
import type { LogoutStatus } from '../status/app-states.ts';

export interface LoggedOutPage {
  body: string;
  /** CSP additions: the iframes' origins, the SAML POST forms' origins, and the script nonce. */
  frameOrigins: string[];
  formOrigins: string[];
  nonce: string | null;
  /** The page's script reads the logout's status from our own origin. */
  connectsToSelf: boolean;
}

/** A front-channel SAML LogoutRequest, in its iframe (logout/channels/saml-frontchannel/message.ts). */
export interface SamlFrame {
  clientId: string;
  message: FrontchannelMessage;
}

/** Where the page continues: a URL, or a POST form (a SAML LogoutResponse to the requester). */
export type ContinueTo = string | { action: string; fields: Record<string, string> } | null;

/**
 * What the page a SAML SP's LogoutResponse gets inside its iframe (saml/frontchannel-answer-page.ts)
 * posts to the signed-out page, from our own origin: the answer is back, checked and recorded.
 */
export const SAML_ANSWER_ARRIVED = 'sundown:saml-logout-answer';

/** How long the signed-out page waits for its iframes and first attempts before it continues anyway. */
export const FRONTCHANNEL_WAIT_MS = 5000;

/** How long the outcome stays on screen before the page continues. */
export const OUTCOME_DWELL_MS = 2000;

/** Seconds a browser without scripts shows the final outcome before it continues. */
export const NO_SCRIPT_DWELL_S = 3;

/** The logout's live status on the page. */
export interface LivePart {
  status: LogoutStatus;
  /** The JSON status endpoint (status/status-endpoints.ts). */
  statusUrl: string;
  /** The server-rendered page of the same status, reloaded without scripts. */
  pageUrl: string;
}

/** Seconds between reloads without scripts: quickly while first attempts run, slowly while retrying. */
function refreshSeconds(status: LogoutStatus): number | null {
  if (status.done) return null;
  return status.settled ? 15 : 2;
}

export function renderLoggedOutPage(
  realm: Realm,
  frontchannel: FrontchannelTarget[],
  continueTo: ContinueTo,
  nonce: string,
  saml: SamlFrame[] = [],
  live: LivePart | null = null,
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
  const continueHtml = continueLink(continueTo);
  const status = live?.status ?? null;
  const polls = live !== null && !live.status.done;
  const script =
    count > 0 || polls || (live !== null && continueTo !== null)
      ? pageScript(nonce, live, count > 0)
      : continueTo !== null && typeof continueTo !== 'string'
        ? html`<script nonce="${nonce}">document.getElementById('continue').submit()</script>`
        : null;
  const lead = status
    ? appList(status)
    : html`<p>${count > 0 ? 'Signing you out of the other applications…' : `Your ${realm.displayName ?? realm.name} session has ended.`}</p>`;
  // Without scripts the page reloads from the store while the logout settles, and once it has,
  // goes on to the redirect after the outcome could be read (not while SAML POST buttons wait for
  // the user's clicks: a reload would lose them).
  const refresh = live ? refreshSeconds(live.status) : null;
  const head = postForms
    ? null
    : refresh !== null
      ? html`<noscript><meta http-equiv="refresh" content="${String(refresh)};url=${live!.pageUrl}"></noscript>`
      : live && typeof continueTo === 'string'
        ? html`<noscript><meta http-equiv="refresh" content="${String(NO_SCRIPT_DWELL_S)};url=${continueTo}"></noscript>`
        : null;
  const body = html`<h1>You are signed out</h1>
${lead}
${postForms ? html`<noscript><p>Scripts are off in this browser: press each “Sign out of …” button, then continue.</p></noscript>` : null}
${live && !live.status.done ? html`<p><a id="reload" href="${live.pageUrl}">Check again</a></p>` : null}
${frames}
${samlFrames}
${continueHtml}
${script}`;
  const originOf = (u: string) => new URL(u).origin;
  const samlFrameUrls = saml.map((f) => (f.message.binding === 'redirect' ? f.message.url : f.message.action));
  return {
    body: page('Signed out', body, 'en', head),
    frameOrigins: [...new Set([...frontchannel.map((f) => originOf(f.url)), ...samlFrameUrls.map(originOf)])],
    formOrigins: [
      ...new Set([
        ...saml.flatMap((f) => (f.message.binding === 'post' ? [originOf(f.message.action)] : [])),
        ...(continueTo !== null && typeof continueTo !== 'string' ? [originOf(continueTo.action)] : []),
      ]),
    ],
    nonce: script ? nonce : null,
    connectsToSelf: polls,
  };
}

function continueLink(continueTo: ContinueTo): Html | null {
  if (continueTo === null) return null;
  if (typeof continueTo === 'string') return html`<p><a id="continue" href="${continueTo}">Continue</a></p>`;
  return html`<form id="continue" method="post" action="${continueTo.action}">${Object.entries(continueTo.fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit">Continue</button></form>`;
}

/**
 * The page's one script: listen for the SAML answers, submit the SAML POST forms, poll the status
 * and update the list, then continue when every iframe is done and the status is settled (or
 * after the bound). A SAML message counts only from our own origin and from one of the SAML
 * iframes, once.
 */
function pageScript(nonce: string, live: LivePart | null, hasFrames: boolean): Html {
  const statusUrl = live ? JSON.stringify(live.statusUrl) : 'null';
  const settled = live ? String(live.status.settled) : 'true';
  return html`<script nonce="${nonce}">(()=>{const c=document.getElementById('continue');const oidc=[...document.querySelectorAll('iframe:not([data-saml])')];const saml=[...document.querySelectorAll('iframe[data-saml]')];const S=${new Html(JSON.stringify(APP_SYMBOLS))};let n=oidc.length+saml.length,framesDone=n===0,settled=${new Html(settled)},timedOut=false,done=false;const go=()=>{if(done||!c)return;if(!timedOut&&!(framesDone&&settled))return;done=true;document.body.dataset.logoutDone='1';setTimeout(()=>c.tagName==='FORM'?c.submit():location.replace(c.href),timedOut?0:${new Html(String(OUTCOME_DWELL_MS))})};const one=()=>{if(--n===0){framesDone=true;document.body.dataset.framesDone='1';go()}};oidc.forEach(i=>i.addEventListener('load',one,{once:true}));addEventListener('message',e=>{if(e.origin!==location.origin||e.data!==${new Html(JSON.stringify(SAML_ANSWER_ARRIVED))})return;const i=saml.find(f=>f.contentWindow===e.source);if(!i||i.dataset.answered)return;i.dataset.answered='1';one()});document.querySelectorAll('form[data-saml-post]').forEach(f=>f.submit());const url=${new Html(statusUrl)};const show=s=>{const o=document.getElementById('logout-outcome');if(o&&o.textContent!==s.outcome)o.textContent=s.outcome;for(const a of s.apps){const li=document.querySelector('#logout-apps li[data-client="'+CSS.escape(a.clientId)+'"]');if(!li)continue;li.dataset.state=a.state;li.querySelector('.icon').textContent=S[a.state];li.querySelector('.state').textContent=a.label;let w=li.querySelector('.why');if(a.why){if(!w){w=document.createElement('span');w.className='why';li.append(w)}w.textContent=a.why}else if(w)w.remove()}if(s.done){const r=document.getElementById('reload');if(r)r.remove()}};const tick=async()=>{let s;try{const r=await fetch(url,{credentials:'same-origin',cache:'no-store',headers:{accept:'application/json'}});if(!r.ok)return;s=await r.json()}catch{setTimeout(tick,2000);return}show(s);document.body.dataset.logoutSettled=s.settled?'1':'';if(s.settled&&!settled){settled=true;go()}if(!s.done)setTimeout(tick,s.settled?3000:500)};if(url)setTimeout(tick,${new Html(hasFrames ? '300' : '500')});document.body.dataset.logoutSettled=settled?'1':'';go();setTimeout(()=>{timedOut=true;go()},${new Html(String(FRONTCHANNEL_WAIT_MS))})})()</script>`;
}

/**
 * The CSP of the signed-out page: its iframes' origins (and our own, where a SAML SP answers its
 * LogoutResponse inside the iframe), the SAML POST forms' origins, the one script, and its status
 * requests to our own origin.
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
      page.connectsToSelf ? "connect-src 'self'" : null,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ]
      .filter(Boolean)
      .join('; '),
  };
}
