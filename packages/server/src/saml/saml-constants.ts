// Names fixed by the SAML 2.0 specifications (OASIS SAML 2.0 Core, Bindings, Profiles, 2005 os)
// and XML-DSig, in one place so every module spells them the same way.

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
} as const;

/** Bindings §3.3–3.5 binding identifiers. */
export const BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  soap: 'urn:oasis:names:tc:SAML:2.0:bindings:SOAP',
  artifact: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact',
} as const;

/** Core §8.3 name identifier formats. */
export const NAMEID_FORMAT = {
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
} as const;
export type NameIdFormatUri = (typeof NAMEID_FORMAT)[keyof typeof NAMEID_FORMAT];

/** Core §3.2.2.2 top-level and second-level status codes used here. */
export const STATUS = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  versionMismatch: 'urn:oasis:names:tc:SAML:2.0:status:VersionMismatch',
  requestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  requestUnsupported: 'urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported',
  invalidNameIdPolicy: 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy',
  noPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
  unknownPrincipal: 'urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal',
  partialLogout: 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout',
} as const;

/** Core §2.7.2.2 / Profiles §4.1.4.2: the bearer confirmation method. */
export const CM_BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
/** Authentication context class (SAML AuthnContext §3.4): Keycloak sends "unspecified". */
export const AC_UNSPECIFIED = 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified';

/** XML-DSig / XML Signature Syntax 1.1 algorithm identifiers (saml.md §5, §8.3). */
export const ALG = {
  /** Only for a client whose saml.signature.algorithm is RSA_SHA1 (saml-client-attributes.ts). */
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  envelopedSignature: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

/** SOAPAction header Keycloak sends with back-channel LogoutRequests (Bindings §3.2.2.1). */
export const SOAP_ACTION = 'http://www.oasis-open.org/committees/security';
