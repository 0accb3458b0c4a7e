// LogoutRequest (Core §3.7.1) and LogoutResponse (Core §3.7.2) from the IdP (saml.md §4).
// For POST and SOAP pass `signWith` for an enveloped signature; for Redirect leave it null and
// sign the query (redirect-binding.ts encodeRedirectUrl), as Bindings §3.4.4.1 requires.
import type { BuiltMessage } from './build-response.ts';
import { statusXml } from './build-response.ts';
import type { NameId } from './name-id.ts';
import type { SamlSignatureAlgorithm } from './saml-client-attributes.ts';
import { NS, STATUS } from './saml-constants.ts';
import { newSamlId, samlInstant } from './saml-ids.ts';
import { type RealmSigningKey, signEnveloped } from './sign-enveloped.ts';
import { xmlAttr as a, xmlText as t } from './xml-text.ts';

type SignWith = { key: RealmSigningKey; algorithm: SamlSignatureAlgorithm } | null;

export interface LogoutRequestInput {
  issuer: string;
  /** The SP's SLO URL for the chosen binding. */
  destination: string;
  /** The NameID and Format the participant was given at login. */
  nameId: NameId;
  sessionIndexes: string[];
  now: number;
  /** NotOnOrAfter, seconds from now (Keycloak: the access-code lifespan). */
  lifetime: number;
  /** Core §3.7.1 Reason, e.g. `urn:oasis:names:tc:SAML:2.0:logout:admin`. */
  reason?: string | null;
  signWith: SignWith;
}

export function buildLogoutRequest(input: LogoutRequestInput): BuiltMessage {
  const id = newSamlId();
  const reason = input.reason ? ` Reason="${a(input.reason)}"` : '';
  const xml =
    `<samlp:LogoutRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${id}" Version="2.0" IssueInstant="${samlInstant(input.now)}" Destination="${a(input.destination)}" NotOnOrAfter="${samlInstant(input.now + input.lifetime * 1000)}"${reason}>` +
    `<saml:Issuer>${t(input.issuer)}</saml:Issuer>` +
    `<saml:NameID Format="${a(input.nameId.format)}">${t(input.nameId.value)}</saml:NameID>` +
    input.sessionIndexes.map((s) => `<samlp:SessionIndex>${t(s)}</samlp:SessionIndex>`).join('') +
    `</samlp:LogoutRequest>`;
  return { id, xml: input.signWith ? signEnveloped(xml, id, input.signWith.key, input.signWith.algorithm) : xml };
}

export interface LogoutResponseInput {
  issuer: string;
  destination: string | null;
  inResponseTo: string;
  now: number;
  status?: string;
  subStatus?: string | null;
  message?: string | null;
  signWith: SignWith;
}

export function buildLogoutResponse(input: LogoutResponseInput): BuiltMessage {
  const id = newSamlId();
  const destination = input.destination === null ? '' : ` Destination="${a(input.destination)}"`;
  const xml =
    `<samlp:LogoutResponse xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${id}" Version="2.0" IssueInstant="${samlInstant(input.now)}"${destination} InResponseTo="${a(input.inResponseTo)}">` +
    `<saml:Issuer>${t(input.issuer)}</saml:Issuer>${statusXml(input.status ?? STATUS.success, input.subStatus ?? null, input.message ?? null)}</samlp:LogoutResponse>`;
  return { id, xml: input.signWith ? signEnveloped(xml, id, input.signWith.key, input.signWith.algorithm) : xml };
}
