// A refused AuthnRequest whose ACS URL is trusted (the client is known, its signature rules are
// met and the ACS is registered): the SP gets a Response carrying the error status (Core
// §3.2.2.2, e.g. Requester/RequestDenied, Responder/NoPassive), signed as its Responses are, by
// POST to the ACS; the event log gets LOGIN_ERROR with Keycloak's error name.
import type { Client, Realm } from '../../realm/model.ts';
import { buildErrorResponse } from '../build-response.ts';
import { recordSamlError } from '../endpoint/saml-error-page.ts';
import { samlSettingsOf } from '../saml-client.ts';
import type { SamlError } from '../saml-errors.ts';
import { postToAcs } from './acs-post.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLog } from '../../log.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesSamlKeys } from '../capabilities.ts';

export interface TrustedAcs {
  acsUrl: string;
  /** InResponseTo: the AuthnRequest ID, once read. */
  requestId: string | null;
  relayState: string | null;
}

export async function answerLoginError(
  ctx: UsesEvents & UsesLog & UsesSamlKeys & UsesUrls,
  realm: Realm,
  client: Client,
  target: TrustedAcs,
  err: SamlError,
  ip: string | null,
  facts: { userId?: string | null; sessionId?: string | null } = {},
  headers: Headers = new Headers(),
): Promise<Response> {
  await recordSamlError(ctx, realm, err, { event: 'LOGIN_ERROR', ip, clientId: client.clientId, ...facts });
  const settings = samlSettingsOf(client);
  const built = buildErrorResponse({
    issuer: ctx.urls.issuer(realm.name),
    destination: target.acsUrl,
    inResponseTo: target.requestId,
    status: err.status,
    subStatus: err.subStatus,
    message: err.description,
    now: Date.now(),
    signWith: settings.signDocument
      ? { key: await ctx.samlKeys.signingKey(realm), algorithm: settings.signatureAlgorithm }
      : null,
  });
  return postToAcs(target.acsUrl, built.xml, target.relayState, headers);
}
