// Keycloak's identityProviders in a realm file: oidc and keycloak-oidc are read with their
// mappers; validateSignature "false" is refused with a clear error; other types are listed as not
// supported; users' federatedIdentities are read.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRealmJson, RealmImportError } from '../../src/realm-import/realm-json.ts';

const config = {
  issuer: 'https://up.example',
  authorizationUrl: 'https://up.example/auth',
  tokenUrl: 'https://up.example/token',
  jwksUrl: 'https://up.example/jwks',
  clientId: 'sundown',
  clientSecret: 's',
};

function realm(extra: Record<string, unknown>) {
  return { realm: 'r', ...extra };
}

describe('identityProviders in realm JSON', () => {
  test('oidc and keycloak-oidc providers are read with their mappers', () => {
    const {
      realm: r,
      warnings,
      ignored,
    } = parseRealmJson(
      realm({
        identityProviders: [
          { alias: 'corp', providerId: 'oidc', displayName: 'Corp', trustEmail: true, hideOnLogin: true, config },
          { alias: 'kc', providerId: 'keycloak-oidc', config: { ...config, issuer: 'https://kc.example/realms/a' } },
        ],
        identityProviderMappers: [
          {
            name: 'username',
            identityProviderAlias: 'corp',
            identityProviderMapper: 'oidc-username-idp-mapper',
            config: { template: '${ALIAS}.${CLAIM.preferred_username}' },
          },
        ],
      }),
    );
    assert.deepEqual(
      r.identityProviders.map((p) => [p.alias, p.provider_id, p.mappers.length]),
      [
        ['corp', 'oidc', 1],
        ['kc', 'keycloak-oidc', 0],
      ],
    );
    assert.equal(JSON.parse(r.identityProviders[0]!.settings).hideOnLogin, true);
    assert.deepEqual(warnings, []);
    assert.ok(!ignored.includes('$.identityProviders'));
  });

  test('validateSignature "false" is refused with a clear error', () => {
    assert.throws(
      () =>
        parseRealmJson(
          realm({
            identityProviders: [
              { alias: 'corp', providerId: 'oidc', config: { ...config, validateSignature: 'false' } },
            ],
          }),
        ),
      (err: unknown) =>
        err instanceof RealmImportError &&
        err.path === '$.identityProviders[0].config.validateSignature' &&
        /always checked/.test(err.message),
    );
  });

  test('an issuer is required (tokens are checked against it)', () => {
    const rest: Record<string, string> = { ...config };
    delete rest.issuer;
    assert.throws(
      () => parseRealmJson(realm({ identityProviders: [{ alias: 'corp', providerId: 'oidc', config: rest }] })),
      (err: unknown) => err instanceof RealmImportError && err.path === '$.identityProviders[0].config.issuer',
    );
  });

  test('other provider types are listed as not supported, not imported', () => {
    const { realm: r, warnings } = parseRealmJson(
      realm({
        identityProviders: [{ alias: 'saml-corp', providerId: 'saml', config: {} }],
        identityProviderMappers: [
          { name: 'm', identityProviderAlias: 'saml-corp', identityProviderMapper: 'x', config: {} },
        ],
      }),
    );
    assert.deepEqual(r.identityProviders, []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /"saml-corp" \(providerId "saml"\) is not supported/);
  });

  test("users' federatedIdentities are read", () => {
    const { realm: r } = parseRealmJson(
      realm({
        identityProviders: [{ alias: 'corp', providerId: 'oidc', config }],
        users: [{ username: 'u', federatedIdentities: [{ identityProvider: 'corp', userId: 'up-1', userName: 'u1' }] }],
      }),
    );
    assert.deepEqual(r.users[0]!.federatedIdentities, [{ identityProvider: 'corp', userId: 'up-1', userName: 'u1' }]);
  });
});
