// The OP iframe of OpenID Connect Session Management 1.0 §3.2 at Keycloak's path
// `…/protocol/openid-connect/login-status-iframe.html`, advertised as `check_session_iframe`.
// An RP posts "<client_id> <session_state>"; the page checks once with `…/init` that the client
// is enabled and the sender's origin is one of its web origins, then compares the hash of the
// session_state with the session-status cookie and answers "unchanged", "changed" or "error"
// (SM §3.2), which keycloak-js and oidc-client-ts both understand.
import { originAllowed, resolveWebOrigins } from '../../http/cors.ts';
import type { Realm } from '../../realm/model.ts';
import { SESSION_STATUS_COOKIE } from '../../sessions/session-status-cookie.ts';
import { iframePage, STORAGE_ACCESS_JS } from './iframe-page.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';

const SCRIPT = `
const COOKIE = ${JSON.stringify(SESSION_STATUS_COOKIE)};
/** The one check with the server per page, so a hostile embedder cannot make it hammer /init. */
let verification = null;

async function verify(clientId, origin) {
  const url = new URL(location.pathname + '/init', location.origin);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('origin', origin);
  const res = await fetch(url, { credentials: 'same-origin' });
  return res.status === 204 ? { clientId, origin } : null;
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
  if (!(await storageAccess())) return 'error';
  verification ??= verify(clientId, origin);
  const verified = await verification;
  if (!verified) return 'error';
  if (clientId !== verified.clientId || origin !== verified.origin) return 'error';
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
