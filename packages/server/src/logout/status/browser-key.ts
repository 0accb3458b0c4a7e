// Only the browser that signed out may watch its logout settle: the signed-out page's browser
// gets a random key in an HttpOnly cookie, the logout keeps the key's hash, and the status
// endpoints answer only a request carrying it. The logout id alone (a random UUID) is not
// enough: it appears in links and logs.
import { readCookie, setCookie } from '../../http/cookies.ts';
import { randomToken, safeEqual, sha256 } from '../../crypto/random.ts';
import type { UsesUrls } from '../../provider-urls.ts';

export const LOGOUT_STATUS_COOKIE = 'SUNDOWN_LOGOUT_STATUS';

/** How long the browser may watch its logout. */
export const STATUS_KEY_MAX_AGE_S = 3600;

export function newBrowserKey(): string {
  return randomToken(32);
}

/** The path the status endpoints live under, which the cookie is sent to only. */
export function statusPath(ctx: UsesUrls, realmName: string): string {
  return `${ctx.urls.realmPath(realmName)}/protocol/openid-connect/logout`;
}

export function browserKeyCookie(ctx: UsesUrls, realmName: string, key: string): string {
  return setCookie(LOGOUT_STATUS_COOKIE, key, {
    path: statusPath(ctx, realmName),
    maxAgeSeconds: STATUS_KEY_MAX_AGE_S,
    secure: ctx.urls.secure,
  });
}

/** Whether the request carries the key whose hash the logout keeps. */
export function holdsBrowserKey(req: Request, keyHash: string | null): boolean {
  const key = readCookie(req, LOGOUT_STATUS_COOKIE);
  return keyHash !== null && key !== undefined && safeEqual(sha256(key), keyHash);
}
