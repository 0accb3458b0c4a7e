// OpenID Provider metadata (OIDC Discovery 1.0 §3) plus the logout metadata of standards §1.
import type { ProviderUrls } from '../context.ts';
import { SUPPORTED_SIGNING_ALGS } from '../crypto/signing-keys.ts';
import type { Realm } from '../realm/model.ts';
import { RESPONSE_MODES } from './authorize/response-mode.ts';
import { SUPPORTED_SCOPES } from '../tokens/scopes.ts';

export function discoveryDocument(urls: ProviderUrls, realm: Realm): Record<string, unknown> {
  const e = (path: string) => urls.endpoint(realm.name, path);
  return {
    issuer: urls.issuer(realm.name),
    authorization_endpoint: e('auth'),
    token_endpoint: e('token'),
    userinfo_endpoint: e('userinfo'),
    jwks_uri: e('certs'),
    end_session_endpoint: e('logout'),
    // OIDC Session Management 1.0 §3.3, at Keycloak's path.
    check_session_iframe: e('login-status-iframe.html'),
    revocation_endpoint: e('revoke'),
    introspection_endpoint: e('token/introspect'),
    response_types_supported: ['code'],
    response_modes_supported: [...RESPONSE_MODES],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'password'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...SUPPORTED_SIGNING_ALGS],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: [...SUPPORTED_SCOPES],
    claims_supported: [
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'sid',
      'azp',
      'preferred_username',
      'name',
      'given_name',
      'family_name',
      'email',
      'email_verified',
    ],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    authorization_response_iss_parameter_supported: true,
    // Standards §1: certification requires the session flags.
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
  };
}
