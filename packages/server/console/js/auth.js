// @ts-check
// Signs the console in with the authorization code flow and PKCE (RFC 7636, S256) as the
// public client security-admin-console, checks `state` and `iss` (RFC 9207) on the way back,
// keeps tokens in memory only, and refreshes them before they expire.

/**
 * @typedef {{ consoleUrl: string, apiBase: string, issuer: string, authorizationEndpoint: string, tokenEndpoint: string, endSessionEndpoint: string, clientId: string, eventTypes: string[], deliveryStatuses: string[], logoutTriggers: string[] }} Config
 * @typedef {{ accessToken: string, refreshToken: string | null, idToken: string | null, expiresAt: number, username: string }} Tokens
 */

/** @type {Config} */
export const config = JSON.parse(
  /** @type {HTMLElement} */ (document.getElementById('sundown-config')).textContent ?? '{}',
);

const PENDING = 'sundown.console.pending';

/** @type {Tokens | null} */
let tokens = null;

/** @param {Uint8Array} bytes */
function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function random() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** @param {string} jwt */
function claims(jwt) {
  const part = jwt.split('.')[1] ?? '';
  return /** @type {Record<string, unknown>} */ (JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))));
}

/** Sends the browser to the login page; the hash route comes back with it. */
export async function redirectToLogin() {
  if (!crypto.subtle) throw new Error('The console needs a secure context (https, or http on localhost).');
  const verifier = random();
  const state = random();
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier, hash: location.hash }));
  const url = new URL(config.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.consoleUrl,
    scope: 'openid',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** @param {URLSearchParams} body */
async function tokenRequest(body) {
  const res = await fetch(config.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const json = /** @type {Record<string, unknown>} */ (await res.json().catch(() => ({})));
  if (!res.ok) throw new Error(String(json.error_description ?? json.error ?? `token endpoint answered ${res.status}`));
  const access = String(json.access_token);
  tokens = {
    accessToken: access,
    refreshToken: typeof json.refresh_token === 'string' ? json.refresh_token : null,
    idToken: typeof json.id_token === 'string' ? json.id_token : (tokens?.idToken ?? null),
    expiresAt: Date.now() + Number(json.expires_in ?? 60) * 1000,
    username: String(claims(access).preferred_username ?? ''),
  };
  return tokens;
}

/**
 * Finishes a sign-in when the page is the redirect target; otherwise starts one.
 * @returns {Promise<Tokens | null>} null while the browser is being redirected
 */
export async function signIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) {
    await redirectToLogin();
    return null;
  }
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', config.consoleUrl + (pending?.hash ?? ''));
  if (!pending || params.get('state') !== pending.state)
    throw new Error('The sign-in response does not match a sign-in this page started (state). Reload to try again.');
  if (params.get('iss') !== config.issuer) throw new Error('The sign-in response came from an unexpected issuer.');
  if (params.has('error')) throw new Error(params.get('error_description') ?? String(params.get('error')));
  return tokenRequest(
    new URLSearchParams({
      grant_type: 'authorization_code',
      code: String(params.get('code')),
      redirect_uri: config.consoleUrl,
      client_id: config.clientId,
      code_verifier: pending.verifier,
    }),
  );
}

/** A valid access token, refreshed when it is about to expire. */
export async function accessToken(force = false) {
  if (!tokens) throw new Error('Not signed in');
  if (force || tokens.expiresAt - Date.now() < 20_000) {
    if (!tokens.refreshToken) {
      await redirectToLogin();
      throw new Error('Signing in again');
    }
    try {
      await tokenRequest(
        new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: tokens.refreshToken,
          client_id: config.clientId,
        }),
      );
    } catch {
      await redirectToLogin();
      throw new Error('Signing in again');
    }
  }
  return tokens.accessToken;
}

/** RP-initiated logout of the console's own session, back to the console. */
export function signOut() {
  const url = new URL(config.endSessionEndpoint);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    post_logout_redirect_uri: config.consoleUrl,
    ...(tokens?.idToken ? { id_token_hint: tokens.idToken } : {}),
  }).toString();
  tokens = null;
  location.assign(url.toString());
}
