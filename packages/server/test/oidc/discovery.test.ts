// Discovery announces exactly what the endpoints accept: each list is the table the endpoint
// uses (grant table, authorization checks, client authentication, signing algorithms, scopes and
// their claims), and the endpoints act on every announced value (OIDC Discovery 1.0 §3).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SUPPORTED_SIGNING_ALGS } from '../../src/crypto/signing-keys.ts';
import { CLIENT_AUTH_METHODS } from '../../src/http/client-auth.ts';
import {
  CODE_CHALLENGE_METHODS,
  PROMPTS,
  RESPONSE_MODES,
  RESPONSE_TYPES,
} from '../../src/oidc/authorize/check-request.ts';
import { INTROSPECTION_AUTH_METHODS } from '../../src/oidc/introspect.ts';
import { GRANTS } from '../../src/oidc/token/grants.ts';
import { KEYCLOAK_CLAIMS_SUPPORTED } from '../../src/oidc/discovery.ts';
import { ID_TOKEN_CLAIMS } from '../../src/tokens/token-issuer.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, basic, form, pkce } from '../helpers/oauth.ts';
import { ISSUER, OIDC, startTestProvider, type TestProvider } from '../helpers/provider.ts';

describe('discovery', () => {
  let t: TestProvider;
  let doc: Record<string, unknown>;
  before(async () => {
    t = await startTestProvider(TEST_DATABASES[0]!);
    doc = (await (await t.fetch(`${ISSUER}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  });
  after(() => t?.close());

  test('every list is the table its endpoint uses', () => {
    assert.deepEqual(doc.grant_types_supported, Object.keys(GRANTS));
    assert.deepEqual(doc.response_types_supported, RESPONSE_TYPES);
    assert.deepEqual(doc.response_modes_supported, RESPONSE_MODES);
    assert.deepEqual(doc.prompt_values_supported, PROMPTS);
    assert.deepEqual(doc.code_challenge_methods_supported, CODE_CHALLENGE_METHODS);
    assert.deepEqual(doc.token_endpoint_auth_methods_supported, CLIENT_AUTH_METHODS);
    assert.deepEqual(doc.revocation_endpoint_auth_methods_supported, CLIENT_AUTH_METHODS);
    assert.deepEqual(doc.introspection_endpoint_auth_methods_supported, INTROSPECTION_AUTH_METHODS);
    assert.deepEqual(doc.id_token_signing_alg_values_supported, SUPPORTED_SIGNING_ALGS);
    assert.deepEqual(doc.claims_supported, [...new Set([...ID_TOKEN_CLAIMS, ...KEYCLOAK_CLAIMS_SUPPORTED])]);
  });

  test("scopes_supported is openid and the realm's OpenID Connect client scopes (Keycloak's built-in ones)", () => {
    assert.deepEqual(doc.scopes_supported, [
      'openid',
      'acr',
      'address',
      'basic',
      'email',
      'microprofile-jwt',
      'offline_access',
      'phone',
      'profile',
      'roles',
      'web-origins',
    ]);
  });

  test('the token endpoint dispatches every announced grant type', async () => {
    for (const grantType of doc.grant_types_supported as string[]) {
      const res = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: grantType }, { authorization: basic('web', 'web-secret') }),
      );
      const body = (await res.json()) as { error: string };
      assert.notEqual(body.error, 'unsupported_grant_type', grantType);
    }
    const unknown = await t.fetch(
      `${OIDC}/token`,
      form({ grant_type: 'urn:example:unknown' }, { authorization: basic('web', 'web-secret') }),
    );
    assert.equal(((await unknown.json()) as { error: string }).error, 'unsupported_grant_type');
  });

  test('the authorization endpoint accepts every announced prompt, response type and mode', async () => {
    const { challenge } = pkce();
    const base = {
      client_id: 'web',
      redirect_uri: 'https://web.example/callback',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    for (const prompt of doc.prompt_values_supported as string[]) {
      const res = await t.fetch(authUrl({ ...base, prompt }));
      // A login form, or (prompt=none without a session) login_required back at the client.
      if (res.status === 302)
        assert.equal(new URL(res.headers.get('location')!).searchParams.get('error'), 'login_required', prompt);
      else assert.equal(res.status, 200, prompt);
    }
    for (const responseType of doc.response_types_supported as string[]) {
      for (const mode of doc.response_modes_supported as string[]) {
        assert.equal(
          (await t.fetch(authUrl({ ...base, response_type: responseType, response_mode: mode }))).status,
          200,
          `${responseType} ${mode}`,
        );
      }
    }
  });
});
