// The OpenAPI description of the identity brokering admin routes (identity-provider-endpoints.ts):
// Keycloak's identity provider instances and users' federated identities, merged into openapi.ts.
import {
  body,
  bool,
  created,
  json,
  list,
  noContent,
  operation,
  param,
  realmParam,
  ref,
  type Schema,
  str,
  strMap,
} from './openapi.ts';

export const BROKERING_TAGS = ['Identity providers'];

export function brokeringSchemas(): Record<string, Schema> {
  return {
    IdentityProviderRepresentation: {
      type: 'object',
      required: ['alias', 'providerId'],
      properties: {
        alias: str,
        internalId: str,
        providerId: { enum: ['oidc', 'keycloak-oidc'] },
        displayName: str,
        enabled: bool,
        trustEmail: bool,
        storeToken: bool,
        addReadTokenRoleOnCreate: bool,
        authenticateByDefault: bool,
        linkOnly: bool,
        hideOnLogin: bool,
        firstBrokerLoginFlowAlias: str,
        config: { ...strMap, description: 'Keycloak’s config map; clientSecret is shown as "**********"' },
      },
    },
    FederatedIdentityRepresentation: {
      type: 'object',
      required: ['identityProvider', 'userId'],
      properties: { identityProvider: str, userId: str, userName: str },
    },
  };
}

const TAG = 'Identity providers';

export function brokeringPaths(): Record<string, Record<string, Schema>> {
  const R = '/admin/realms/{realm}';
  const alias = param('alias', 'path', str, 'Identity provider alias');
  const user = param('id', 'path', str, 'User id');
  const provider = param('provider', 'path', str, 'Identity provider alias');
  return {
    [`${R}/identity-provider/instances`]: {
      get: operation('listIdentityProviders', {
        tag: TAG,
        summary: 'The realm’s upstream OpenID providers',
        params: [realmParam],
        ok: { 200: json('Identity providers', list('IdentityProviderRepresentation')) },
        errors: [404],
      }),
      post: operation('createIdentityProvider', {
        tag: TAG,
        summary: 'Add an upstream OpenID provider (oidc or keycloak-oidc; validateSignature "false" is refused)',
        params: [realmParam],
        body: body(ref('IdentityProviderRepresentation')),
        ok: { 201: created },
        errors: [400, 404, 409],
      }),
    },
    [`${R}/identity-provider/instances/{alias}`]: {
      get: operation('getIdentityProvider', {
        tag: TAG,
        summary: 'An upstream OpenID provider',
        params: [realmParam, alias],
        ok: { 200: json('Identity provider', ref('IdentityProviderRepresentation')) },
        errors: [404],
      }),
      put: operation('updateIdentityProvider', {
        tag: TAG,
        summary: 'Replace an upstream OpenID provider (a masked clientSecret keeps the stored one)',
        params: [realmParam, alias],
        body: body(ref('IdentityProviderRepresentation')),
        ok: { 204: noContent },
        errors: [400, 404],
      }),
      delete: operation('deleteIdentityProvider', {
        tag: TAG,
        summary: 'Remove an upstream OpenID provider',
        params: [realmParam, alias],
        ok: { 204: noContent },
        errors: [404],
      }),
    },
    [`${R}/users/{id}/federated-identity`]: {
      get: operation('listFederatedIdentities', {
        tag: TAG,
        summary: 'A user’s links to upstream accounts',
        params: [realmParam, user],
        ok: { 200: json('Federated identities', list('FederatedIdentityRepresentation')) },
        errors: [404],
      }),
    },
    [`${R}/users/{id}/federated-identity/{provider}`]: {
      post: operation('addFederatedIdentity', {
        tag: TAG,
        summary: 'Link a user to an upstream account ({userId, userName})',
        params: [realmParam, user, provider],
        body: body(ref('FederatedIdentityRepresentation')),
        ok: { 204: noContent },
        errors: [400, 404, 409],
      }),
      delete: operation('removeFederatedIdentity', {
        tag: TAG,
        summary: 'Unlink a user from an upstream account',
        params: [realmParam, user, provider],
        ok: { 204: noContent },
        errors: [404],
      }),
    },
  };
}
