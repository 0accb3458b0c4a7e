// The response shared by the iframe pages that browser apps embed (Keycloak's IframeUtil):
// a small script-only page under a nonce CSP, `Cache-Control: no-cache`, and framable by the
// web origins of the realm's enabled clients only. The pages are requested without naming a
// client (keycloak-js loads them bare), so the union of the realm's web origins is the
// narrowest set that works; Keycloak lets any origin frame them.
import { randomToken } from '../../crypto/random.ts';
import { frameAncestorsSources } from '../../http/frame-ancestors.ts';
import type { Realm } from '../../realm/model.ts';
import { realmWebOrigins } from '../cors-policies.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';

/** A script for the page; it receives the nonce its tag must carry. */
/**
 * Browser script shared by the iframe pages: whether this third-party frame may use its cookies
 * (Storage Access API; browsers without it decide by cookies alone).
 */
export const STORAGE_ACCESS_JS = `async function storageAccess() {
  if (!('hasStorageAccess' in document)) return true;
  if (await document.hasStorageAccess()) return true;
  try {
    await document.requestStorageAccess();
    return true;
  } catch {
    return false;
  }
}`;

export type IframeScript = (nonce: string) => string;

export async function iframePage(
  ctx: UsesRealms,
  realm: Realm,
  script: IframeScript,
  connectSelf = false,
): Promise<Response> {
  const ancestors = frameAncestorsSources(await realmWebOrigins(ctx, realm));
  const nonce = randomToken(16);
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    ...(connectSelf ? ["connect-src 'self'"] : []),
    `frame-ancestors ${ancestors}`,
    "base-uri 'none'",
  ].join('; ');
  const body = `<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex"></head><body>${script(nonce)}</body></html>`;
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': csp,
      'Referrer-Policy': 'no-referrer',
    },
  });
}
