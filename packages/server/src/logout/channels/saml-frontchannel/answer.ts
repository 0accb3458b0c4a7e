// A front-channel SP's LogoutResponse to the LogoutRequest the signed-out page sent it, arriving
// in that page's iframe (Profiles §4.4.3.4). It must answer a request we sent to this very client
// and that is not yet answered (Core §3.2.2 InResponseTo; Keycloak accepted any until 26.8,
// keycloak#51211); a non-Success status is recorded as a LOGOUT_ERROR. The iframe gets a small
// page our own signed-out page may frame, which tells that page the answer is in
// (frontchannel-answer-page.ts).
import type { Client, Realm } from '../../../realm/model.ts';
import { html } from '../../../views/html.ts';
import type { AuthenticatedMessage } from '../../../saml/inbound-message.ts';
import { checkDestination } from '../../../saml/message-checks.ts';
import { readLogoutResponse } from '../../../saml/read-logout-response.ts';
import type { SamlClientSettings } from '../../../saml/saml-client.ts';
import { SamlError } from '../../../saml/saml-errors.ts';
import { frontchannelAnswerPage } from './answer-page.ts';
import { recordSamlError } from '../../../saml/endpoint/saml-error-page.ts';
import type { UsesEvents } from '../../../events/capabilities.ts';
import type { UsesLog } from '../../../log.ts';
import type { UsesUrls } from '../../../provider-urls.ts';
import type { UsesSentLogoutRequests } from '../../capabilities.ts';

export async function handleFrontchannelAnswer(
  ctx: UsesEvents & UsesLog & UsesSentLogoutRequests & UsesUrls,
  realm: Realm,
  client: Client,
  settings: SamlClientSettings,
  auth: AuthenticatedMessage,
  ip: string | null,
): Promise<Response> {
  try {
    const res = readLogoutResponse(auth);
    checkDestination('LogoutResponse', res.destination, `${ctx.urls.issuer(realm.name)}/protocol/saml`, auth.signed);
    const sent = res.inResponseTo
      ? await ctx.samlLogoutRequests.answer(realm.id, client.id, res.inResponseTo, res.status)
      : null;
    if (!sent)
      throw new SamlError(
        'invalid_message',
        'invalid_logout_response',
        'the LogoutResponse answers no pending LogoutRequest sent to this client',
        {
          detail: res.inResponseTo ?? '(no InResponseTo)',
        },
      );
    if (!res.success) {
      await ctx.events.record({
        realmId: realm.id,
        type: 'LOGOUT_ERROR',
        clientId: client.clientId,
        sessionId: sent.sso_session_id,
        ipAddress: ip,
        error: 'invalid_logout_response',
        details: {
          description: 'the SP did not log the session out',
          status: res.status,
          subStatus: res.subStatus,
          statusMessage: res.statusMessage,
        },
      });
    }
    const body = html`<h1>${res.success ? 'Signed out' : 'Not signed out'}</h1><p>${settings.entityId}</p>`;
    return frontchannelAnswerPage('Signed out', body, 200);
  } catch (err) {
    if (!(err instanceof SamlError)) throw err;
    await recordSamlError(ctx, realm, err, { event: 'LOGOUT_ERROR', ip, clientId: client.clientId });
    return frontchannelAnswerError(err);
  }
}

/** A refused LogoutResponse, in its iframe: the error page, which also tells the signed-out page the answer is in. */
export function frontchannelAnswerError(err: SamlError): Response {
  const body = html`<h1>We could not complete your request</h1><p role="alert">${err.description}</p><p class="meta">Error: ${err.eventError}</p>`;
  return frontchannelAnswerPage('Error', body, 400);
}
