// How the authorization response travels back to the client: `query`, `fragment` (OAuth 2.0
// Multiple Response Type Encoding Practices §2.1) or `form_post` (OAuth 2.0 Form Post Response
// Mode §2). The mode is settled before anything is redirected, right after the redirect URI is
// trusted, so that errors from then on go back in the same mode; an unsupported mode is shown
// on the error page (redirecting with it is what made keycloak-js loop).
import { randomToken } from '../../crypto/random.ts';
import { InvalidRequest } from '../../errors.ts';
import { resolveWebOrigins } from '../../http/cors.ts';
import { frameAncestorsSources } from '../../http/frame-ancestors.ts';
import type { Params } from '../../http/params.ts';
import { NO_STORE } from '../../http/respond.ts';
import type { Client } from '../../realm/model.ts';
import { html, page } from '../../views/html.ts';
import { clientRedirect } from './redirect.ts';

export const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

function isResponseMode(value: string): value is ResponseMode {
  return (RESPONSE_MODES as readonly string[]).includes(value);
}

/** Multiple Response Types §5: `query` for `code`; `fragment` for any type that returns a token. */
export function defaultResponseMode(responseType: string | undefined): ResponseMode {
  const types = (responseType ?? '').split(' ');
  return types.includes('token') || types.includes('id_token') ? 'fragment' : 'query';
}

/** The request's mode, or its response type's default. */
export function checkResponseMode(params: Params): ResponseMode {
  const requested = params.get('response_mode');
  const fallback = defaultResponseMode(params.get('response_type'));
  if (requested === undefined) return fallback;
  if (!isResponseMode(requested))
    throw new InvalidRequest(`Invalid parameter: response_mode (unsupported: ${requested})`);
  // Multiple Response Types §2.1: tokens must never travel in the query.
  if (requested === 'query' && fallback === 'fragment')
    throw new InvalidRequest('Invalid parameter: response_mode (query is not allowed for this response_type)');
  return requested;
}

export interface AuthorizationResponse {
  mode: ResponseMode;
  redirectUri: string;
  issuer: string;
  values: Record<string, string | null | undefined>;
  /** The client, whose web origins may frame a form_post page (silent sign-in in an iframe). */
  client: Pick<Client, 'webOrigins' | 'redirectUris'>;
}

/** The response in its mode, with `iss` (RFC 9207 §2) in every one. */
export function authorizationResponse(r: AuthorizationResponse): Response {
  if (r.mode === 'query') return clientRedirect(r.redirectUri, r.issuer, r.values);
  const fields = responseFields(r.issuer, r.values);
  if (r.mode === 'fragment') {
    const url = new URL(r.redirectUri);
    url.hash = new URLSearchParams(fields).toString();
    return new Response(null, { status: 302, headers: { Location: url.toString(), ...NO_STORE } });
  }
  return formPostPage(r.redirectUri, fields, frameAncestors(r.client));
}

function responseFields(issuer: string, values: AuthorizationResponse['values']): [string, string][] {
  const fields: [string, string][] = [];
  for (const [k, v] of Object.entries(values)) if (v !== null && v !== undefined) fields.push([k, v]);
  fields.push(['iss', issuer]);
  return fields;
}

/** CSP frame-ancestors for a client's web origins ('none' without any). */
export function frameAncestors(client: Pick<Client, 'webOrigins' | 'redirectUris'>): string {
  return frameAncestorsSources(resolveWebOrigins(client));
}

/**
 * Form Post Response Mode §2: a page that POSTs the values to the redirect URI, submitted by a
 * nonce'd script under the CSP, with a button for browsers without script. The redirect URI's
 * own query stays in the form's action.
 */
function formPostPage(redirectUri: string, fields: [string, string][], ancestors: string): Response {
  const nonce = randomToken(16);
  const body = html`<h1>Signing you in…</h1>
<form method="post" action="${redirectUri}">
${fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><p>Your browser does not run scripts: continue to the application.</p><button type="submit">Continue</button></noscript>
</form>
<script nonce="${nonce}">document.forms[0].submit()</script>`;
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `script-src 'nonce-${nonce}'`,
    `form-action ${new URL(redirectUri).origin}`,
    `frame-ancestors ${ancestors}`,
    "base-uri 'none'",
  ].join('; ');
  return new Response(page('Signing in', body), {
    status: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      ...NO_STORE,
      'Content-Security-Policy': csp,
      'Referrer-Policy': 'no-referrer',
    },
  });
}
