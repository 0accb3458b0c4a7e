// Kind `saml_soap`: a SAML LogoutRequest to the SP's SOAP SLO endpoint (Bindings §3.2, Profiles
// §4.4.3.3; Keycloak's `saml_single_logout_service_url_soap`, saml.md §4), through the same
// outbox as OIDC logout tokens. Each attempt is a freshly built request (new ID, IssueInstant,
// NotOnOrAfter), enveloped-signed when the client has `saml.server.signature` (Keycloak's rule),
// and its answer is judged by saml-soap-answer.ts: a LogoutResponse from the client, signed when
// the client signs, to this very request, with status Success.
import { samlSettingsOf } from '../../../saml/saml-client.ts';
import { buildLogoutRequest } from '../../../saml/build-logout.ts';
import { realmSigningKey } from '../../../saml/realm-signing-key.ts';
import { NAME_ID_FORMATS } from '../../../saml/saml-client-attributes.ts';
import { SOAP_ACTION } from '../../../saml/saml-constants.ts';
import { wrapSoap } from '../../../saml/soap-envelope.ts';
import { judgeSoapAnswer, MAX_SOAP_ANSWER } from './answer.ts';
import { type DeliverySender, type OutgoingRequest, payloadOf, type SenderInput } from '../channel.ts';

/** What a `saml_soap` row carries: the participant as recorded at login (Core §3.7.1). */
export interface SamlSoapPayload {
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string | null;
  /** Core §3.7.1 Reason URI, e.g. `urn:oasis:names:tc:SAML:2.0:logout:admin`. */
  reason: string | null;
}

/** Core §3.7.3.1 reasons: the user's own logout, or an administrator's (expiry counts as admin). */
export const LOGOUT_REASON = {
  user: 'urn:oasis:names:tc:SAML:2.0:logout:user',
  admin: 'urn:oasis:names:tc:SAML:2.0:logout:admin',
} as const;

/** NotOnOrAfter of a LogoutRequest, seconds: enough for one attempt, a fresh one per retry. */
const REQUEST_LIFETIME_S = 120;

function soapUrl(input: SenderInput): string | null {
  if (input.client.protocol !== 'saml') return null;
  return samlSettingsOf(input.client).sloUrl.soap;
}

async function request(
  input: SenderInput,
  p: Partial<SamlSoapPayload>,
  probe: boolean,
): Promise<OutgoingRequest | null> {
  const url = soapUrl(input);
  if (!url || !p.nameId) return null;
  const settings = samlSettingsOf(input.client);
  const key = settings.signDocument ? await realmSigningKey(input.keys, input.realm) : null;
  const built = buildLogoutRequest({
    issuer: input.urls.issuer(input.realm.name),
    destination: url,
    nameId: { value: p.nameId, format: p.nameIdFormat ?? NAME_ID_FORMATS[settings.nameIdFormat] },
    sessionIndexes: p.sessionIndex ? [p.sessionIndex] : [],
    now: Date.now(),
    lifetime: REQUEST_LIFETIME_S,
    reason: p.reason ?? null,
    signWith: key ? { key, algorithm: settings.signatureAlgorithm } : null,
  });
  return {
    url,
    contentType: 'text/xml; charset=utf-8',
    body: wrapSoap(built.xml),
    // SOAP 1.1 over HTTP (Bindings §3.2.3.3): SOAPAction, the value Keycloak sends.
    headers: { SOAPAction: `"${SOAP_ACTION}"`, Accept: 'text/xml' },
    maxBody: MAX_SOAP_ANSWER,
    judge: (res) => judgeSoapAnswer(settings, built.id, res, probe),
  };
}

export const samlSoapSender: DeliverySender = {
  kind: 'saml_soap',
  targetName: 'SOAP SLO URL',
  target: soapUrl,
  build: (input, d) => request(input, payloadOf<SamlSoapPayload>(d), false),
  // A NameID and SessionIndex nobody has: a working SP answers a valid LogoutResponse (its status
  // may well be UnknownPrincipal or Requester; any signed answer to this request proves the path).
  probe: (input, marker) =>
    request(
      input,
      { nameId: `sundown-doctor-${marker}`, sessionIndex: `sundown-doctor-${marker}`, reason: LOGOUT_REASON.admin },
      true,
    ),
};
