// The Response to an AuthnRequest (Core §3.3.3, §2.3.3; Web SSO Profile §4.1.4.2; saml.md §3),
// hand-written with escaping, then signed as the client asks: the Assertion first (so the
// document signature covers it with its signature), then the document. Signature after Issuer.
import type { SamlAttribute } from './login/assertion-attributes.ts';
import type { NameId } from './name-id.ts';
import type { SamlSignatureAlgorithm } from './saml-client-attributes.ts';
import { AC_UNSPECIFIED, CM_BEARER, NS, STATUS } from './saml-constants.ts';
import { newSamlId, samlInstant } from './saml-ids.ts';
import { type RealmSigningKey, signEnveloped } from './sign-enveloped.ts';
import { xmlAttr as a, xmlText as t } from './xml-text.ts';

/** NotBefore this far in the past: node-saml's default clock skew is 0 (saml.md §6). */
export const NOT_BEFORE_SKEW_MS = 30_000;

export interface ResponseSigning {
  key: RealmSigningKey;
  algorithm: SamlSignatureAlgorithm;
  /** `saml.server.signature` */
  document: boolean;
  /** `saml.assertion.signature` */
  assertion: boolean;
}

export interface LoginResponseInput {
  /** The realm issuer URL `{base}/realms/{realm}` (saml.md §1). */
  issuer: string;
  /** The ACS URL the Response is delivered to (Destination and Recipient). */
  destination: string;
  inResponseTo: string | null;
  /** The SP entity ID (Audience, Core §2.5.1.4). */
  audience: string;
  nameId: NameId;
  sessionIndex: string;
  authnInstant: number;
  sessionNotOnOrAfter: number | null;
  now: number;
  /** Conditions NotOnOrAfter, seconds (saml.assertion.lifespan, else the access-code lifespan). */
  assertionLifespan: number;
  /** SubjectConfirmationData NotOnOrAfter, seconds (Keycloak: the access-code lifespan). */
  subjectLifespan: number;
  includeAuthnStatement: boolean;
  oneTimeUse: boolean;
  /** The AttributeStatement's attributes (saml/login/assertion-attributes.ts); none: no statement. */
  attributes?: readonly SamlAttribute[];
  signing: ResponseSigning;
}

const XS = 'http://www.w3.org/2001/XMLSchema';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** Core §2.7.3: an AttributeStatement, each value typed xs:string as Keycloak sends it. */
function attributeStatement(attributes: readonly SamlAttribute[]): string {
  if (attributes.length === 0) return '';
  const values = (vs: readonly string[]) =>
    vs
      .map(
        (v) =>
          `<saml:AttributeValue xmlns:xs="${XS}" xmlns:xsi="${XSI}" xsi:type="xs:string">${t(v)}</saml:AttributeValue>`,
      )
      .join('');
  return `<saml:AttributeStatement>${attributes
    .map(
      (at) =>
        `<saml:Attribute Name="${a(at.name)}" NameFormat="${a(at.nameFormat)}"${at.friendlyName === null ? '' : ` FriendlyName="${a(at.friendlyName)}"`}>${values(at.values)}</saml:Attribute>`,
    )
    .join('')}</saml:AttributeStatement>`;
}

export interface BuiltMessage {
  id: string;
  xml: string;
}

export function buildLoginResponse(input: LoginResponseInput): BuiltMessage & { assertionId: string } {
  const id = newSamlId();
  const assertionId = newSamlId();
  const now = samlInstant(input.now);
  const inResponseTo = input.inResponseTo === null ? '' : ` InResponseTo="${a(input.inResponseTo)}"`;
  const authn = input.includeAuthnStatement
    ? `<saml:AuthnStatement AuthnInstant="${samlInstant(input.authnInstant)}" SessionIndex="${a(input.sessionIndex)}"${input.sessionNotOnOrAfter === null ? '' : ` SessionNotOnOrAfter="${samlInstant(input.sessionNotOnOrAfter)}"`}><saml:AuthnContext><saml:AuthnContextClassRef>${AC_UNSPECIFIED}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
    : '';
  const assertion =
    `<saml:Assertion xmlns:saml="${NS.assertion}" ID="${assertionId}" Version="2.0" IssueInstant="${now}">` +
    `<saml:Issuer>${t(input.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${a(input.nameId.format)}">${t(input.nameId.value)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="${CM_BEARER}"><saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${samlInstant(input.now + input.subjectLifespan * 1000)}" Recipient="${a(input.destination)}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${samlInstant(input.now - NOT_BEFORE_SKEW_MS)}" NotOnOrAfter="${samlInstant(input.now + input.assertionLifespan * 1000)}"><saml:AudienceRestriction><saml:Audience>${t(input.audience)}</saml:Audience></saml:AudienceRestriction>${input.oneTimeUse ? '<saml:OneTimeUse/>' : ''}</saml:Conditions>` +
    authn +
    attributeStatement(input.attributes ?? []) +
    `</saml:Assertion>`;
  let xml =
    `<samlp:Response xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${id}" Version="2.0" IssueInstant="${now}" Destination="${a(input.destination)}"${inResponseTo}>` +
    `<saml:Issuer>${t(input.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${STATUS.success}"/></samlp:Status>` +
    assertion +
    `</samlp:Response>`;
  const { key, algorithm } = input.signing;
  if (input.signing.assertion) xml = signEnveloped(xml, assertionId, key, algorithm);
  if (input.signing.document) xml = signEnveloped(xml, id, key, algorithm);
  return { id, assertionId, xml };
}

export interface ErrorResponseInput {
  issuer: string;
  destination: string;
  inResponseTo: string | null;
  status: string;
  subStatus: string | null;
  message: string | null;
  now: number;
  /** Signed when the client has `saml.server.signature`. */
  signWith: { key: RealmSigningKey; algorithm: SamlSignatureAlgorithm } | null;
}

/** A Response without assertion carrying an error status (Core §3.2.2.2), e.g. NoPassive. */
export function buildErrorResponse(input: ErrorResponseInput): BuiltMessage {
  const id = newSamlId();
  const xml =
    `<samlp:Response xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${id}" Version="2.0" IssueInstant="${samlInstant(input.now)}" Destination="${a(input.destination)}"${input.inResponseTo === null ? '' : ` InResponseTo="${a(input.inResponseTo)}"`}>` +
    `<saml:Issuer>${t(input.issuer)}</saml:Issuer>${statusXml(input.status, input.subStatus, input.message)}</samlp:Response>`;
  return { id, xml: input.signWith ? signEnveloped(xml, id, input.signWith.key, input.signWith.algorithm) : xml };
}

/** Core §3.2.2.1–3.2.2.3: Status with a top-level and optional second-level code. */
export function statusXml(status: string, subStatus: string | null, message: string | null): string {
  const inner = subStatus === null ? '' : `<samlp:StatusCode Value="${a(subStatus)}"/>`;
  const code =
    inner === ''
      ? `<samlp:StatusCode Value="${a(status)}"/>`
      : `<samlp:StatusCode Value="${a(status)}">${inner}</samlp:StatusCode>`;
  return `<samlp:Status>${code}${message === null ? '' : `<samlp:StatusMessage>${t(message)}</samlp:StatusMessage>`}</samlp:Status>`;
}
