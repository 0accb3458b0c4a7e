// The IdP metadata at `/realms/{realm}/protocol/saml/descriptor` (SAML Metadata §2.4.3; saml.md §1,
// Keycloak IDPMetadataDescriptor): entityID = the realm issuer URL, WantAuthnRequestsSigned,
// one signing KeyDescriptor per published RS256 key (KeyName = kid), NameID formats, and the
// single `…/protocol/saml` endpoint for each binding Sundown serves. Artifact resolution and ECP
// (SOAP SSO) are out of scope and not advertised. Element order follows the schema.
import type { X509Certificate } from 'node:crypto';
import { certificateToText } from './certificate-text.ts';
import { BINDING, NAMEID_FORMAT, NS } from './saml-constants.ts';
import { xmlAttr as a, xmlText as t } from './xml-text.ts';

export interface IdpMetadataInput {
  /** `{base}/realms/{realm}` */
  entityId: string;
  /** `{base}/realms/{realm}/protocol/saml` */
  endpoint: string;
  /** The realm's published RS256 keys, active first. */
  keys: Array<{ kid: string; certificate: X509Certificate }>;
  wantAuthnRequestsSigned?: boolean;
  /** `cacheDuration` (Metadata §2.2.2), from `saml.descriptor.cache.seconds`. */
  cacheSeconds?: number | null;
}

export function buildIdpMetadata(input: IdpMetadataInput): string {
  const keys = input.keys
    .map(
      (k) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:KeyName>${t(k.kid)}</ds:KeyName><ds:X509Data><ds:X509Certificate>${certificateToText(k.certificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join('');
  const service = (name: string, binding: string): string =>
    `<md:${name} Binding="${binding}" Location="${a(input.endpoint)}"/>`;
  const cache = input.cacheSeconds ? ` cacheDuration="PT${Math.floor(input.cacheSeconds)}S"` : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<md:EntityDescriptor xmlns:md="${NS.metadata}" xmlns:ds="${NS.dsig}" entityID="${a(input.entityId)}"${cache}>` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="${input.wantAuthnRequestsSigned ?? true}" protocolSupportEnumeration="${NS.protocol}">` +
    keys +
    service('SingleLogoutService', BINDING.post) +
    service('SingleLogoutService', BINDING.redirect) +
    service('SingleLogoutService', BINDING.soap) +
    [NAMEID_FORMAT.persistent, NAMEID_FORMAT.transient, NAMEID_FORMAT.unspecified, NAMEID_FORMAT.email]
      .map((f) => `<md:NameIDFormat>${f}</md:NameIDFormat>`)
      .join('') +
    service('SingleSignOnService', BINDING.post) +
    service('SingleSignOnService', BINDING.redirect) +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}
