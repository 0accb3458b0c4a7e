// `/realms/{realm}/protocol/saml` (saml.md §1): one URL for every binding Sundown serves. GET is
// the HTTP-Redirect binding (Bindings §3.4), a form POST the HTTP-POST binding (§3.5), a text/xml
// POST the SOAP binding (§3.2). The message is decoded here and handed on by kind: AuthnRequest to
// the login handler, LogoutRequest / LogoutResponse (and SOAP) to the logout handler.
import type { ProviderContext } from '../../context.ts';
import type { Realm } from '../../realm/model.ts';
import { decodePostMessage, decodeRedirectMessage, decodeSoapMessage, type InboundMessage } from '../inbound-message.ts';
import { malformed, SamlError } from '../saml-errors.ts';
import { handleAuthnRequest } from './saml-login-handler.ts';
import { handleSamlLogoutMessage } from './saml-logout-handler.ts';
import { readSamlBody } from './saml-body.ts';
import { samlErrorPage } from './saml-error-page.ts';

/** What the SAML endpoint and the handlers it dispatches to use. */
export type SamlEndpointDeps = Pick<
  ProviderContext,
  | 'clientSessions'
  | 'deliveries'
  | 'events'
  | 'log'
  | 'logout'
  | 'logoutWaitMs'
  | 'pending'
  | 'realms'
  | 'samlAuthnRequests'
  | 'samlKeys'
  | 'samlLogoutRequests'
  | 'samlSeenRequests'
  | 'sessions'
  | 'urls'
>;

export async function samlEndpoint(ctx: SamlEndpointDeps, realm: Realm, req: Request, ip: string | null): Promise<Response> {
  let msg: InboundMessage;
  try {
    msg = await decodeRequest(req);
  } catch (err) {
    if (!(err instanceof SamlError)) throw err;
    // Nothing is known yet, not even the message kind: a page, never the SP.
    return samlErrorPage(ctx, realm, err, { event: 'LOGIN_ERROR', ip, clientId: null });
  }
  if (msg.kind === 'AuthnRequest') return handleAuthnRequest(ctx, realm, req, msg, ip);
  return handleSamlLogoutMessage(ctx, realm, req, msg, ip);
}

async function decodeRequest(req: Request): Promise<InboundMessage> {
  if (req.method === 'GET') {
    // Bindings §3.4.4.1: the query signature covers the query exactly as sent, so the raw
    // query string is passed on, never a decoded and re-encoded one (saml.md §8.6).
    const url = req.url;
    const q = url.indexOf('?');
    return decodeRedirectMessage(q < 0 ? '' : url.slice(q + 1).replace(/#.*$/, ''));
  }
  const body = await readSamlBody(req);
  if (body.kind === 'soap') return decodeSoapMessage(body.xml);
  const fields = body.fields;
  const known = { SAMLRequest: fields.get('SAMLRequest'), SAMLResponse: fields.get('SAMLResponse'), RelayState: fields.get('RelayState') };
  if (known.SAMLRequest === undefined && known.SAMLResponse === undefined) throw malformed('invalid_message', 'SAMLRequest or SAMLResponse is required');
  return decodePostMessage(known);
}
