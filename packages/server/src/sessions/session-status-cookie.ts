// The session-status cookie that the login-status iframe reads (OpenID Connect Session
// Management 1.0 §3.1 "browser state"; Keycloak's KEYCLOAK_SESSION). Unlike the session cookie
// it is readable by script — by the iframe page at the realm's path — so it holds only
// base64url(SHA-256(sid)): the iframe hashes the `session_state` an RP sends and compares.
// It is set whenever the browser is sent back to a client with a code and cleared when the
// browser's session ends, so it changes exactly when the session in this browser does.
//
// SameSite: the iframe is embedded by other origins, so Keycloak uses `SameSite=None; Secure`.
// Chromium drops `SameSite=None` without `Secure`, but accepts `Secure` from http://localhost
// and http://127.0.0.1 (loopback counts as potentially trustworthy; tested in
// browser-apps.browser.test.ts), so loopback http gets the same attributes; any other plain
// http issuer gets `SameSite=Lax`, which still works where the app and the provider are on the
// same site.
import type { ProviderUrls } from '../provider-urls.ts';
import { sha256 } from '../crypto/random.ts';

export const SESSION_STATUS_COOKIE = 'KEYCLOAK_SESSION';

function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname === '[::1]'
  );
}

function attributes(urls: ProviderUrls, realmName: string): string[] {
  const crossSite = urls.secure || isLoopbackHost(new URL(urls.publicUrl).hostname);
  return [`Path=${urls.realmPath(realmName)}/`, ...(crossSite ? ['SameSite=None', 'Secure'] : ['SameSite=Lax'])];
}

/** The value the iframe compares with the hash of an RP's session_state (Keycloak ≥ 26.1). */
export function sessionStatusValue(sid: string): string {
  return sha256(sid);
}

export function sessionStatusCookie(urls: ProviderUrls, realmName: string, sid: string, maxAgeSeconds: number): string {
  return [
    `${SESSION_STATUS_COOKIE}=${sessionStatusValue(sid)}`,
    ...attributes(urls, realmName),
    `Max-Age=${maxAgeSeconds}`,
  ].join('; ');
}

export function clearSessionStatusCookie(urls: ProviderUrls, realmName: string): string {
  return [`${SESSION_STATUS_COOKIE}=`, ...attributes(urls, realmName), 'Max-Age=0'].join('; ');
}
