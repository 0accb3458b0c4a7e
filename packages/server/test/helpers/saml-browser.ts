// Driving SAML sign-ins as a browser would (helpers/browser.ts): the SP's AuthnRequest by
// Redirect (a GET) or POST (the SP's auto-submit form, posted), the login form when it appears,
// and the IdP's auto-submit form to the ACS, read back for the SP to validate.
import { SAML, type SamlConfig } from '@node-saml/node-saml';
import { certificateFromText } from '../../src/saml/certificate-text.ts';
import { type Browser, parseLoginForm } from './browser.ts';
import { ACS_URL, SP_ENTITY_ID, sp } from './saml-fixtures.ts';

export interface AcsPost {
  action: string;
  SAMLResponse: string;
  RelayState: string | undefined;
}

const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The IdP's auto-submit page (post-binding.ts renderPostForm), or null when the page is another. */
export function parseAcsForm(html: string): AcsPost | null {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const response = /name="SAMLResponse" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !response) return null;
  const relay = /name="RelayState" value="([^"]*)"/.exec(html)?.[1];
  return {
    action: unescape(action),
    SAMLResponse: response,
    RelayState: relay === undefined ? undefined : unescape(relay),
  };
}

/** The realm's signing certificate as the SP would take it from the descriptor. */
export async function idpCertificate(
  realmUrl: string,
  fetcher: (url: string) => Promise<Response> = fetch,
): Promise<string> {
  const xml = await (await fetcher(`${realmUrl}/protocol/saml/descriptor`)).text();
  const text = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xml)![1]!;
  return certificateFromText(text)!.toString();
}

/** A node-saml SP for a realm of a running server (its own key pair from saml-fixtures.ts). */
export function spFor(realmUrl: string, idpCert: string, overrides: Partial<SamlConfig> = {}): SAML {
  return new SAML({
    entryPoint: `${realmUrl}/protocol/saml`,
    logoutUrl: `${realmUrl}/protocol/saml`,
    issuer: SP_ENTITY_ID,
    callbackUrl: ACS_URL,
    idpCert,
    idpIssuer: realmUrl,
    privateKey: sp.privatePem,
    signatureAlgorithm: 'sha256',
    // node-saml's default digest for enveloped (POST) signatures is SHA-1, outside the allow-list.
    digestAlgorithm: 'sha256',
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    wantAuthnResponseSigned: true,
    wantAssertionsSigned: true,
    validateInResponseTo: 'always' as SamlConfig['validateInResponseTo'],
    ...overrides,
  });
}

/**
 * Sends the SP's AuthnRequest by the binding its config names and follows the IdP: the
 * continuation after a POST, the login form (signed in as `user` when one is given). Returns the
 * last IdP response (the ACS form, the login page, or an error page).
 */
export async function sendAuthnRequest(
  browser: Browser,
  spSaml: SAML,
  binding: 'redirect' | 'post',
  relayState = '',
): Promise<Response> {
  if (binding === 'redirect') return browser.get(await spSaml.getAuthorizeUrlAsync(relayState, undefined, {}));
  // What node-saml's getAuthorizeFormAsync page auto-submits to its entryPoint.
  const fields = (await spSaml.getAuthorizeMessageAsync(relayState, undefined, {})) as Record<string, string>;
  const endpoint = spSaml.options.entryPoint!;
  const res = await browser.post(endpoint, fields);
  if (res.status !== 303) return res;
  return browser.get(new URL(res.headers.get('location')!, endpoint).toString());
}

export async function signInAt(
  browser: Browser,
  page: Response,
  base: string,
  username: string,
  password: string,
): Promise<Response> {
  const form = parseLoginForm(await page.text(), base);
  return browser.post(form.action, { auth_request: form.authRequest, username, password });
}
