// The client scopes every new Keycloak realm has, as a Keycloak 25/26 realm export writes them
// (OIDCLoginProtocolFactory.createDefaultClientScopesImpl, DefaultClientScopes,
// SamlProtocolFactory): names, attributes and protocol mappers with their config. A realm
// created in Sundown (an import without `clientScopes`, POST /admin/realms, the master realm)
// gets them, and so do realms stored before migration 0015 (access-upgrade.ts).

/** A client scope as Keycloak's ClientScopeRepresentation writes it. */
export interface ClientScopeDefinition {
  name: string;
  description: string;
  protocol: 'openid-connect' | 'saml';
  attributes: Record<string, string>;
  protocolMappers: Array<{ name: string; protocolMapper: string; config: Record<string, string> }>;
}

const OIDC = 'openid-connect';
const T = 'true';

/** The config of a user attribute/property claim mapper in every token and userinfo. */
function claim(attribute: string, claimName: string, jsonType = 'String'): Record<string, string> {
  return {
    'introspection.token.claim': T,
    'userinfo.token.claim': T,
    'user.attribute': attribute,
    'id.token.claim': T,
    'access.token.claim': T,
    'claim.name': claimName,
    'jsonType.label': jsonType,
  };
}

const attributeMapper = (name: string, attribute: string, claimName: string, jsonType = 'String') => ({
  name,
  protocolMapper: 'oidc-usermodel-attribute-mapper',
  config: claim(attribute, claimName, jsonType),
});

export const BUILTIN_CLIENT_SCOPES: readonly ClientScopeDefinition[] = [
  {
    name: 'profile',
    description: 'OpenID Connect built-in scope: profile',
    protocol: OIDC,
    attributes: {
      'include.in.token.scope': T,
      'consent.screen.text': '${profileScopeConsentText}',
      'display.on.consent.screen': T,
    },
    protocolMappers: [
      {
        name: 'full name',
        protocolMapper: 'oidc-full-name-mapper',
        config: {
          'id.token.claim': T,
          'introspection.token.claim': T,
          'access.token.claim': T,
          'userinfo.token.claim': T,
        },
      },
      attributeMapper('family name', 'lastName', 'family_name'),
      attributeMapper('given name', 'firstName', 'given_name'),
      attributeMapper('middle name', 'middleName', 'middle_name'),
      attributeMapper('nickname', 'nickname', 'nickname'),
      attributeMapper('username', 'username', 'preferred_username'),
      attributeMapper('profile', 'profile', 'profile'),
      attributeMapper('picture', 'picture', 'picture'),
      attributeMapper('website', 'website', 'website'),
      attributeMapper('gender', 'gender', 'gender'),
      attributeMapper('birthdate', 'birthdate', 'birthdate'),
      attributeMapper('zoneinfo', 'zoneinfo', 'zoneinfo'),
      attributeMapper('locale', 'locale', 'locale'),
      attributeMapper('updated at', 'updatedAt', 'updated_at', 'long'),
    ],
  },
  {
    name: 'email',
    description: 'OpenID Connect built-in scope: email',
    protocol: OIDC,
    attributes: {
      'include.in.token.scope': T,
      'consent.screen.text': '${emailScopeConsentText}',
      'display.on.consent.screen': T,
    },
    protocolMappers: [
      attributeMapper('email', 'email', 'email'),
      {
        name: 'email verified',
        protocolMapper: 'oidc-usermodel-property-mapper',
        config: claim('emailVerified', 'email_verified', 'boolean'),
      },
    ],
  },
  {
    name: 'address',
    description: 'OpenID Connect built-in scope: address',
    protocol: OIDC,
    attributes: {
      'include.in.token.scope': T,
      'consent.screen.text': '${addressScopeConsentText}',
      'display.on.consent.screen': T,
    },
    protocolMappers: [
      {
        name: 'address',
        protocolMapper: 'oidc-address-mapper',
        config: {
          'user.attribute.formatted': 'formatted',
          'user.attribute.country': 'country',
          'introspection.token.claim': T,
          'user.attribute.postal_code': 'postal_code',
          'userinfo.token.claim': T,
          'user.attribute.street': 'street',
          'id.token.claim': T,
          'user.attribute.region': 'region',
          'access.token.claim': T,
          'user.attribute.locality': 'locality',
        },
      },
    ],
  },
  {
    name: 'phone',
    description: 'OpenID Connect built-in scope: phone',
    protocol: OIDC,
    attributes: {
      'include.in.token.scope': T,
      'consent.screen.text': '${phoneScopeConsentText}',
      'display.on.consent.screen': T,
    },
    protocolMappers: [
      attributeMapper('phone number', 'phoneNumber', 'phone_number'),
      attributeMapper('phone number verified', 'phoneNumberVerified', 'phone_number_verified', 'boolean'),
    ],
  },
  {
    name: 'offline_access',
    description: 'OpenID Connect built-in scope: offline_access',
    protocol: OIDC,
    attributes: { 'consent.screen.text': '${offlineAccessScopeConsentText}', 'display.on.consent.screen': T },
    protocolMappers: [],
  },
  {
    name: 'roles',
    description: 'OpenID Connect scope for add user roles to the access token',
    protocol: OIDC,
    attributes: {
      'include.in.token.scope': 'false',
      'consent.screen.text': '${rolesScopeConsentText}',
      'display.on.consent.screen': T,
    },
    protocolMappers: [
      {
        name: 'client roles',
        protocolMapper: 'oidc-usermodel-client-role-mapper',
        config: {
          'user.attribute': 'foo',
          'introspection.token.claim': T,
          'access.token.claim': T,
          'claim.name': 'resource_access.${client_id}.roles',
          'jsonType.label': 'String',
          multivalued: T,
        },
      },
      {
        name: 'realm roles',
        protocolMapper: 'oidc-usermodel-realm-role-mapper',
        config: {
          'user.attribute': 'foo',
          'introspection.token.claim': T,
          'access.token.claim': T,
          'claim.name': 'realm_access.roles',
          'jsonType.label': 'String',
          multivalued: T,
        },
      },
      {
        name: 'audience resolve',
        protocolMapper: 'oidc-audience-resolve-mapper',
        config: { 'introspection.token.claim': T, 'access.token.claim': T },
      },
    ],
  },
  {
    name: 'web-origins',
    description: 'OpenID Connect scope for add allowed web origins to the access token',
    protocol: OIDC,
    attributes: { 'include.in.token.scope': 'false', 'consent.screen.text': '', 'display.on.consent.screen': 'false' },
    protocolMappers: [
      {
        name: 'allowed web origins',
        protocolMapper: 'oidc-allowed-origins-mapper',
        config: { 'introspection.token.claim': T, 'access.token.claim': T },
      },
    ],
  },
  {
    name: 'microprofile-jwt',
    description: 'Microprofile - JWT built-in scope',
    protocol: OIDC,
    attributes: { 'include.in.token.scope': T, 'display.on.consent.screen': 'false' },
    protocolMappers: [
      attributeMapper('upn', 'username', 'upn'),
      {
        name: 'groups',
        protocolMapper: 'oidc-usermodel-realm-role-mapper',
        config: {
          'introspection.token.claim': T,
          multivalued: T,
          'user.attribute': 'foo',
          'id.token.claim': T,
          'access.token.claim': T,
          'claim.name': 'groups',
          'jsonType.label': 'String',
        },
      },
    ],
  },
  {
    name: 'acr',
    description: 'OpenID Connect scope for add acr (authentication context class reference) to the token',
    protocol: OIDC,
    attributes: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' },
    protocolMappers: [
      {
        name: 'acr loa level',
        protocolMapper: 'oidc-acr-mapper',
        config: { 'id.token.claim': T, 'introspection.token.claim': T, 'access.token.claim': T },
      },
    ],
  },
  {
    name: 'basic',
    description: 'OpenID Connect scope for add all basic claims to the token',
    protocol: OIDC,
    attributes: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' },
    protocolMappers: [
      {
        name: 'auth_time',
        protocolMapper: 'oidc-usersessionmodel-note-mapper',
        config: {
          'user.session.note': 'AUTH_TIME',
          'id.token.claim': T,
          'introspection.token.claim': T,
          'access.token.claim': T,
          'claim.name': 'auth_time',
          'jsonType.label': 'long',
        },
      },
      {
        name: 'sub',
        protocolMapper: 'oidc-sub-mapper',
        config: { 'introspection.token.claim': T, 'access.token.claim': T },
      },
    ],
  },
  {
    name: 'role_list',
    description: 'SAML role list',
    protocol: 'saml',
    attributes: { 'consent.screen.text': '${samlRoleListScopeConsentText}', 'display.on.consent.screen': T },
    protocolMappers: [
      {
        name: 'role list',
        protocolMapper: 'saml-role-list-mapper',
        config: { single: 'false', 'attribute.nameformat': 'Basic', 'attribute.name': 'Role' },
      },
    ],
  },
];

/** A new realm's `defaultDefaultClientScopes`. */
export const BUILTIN_DEFAULT_SCOPES = ['role_list', 'profile', 'email', 'roles', 'web-origins', 'acr', 'basic'];
/** A new realm's `defaultOptionalClientScopes`. */
export const BUILTIN_OPTIONAL_SCOPES = ['offline_access', 'address', 'phone', 'microprofile-jwt'];

/**
 * DefaultClientScopes.createOfflineAccessClientScope: the offline_access scope maps the
 * offline_access role, so a client without full scope still gets it when the scope is requested.
 */
export const BUILTIN_SCOPE_ROLES: Readonly<Record<string, readonly string[]>> = { offline_access: ['offline_access'] };

/** The roles Keycloak creates with every realm, composites of its default role (RealmManager). */
export const BUILTIN_DEFAULT_ROLE_COMPOSITES = ['offline_access', 'uma_authorization'];

/** Descriptions Keycloak gives the built-in roles. */
export const BUILTIN_ROLE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  offline_access: '${role_offline-access}',
  uma_authorization: '${role_uma_authorization}',
  default: '${role_default-roles}',
};
