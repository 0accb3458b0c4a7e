// Keycloak's third-party-cookie probe, `…/protocol/openid-connect/3p-cookies/step1.html` and
// `step2.html`: keycloak-js embeds step1 before it uses the login-status iframe or silent SSO,
// and waits for "supported" or "unsupported" from it (it timed out on Sundown's 404 before).
// Step 1 asks for storage access (Storage Access API) where the browser has it, sets two test
// cookies and moves to step 2, which looks for them; both report to the embedding page.
import type { Realm } from '../../realm/model.ts';
import { iframePage, STORAGE_ACCESS_JS } from './iframe-page.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';

const STEP1 = `
${STORAGE_ACCESS_JS}
storageAccess().then((access) => {
  if (!access) {
    parent.postMessage('unsupported', '*');
    return;
  }
  document.cookie = 'KEYCLOAK_3P_COOKIE_SAMESITE=supported; Max-Age=60; SameSite=None; Secure';
  document.cookie = 'KEYCLOAK_3P_COOKIE=supported; Max-Age=60';
  location.replace('step2.html');
});`;

const STEP2 = `
const supported = document.cookie.split(';').some((c) => c.trim().startsWith('KEYCLOAK_3P_COOKIE'));
if (supported) {
  document.cookie = 'KEYCLOAK_3P_COOKIE_SAMESITE=; Max-Age=0; SameSite=None; Secure';
  document.cookie = 'KEYCLOAK_3P_COOKIE=; Max-Age=0';
}
// Only "supported" or "unsupported" is sent: nothing the embedding page may not know.
parent.postMessage(supported ? 'supported' : 'unsupported', '*');`;

export function thirdPartyCookiesStep1(ctx: UsesRealms, realm: Realm): Promise<Response> {
  return iframePage(ctx, realm, (nonce) => `<script type="module" nonce="${nonce}">${STEP1}</script>`);
}

export function thirdPartyCookiesStep2(ctx: UsesRealms, realm: Realm): Promise<Response> {
  return iframePage(ctx, realm, (nonce) => `<script type="module" nonce="${nonce}">${STEP2}</script>`);
}
