// The `attributes` of a Keycloak SAML client (SamlConfigAttributes.java, SamlProtocol.java;
// saml.md §2) and what Sundown does with each. Keycloak reads booleans as `"true".equals(v)`, so
// absent means false at run time, but SamlProtocolFactory.setupClientDefaults writes defaults for
// every new client. Sundown applies those creation defaults to absent attributes (saml.md §2):
// a realm export carries every attribute explicitly, so this only decides hand-written JSON, and
// each default is the safer choice (signatures on, POST binding, exclusive c14n, RSA-SHA256).

export const SAML_ATTR = {
  acsPost: 'saml_assertion_consumer_url_post',
  acsRedirect: 'saml_assertion_consumer_url_redirect',
  sloPost: 'saml_single_logout_service_url_post',
  sloRedirect: 'saml_single_logout_service_url_redirect',
  sloSoap: 'saml_single_logout_service_url_soap',
  sloArtifact: 'saml_single_logout_service_url_artifact',
  serverSignature: 'saml.server.signature',
  assertionSignature: 'saml.assertion.signature',
  clientSignature: 'saml.client.signature',
  signingCertificate: 'saml.signing.certificate',
  signatureAlgorithm: 'saml.signature.algorithm',
  canonicalization: 'saml_signature_canonicalization_method',
  nameIdFormat: 'saml_name_id_format',
  forceNameIdFormat: 'saml_force_name_id_format',
  forcePostBinding: 'saml.force.post.binding',
  authnStatement: 'saml.authnstatement',
  encrypt: 'saml.encrypt',
  assertionLifespan: 'saml.assertion.lifespan',
  keyInfoExt: 'saml.server.signature.keyinfo.ext',
  oneTimeUse: 'saml.onetimeuse.condition',
  idpInitiatedSsoUrlName: 'saml_idp_initiated_sso_url_name',
} as const;

/** Boolean attributes and the value SamlProtocolFactory.setupClientDefaults gives a new client. */
export const BOOLEAN_DEFAULTS = {
  [SAML_ATTR.serverSignature]: true,
  [SAML_ATTR.assertionSignature]: false,
  [SAML_ATTR.clientSignature]: true,
  [SAML_ATTR.forceNameIdFormat]: false,
  [SAML_ATTR.forcePostBinding]: true,
  [SAML_ATTR.authnStatement]: true,
  [SAML_ATTR.encrypt]: false,
  [SAML_ATTR.keyInfoExt]: false,
  [SAML_ATTR.oneTimeUse]: false,
} as const;

/**
 * Keycloak's SignatureAlgorithm names Sundown signs and verifies with (saml.md §8.3). RSA_SHA1
 * only for a client that names it (stock pysaml2 signs with SHA-1): then its messages may be
 * signed with RSA-SHA1 and Sundown signs its own with it; SHA-1 is never accepted from any other
 * client, and realm import and the admin API warn about each client that uses it.
 */
export const SIGNATURE_ALGORITHMS = { RSA_SHA256: 'sha256', RSA_SHA512: 'sha512', RSA_SHA1: 'sha1' } as const;
export type SamlSignatureAlgorithm = keyof typeof SIGNATURE_ALGORITHMS;

/** `saml_name_id_format` short names (Keycloak's client setting) and their Core §8.3 URNs. */
export const NAME_ID_FORMATS = {
  username: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
} as const;
export type NameIdFormatName = keyof typeof NAME_ID_FORMATS;

/**
 * Attributes Keycloak knows that Sundown accepts without acting on them: the encryption key
 * material (only meaningful with `saml.encrypt`, which is refused), IdP-initiated SSO (out of
 * scope), and Keycloak's per-client display/consent settings.
 */
export const ACCEPTED_UNUSED = new Set<string>([
  SAML_ATTR.idpInitiatedSsoUrlName,
  SAML_ATTR.keyInfoExt,
  SAML_ATTR.sloArtifact,
  'saml.encryption.certificate',
  'saml.encryption.algorithm',
  'saml.encryption.keyAlgorithm',
  'saml.encryption.digestMethod',
  'saml.encryption.maskGenerationFunction',
  'saml.signing.private.key',
  'saml.artifact.binding',
  'saml.artifact.binding.identifier',
  'saml_idp_initiated_sso_relay_state',
  'saml_idp_initiated_sso_url_name',
  'saml.multivalued.roles',
  'saml.allow.ecp.flow',
  'saml_signature_key_name',
  'saml.assertion.signature.keyinfo.ext',
  'display.on.consent.screen',
  'consent.screen.text',
  'login_theme',
]);
