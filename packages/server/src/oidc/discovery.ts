// OpenID Provider metadata (OIDC Discovery 1.0 §3) plus the logout metadata of standards §1.
// Every list is the table the endpoints themselves use, so what is announced is what is accepted.
import { SUPPORTED_SIGNING_ALGS } from '../crypto/signing-keys.ts';
import { CLIENT_AUTH_METHODS } from '../http/client-auth.ts';
import { jsonResponse } from '../http/respond.ts';
import type { ProviderUrls, UsesUrls } from '../provider-urls.ts';
import type { Realm } from '../realm/model.ts';
import type { RealmAccess } from '../access/realm-access.ts';
import type { UsesAccessModel } from '../access/capabilities.ts';
import { OPENID } from '../tokens/scopes.ts';
import { ID_TOKEN_CLAIMS } from '../tokens/token-issuer.ts';
import { CODE_CHALLENGE_METHODS, PROMPTS, RESPONSE_MODES, RESPONSE_TYPES } from './authorize/check-request.ts';
import { INTROSPECTION_AUTH_METHODS } from './introspect.ts';
import { GRANT_TYPES } from './token/grants.ts';

/** GET /realms/{realm}/.well-known/openid-configuration (OIDC Discovery §4); caches may keep it a minute. */
export async function discoveryEndpoint(ctx: UsesUrls & UsesAccessModel, realm: Realm): Promise<Response> {
  const access = await ctx.accessModel.of(realm.id);
  return jsonResponse(discoveryDocument(ctx.urls, realm, access), 200, { 'Cache-Control': 'public, max-age=60' });
}

/** Keycloak's claims_supported (OIDCWellKnownProvider.DEFAULT_CLAIMS_SUPPORTED). */
export const KEYCLOAK_CLAIMS_SUPPORTED = [
  'aud',
  'sub',
  'iss',
  'auth_time',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'email',
  'acr',
] as const;

/**
 * The realm's OpenID Connect client scopes, `openid` first, as Keycloak lists them
 * (OIDCWellKnownProvider: those whose `include.in.openid.provider.metadata` is not "false").
 */
export function scopesSupported(access: RealmAccess): string[] {
  const scopes = access
    .scopes()
    .filter((s) => s.protocol === 'openid-connect' && s.attributes['include.in.openid.provider.metadata'] !== 'false')
    .map((s) => s.name);
  return [OPENID, ...scopes.sort()];
}

export function discoveryDocument(urls: ProviderUrls, realm: Realm, access: RealmAccess): Record<string, unknown> {
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
    response_types_supported: [...RESPONSE_TYPES],
    response_modes_supported: [...RESPONSE_MODES],
    grant_types_supported: [...GRANT_TYPES],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...SUPPORTED_SIGNING_ALGS],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    introspection_endpoint_auth_methods_supported: [...INTROSPECTION_AUTH_METHODS],
    code_challenge_methods_supported: [...CODE_CHALLENGE_METHODS],
    scopes_supported: scopesSupported(access),
    claims_supported: [...new Set([...ID_TOKEN_CLAIMS, ...KEYCLOAK_CLAIMS_SUPPORTED])],
    prompt_values_supported: [...PROMPTS],
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
