// `/realms/{realm}/protocol/saml` (saml.md §1): one URL for every binding Sundown serves. GET is
// the HTTP-Redirect binding (Bindings §3.4), a form POST the HTTP-POST binding (§3.5), a text/xml
// POST the SOAP binding (§3.2). The message is decoded here and handed on by kind: AuthnRequest to
// the login handler, LogoutRequest / LogoutResponse (and SOAP) to the logout handler, which belongs
// to logout/ (logout/saml/) and is handed in by the composition root.
import type { Realm } from '../../realm/model.ts';
import {
  decodePostMessage,
  decodeRedirectMessage,
  decodeSoapMessage,
  type InboundMessage,
} from '../inbound-message.ts';
import { malformed, SamlError } from '../saml-errors.ts';
import { handleAuthnRequest, type SamlLoginDeps } from './saml-login-handler.ts';
import type { RouteHandler } from '../../http/route.ts';
import { readSamlBody } from './saml-body.ts';
import { type SamlErrorDeps, samlErrorPage } from './saml-error-page.ts';

/** A handler of one decoded SAML message. */
export type SamlMessageHandler<D> = (
  ctx: D,
  realm: Realm,
  req: Request,
  msg: InboundMessage,
  ip: string | null,
) => Promise<Response>;

/** What the endpoint itself and the sign-in side use. */
export type SamlEndpointDeps = SamlLoginDeps & SamlErrorDeps;

/** `/protocol/saml`: decodes the message and hands it to sign-in or to the logout handler given. */
export function samlEndpoint<D extends SamlEndpointDeps>(logout: SamlMessageHandler<D>): RouteHandler<D> {
  return async (ctx, realm, req, ip) => {
    let msg: InboundMessage;
    try {
      msg = await decodeRequest(req);
    } catch (err) {
      if (!(err instanceof SamlError)) throw err;
      // Nothing is known yet, not even the message kind: a page, never the SP.
      return samlErrorPage(ctx, realm, err, { event: 'LOGIN_ERROR', ip, clientId: null });
    }
    if (msg.kind === 'AuthnRequest') return handleAuthnRequest(ctx, realm, req, msg, ip);
    return logout(ctx, realm, req, msg, ip);
  };
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
  const known = {
    SAMLRequest: fields.get('SAMLRequest'),
    SAMLResponse: fields.get('SAMLResponse'),
    RelayState: fields.get('RelayState'),
  };
  if (known.SAMLRequest === undefined && known.SAMLResponse === undefined)
    throw malformed('invalid_message', 'SAMLRequest or SAMLResponse is required');
  return decodePostMessage(known);
}
