// LogoutRequest and LogoutResponse at `/protocol/saml` (Redirect, POST and SOAP bindings). Owned
// by the logout side (issue 16, helper saml-slo); until single logout is built, every logout
// message is refused with Requester / RequestUnsupported (Core §3.2.2.2), recorded as a
// LOGOUT_ERROR, and nothing is ended.
import type { ProviderContext } from '../../context.ts';
import type { Realm } from '../../realm/model.ts';
import type { InboundMessage } from '../inbound-message.ts';
import { STATUS } from '../saml-constants.ts';
import { SamlError } from '../saml-errors.ts';
import { soapFault } from '../soap-envelope.ts';
import { recordSamlError, samlErrorPage } from './saml-error-page.ts';

export async function handleSamlLogoutMessage(ctx: ProviderContext, realm: Realm, _req: Request, msg: InboundMessage, ip: string | null): Promise<Response> {
  const eventError = msg.kind === 'LogoutResponse' ? 'invalid_logout_response' : 'invalid_logout_request';
  const err = new SamlError('unexpected_message', eventError, `${msg.kind} is not supported yet`, { subStatus: STATUS.requestUnsupported });
  const facts = { event: 'LOGOUT_ERROR' as const, ip, clientId: null };
  if (msg.binding === 'soap') {
    await recordSamlError(ctx, realm, err, facts);
    return new Response(soapFault(err.description), { status: 400, headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Cache-Control': 'no-store' } });
  }
  return samlErrorPage(ctx, realm, err, facts);
}
