// The page a front-channel SP's LogoutResponse gets at /protocol/saml. It is shown inside an
// iframe of our signed-out page (logout/endpoint/logout-pages.ts), so only our own origin may frame
// it, and its one script tells that parent — and only a parent on our origin — that the answer is
// back and recorded: the signed-out page continues only then (or after its bound), so it never
// aborts an SP's answer on its way, such as a POSTed LogoutResponse from an auto-submitted form.
import { randomToken } from '../../../crypto/random.ts';
import { htmlResponse } from '../../../http/respond.ts';
import { SAML_ANSWER_ARRIVED } from '../../endpoint/signed-out-page.ts';
import { Html, html, page } from '../../../views/html.ts';

export function frontchannelAnswerPage(title: string, body: Html, status: number): Response {
  const nonce = randomToken(16);
  const script = html`<script nonce="${nonce}">if(parent!==window)parent.postMessage(${new Html(JSON.stringify(SAML_ANSWER_ARRIVED))},location.origin)</script>`;
  return htmlResponse(page(title, html`${body}${script}`), status, {
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; frame-ancestors 'self'; base-uri 'none'`,
    'X-Frame-Options': 'SAMEORIGIN',
  });
}
