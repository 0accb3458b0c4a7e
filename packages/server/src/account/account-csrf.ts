// The account page's forms carry a token derived from the browser's SSO cookie, which only that
// browser holds (HttpOnly): a page elsewhere cannot compute it, so it cannot make the user sign
// out by a cross-site POST (besides the cookie's SameSite=Lax).
import { safeEqual, sha256 } from '../crypto/random.ts';

export function accountCsrf(ssoCookie: string): string {
  return sha256(`sundown-account-form:${ssoCookie}`);
}

export function checksAccountCsrf(ssoCookie: string, sent: string | undefined): boolean {
  return sent !== undefined && safeEqual(accountCsrf(ssoCookie), sent);
}
