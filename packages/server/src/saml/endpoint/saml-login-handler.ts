// AuthnRequest at `/protocol/saml` (Web SSO Profile §4.1.4.1; saml.md §3).
import type { ProviderContext } from '../../context.ts';
import type { Realm } from '../../realm/model.ts';
import type { InboundMessage } from '../inbound-message.ts';
import { STATUS } from '../saml-constants.ts';
import { SamlError } from '../saml-errors.ts';
import { samlErrorPage } from './saml-error-page.ts';

export async function handleAuthnRequest(ctx: ProviderContext, realm: Realm, _req: Request, _msg: InboundMessage, ip: string | null): Promise<Response> {
  const err = new SamlError('unexpected_message', 'invalid_authn_request', 'SAML sign-in is not enabled in this build', { subStatus: STATUS.requestUnsupported });
  return samlErrorPage(ctx, realm, err, { event: 'LOGIN_ERROR', ip, clientId: null });
}
