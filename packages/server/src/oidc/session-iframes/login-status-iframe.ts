// The OP iframe of OpenID Connect Session Management 1.0 §3.2 at Keycloak's path
// `…/protocol/openid-connect/login-status-iframe.html`, advertised as `check_session_iframe`.
// An RP posts "<client_id> <session_state>"; the page checks with `…/init` that the client is
// enabled and the sender's origin is one of its web origins, then compares the hash of the
// session_state with the session-status cookie and answers "unchanged", "changed" or "error"
// (SM §3.2), which keycloak-js and oidc-client-ts both understand.
//
// Only a successful check is kept, per (client, origin): any page may post to this iframe (one
// that opens the app in a window reaches it through `window.frames`), so a failing message must
// answer "error" and change nothing. Keycloak's page makes one `/init` check and judges every
// later message by it, so a foreign page that posts first makes the app's own checks answer
// "error" and keycloak-js drop its tokens (issue 21, finding 3).
import { originAllowed, resolveWebOrigins } from '../../http/cors.ts';
import type { Realm } from '../../realm/model.ts';
import { SESSION_STATUS_COOKIE } from '../../sessions/session-status-cookie.ts';
import { iframePage, STORAGE_ACCESS_JS } from './iframe-page.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';

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

async function status(clientId, origin, sessionState) {
  // The sender first: a message from an origin the client does not name touches nothing else.
  if (!(await verify(clientId, origin))) return 'error';
  if (!(await storageAccess())) return 'error';
  const cookie = statusCookie();
  if (!cookie) return sessionState === '' ? 'unchanged' : 'changed';
  return (await hash(sessionState)) === cookie ? 'unchanged' : 'changed';
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
