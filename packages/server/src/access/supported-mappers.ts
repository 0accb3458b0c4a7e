// The protocol mapper types Sundown evaluates (tokens/claims/mappers/ and saml/attributes/ have
// one implementation each; a test checks the lists agree). A mapper of another type is kept —
// shown by the admin API, exported again — but adds nothing to tokens, and realm import and the
// admin API say so (docs/keycloak.md lists every Keycloak mapper type and built-in scope).

export const SUPPORTED_OIDC_MAPPERS = [
  'oidc-usermodel-property-mapper',
  'oidc-usermodel-attribute-mapper',
  'oidc-full-name-mapper',
  'oidc-hardcoded-claim-mapper',
  'oidc-hardcoded-role-mapper',
  'oidc-audience-mapper',
  'oidc-audience-resolve-mapper',
  'oidc-usermodel-realm-role-mapper',
  'oidc-usermodel-client-role-mapper',
  'oidc-group-membership-mapper',
  'oidc-allowed-origins-mapper',
  'oidc-acr-mapper',
  'oidc-sub-mapper',
  'oidc-usersessionmodel-note-mapper',
  'oidc-address-mapper',
] as const;

export const SUPPORTED_SAML_MAPPERS = [
  'saml-role-list-mapper',
  'saml-user-property-mapper',
  'saml-user-attribute-mapper',
  'saml-hardcode-attribute-mapper',
] as const;

const SUPPORTED = new Set<string>([...SUPPORTED_OIDC_MAPPERS, ...SUPPORTED_SAML_MAPPERS]);

export function isSupportedMapper(type: string): boolean {
  return SUPPORTED.has(type);
}
