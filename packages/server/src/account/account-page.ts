// The account page (`/realms/{realm}/account/`): the signed-in user's sessions with "sign out of
// this session" and "sign out everywhere else", and their recent logouts with each application's
// outcome. Server-rendered and script-free; every action is a CSRF-protected form.
import type { Realm } from '../realm/model.ts';
import { appList } from '../logout/status/app-list.ts';
import { html, type Html, page } from '../views/html.ts';
import type { AccountView, SessionView } from './account-view.ts';

const when = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function sessionItem(s: SessionView, action: string, csrf: string): Html {
  return html`<li data-session="${s.id}"${s.current ? html` data-current="1"` : null}><span class="name">${s.browser}${s.current ? ' — this browser' : ''}</span>
<span class="detail">${s.address ? `from ${s.address}, ` : ''}started ${when(s.startedAt)}, last active ${when(s.lastSeenAt)}</span>
<span class="detail">${s.apps.length > 0 ? `Signed in to ${s.apps.join(', ')}` : 'No application yet'}</span>
${s.current ? html`<form method="post" action="${action}"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" name="action" value="this" class="secondary">Sign out of this session</button></form>` : null}</li>`;
}

export function renderAccountPage(view: AccountView, action: string, csrf: string): string {
  const name = view.realm.displayName ?? view.realm.name;
  const others = view.sessions.filter((s) => !s.current).length;
  const body = html`<h1>Your account</h1>
<p>Signed in to ${name} as <strong>${view.user.username}</strong>.</p>
<h2>Your sessions</h2>
<ul class="sessions" aria-label="Your sessions">${view.sessions.map((s) => sessionItem(s, action, csrf))}</ul>
${others > 0 ? html`<form method="post" action="${action}"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" name="action" value="others" class="secondary">Sign out everywhere else (${String(others)} other session${others === 1 ? '' : 's'})</button></form>` : html`<p>No other session is signed in.</p>`}
<h2>Recent sign-outs</h2>
${view.logouts.length === 0 ? html`<p>None yet.</p>` : view.logouts.map((l) => html`<section data-logout="${l.id}"><h3>${l.why}</h3><p class="meta">${when(l.at)}</p>${appList(l.status, false)}</section>`)}`;
  return page('Your account', body);
}

export function renderSignedOutAccountPage(realm: Realm): string {
  const body = html`<h1>Your account</h1><p>You are not signed in to ${realm.displayName ?? realm.name} in this browser. Sign in to one of its applications, then come back to this page to see your sessions and sign-outs.</p>`;
  return page('Your account', body);
}
