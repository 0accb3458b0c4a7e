// The OP iframe of OpenID Connect Session Management 1.0 §3.2 at Keycloak's path
// `…/protocol/openid-connect/login-status-iframe.html`, advertised as `check_session_iframe`.
// An RP posts "<client_id> <session_state>"; the page checks with `…/init` that the client is
// enabled and the sender's origin is one of its web origins, then compares the hash of the
// session_state with the session-status cookie and answers "unchanged", "changed" or "error"
// (SM §3.2), which keycloak-js and oidc-client-ts both understand.
//
// The cookie only changes when the session ends in this browser. A session ended elsewhere — by
// an administrator, expiry, a disabled user, another device's "sign out everywhere else" — leaves
// it as it was (keycloak#25171), so when the cookie says "unchanged" the page also asks the
// provider (`…/session`) whether the browser's session is still live. That request carries the
// HttpOnly session cookie only where the browser lets it through to this frame: when the app and
// the provider are on the same site (SameSite=Lax), as in the demo, and not where a browser blocks
// third-party cookies; then the answer is "unknown" and the cookie comparison alone decides.
//
// Only a successful check is kept, per (client, origin): any page may post to this iframe (one
// that opens the app in a window reaches it through `window.frames`), so a failing message must
// answer "error" and change nothing. Keycloak's page makes one `/init` check and judges every
// later message by it, so a foreign page that posts first makes the app's own checks answer
// "error" and keycloak-js drop its tokens (issue 21, finding 3).
import { readCookie, SESSION_COOKIE } from '../../http/cookies.ts';
import { originAllowed, resolveWebOrigins } from '../../http/cors.ts';
import type { Realm } from '../../realm/model.ts';
import { SESSION_STATUS_COOKIE } from '../../sessions/session-status-cookie.ts';
import { iframePage, STORAGE_ACCESS_JS } from './iframe-page.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type { UsesSsoSessions } from '../../sessions/capabilities.ts';

const SCRIPT = `
const COOKIE = ${JSON.stringify(SESSION_STATUS_COOKIE)};
/** The (client, origin) pairs \`/init\` accepted. A refusal is not kept: it would refuse the next sender too. */
const verified = new Set();
/**
 * The pending check of each sender origin: one at a time per origin, so a hostile sender cannot
 * make this page hammer /init faster than it could itself, and never delays another origin.
 */
const pending = new Map();

async function init(clientId, origin) {
  const url = new URL(location.pathname + '/init', location.origin);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('origin', origin);
  const res = await fetch(url, { credentials: 'same-origin' });
  return res.status === 204;
}

function verify(clientId, origin) {
  const key = JSON.stringify([clientId, origin]);
  if (verified.has(key)) return Promise.resolve(true);
  const check = (pending.get(origin) ?? Promise.resolve()).then(async () => {
    if (verified.has(key)) return true;
    const ok = await init(clientId, origin).catch(() => false);
    if (ok) verified.add(key);
    return ok;
  });
  pending.set(origin, check);
  check.then(() => {
    if (pending.get(origin) === check) pending.delete(origin);
  });
  return check;
}

${STORAGE_ACCESS_JS}

function statusCookie() {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim();
  }
  return null;
}

async function hash(value) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)));
  return btoa(String.fromCharCode(...digest)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
}

/** Whether the browser's session is still live at the provider: 'live', 'ended' or 'unknown'. */
async function liveness() {
  try {
    const res = await fetch(new URL(location.pathname + '/session', location.origin), { credentials: 'same-origin', cache: 'no-store' });
    return res.ok ? await res.text() : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function status(clientId, origin, sessionState) {
  // The sender first: a message from an origin the client does not name touches nothing else.
  if (!(await verify(clientId, origin))) return 'error';
  if (!(await storageAccess())) return 'error';
  const cookie = statusCookie();
  if (!cookie) return sessionState === '' ? 'unchanged' : 'changed';
  if ((await hash(sessionState)) !== cookie) return 'changed';
  return (await liveness()) === 'ended' ? 'changed' : 'unchanged';
}

addEventListener('message', async (event) => {
  if (typeof event.data !== 'string') return;
  const parts = event.data.split(' ');
  if (parts.length !== 2) return;
  let answer;
  try {
    answer = await status(parts[0], event.origin, parts[1]);
  } catch {
    answer = 'error';
  }
  event.source.postMessage(answer, event.origin);
});`;

export function loginStatusIframe(ctx: UsesRealms, realm: Realm): Promise<Response> {
  return iframePage(ctx, realm, (nonce) => `<script type="module" nonce="${nonce}">${SCRIPT}</script>`, true);
}

/**
 * `…/login-status-iframe.html/session`: "live" when the browser's session cookie names a live
 * session, "ended" when it names one that ended (elsewhere, or by expiry), "unknown" when no
 * cookie came (the browser did not send it to this frame). Same-origin only: no CORS, and the
 * iframe tells the app nothing but "changed" or "unchanged".
 */
export async function loginStatusSession(ctx: UsesSsoSessions, realm: Realm, req: Request): Promise<Response> {
  const cookie = readCookie(req, SESSION_COOKIE);
  const answer = !cookie ? 'unknown' : (await ctx.sessions.findByCookie(realm, cookie)) ? 'live' : 'ended';
  return new Response(answer, {
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

/**
 * `…/login-status-iframe.html/init?client_id=&origin=`: 204 when the client is enabled and the
 * origin is one of its web origins (or the provider's own), else 403 — as Keycloak's
 * LoginStatusIframeEndpoint.preCheck.
 */
export async function loginStatusIframeInit(ctx: UsesRealms & UsesUrls, realm: Realm, req: Request): Promise<Response> {
  const query = new URL(req.url).searchParams;
  const clientId = query.get('client_id');
  const origin = query.get('origin');
  const client = clientId ? await ctx.realms.clientByClientId(realm.id, clientId) : undefined;
  const allowed = client?.enabled ? resolveWebOrigins(client) : new Set<string>();
  allowed.add(new URL(ctx.urls.publicUrl).origin);
  const ok = client?.enabled === true && origin !== null && originAllowed(origin, allowed);
  return new Response(null, { status: ok ? 204 : 403, headers: { 'Cache-Control': 'no-store' } });
}
