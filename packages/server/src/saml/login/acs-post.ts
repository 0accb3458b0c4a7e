// Delivering a Response to the SP's ACS by the HTTP-POST binding (Bindings §3.5; Web SSO Profile
// §4.1.2: a Response is never sent by Redirect). The page's CSP allows its one inline submit
// script by nonce and form submission only to the ACS origin.
import { randomBytes } from 'node:crypto';
import { htmlResponse } from '../../http/respond.ts';
import { renderPostForm } from '../post-binding.ts';

export function postToAcs(
  acsUrl: string,
  xml: string,
  relayState: string | null,
  headers: Headers = new Headers(),
): Response {
  const nonce = randomBytes(16).toString('base64');
  const body = renderPostForm({ action: acsUrl, param: 'SAMLResponse', xml, relayState, nonce });
  const response = htmlResponse(body, 200, {
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; form-action ${new URL(acsUrl).origin}; frame-ancestors 'none'; base-uri 'none'`,
  });
  for (const cookie of headers.getSetCookie()) response.headers.append('Set-Cookie', cookie);
  return response;
}
