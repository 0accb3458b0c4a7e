// An upstream OpenID provider of a realm, as Keycloak's IdentityProviderRepresentation shapes it
// (providerId `oidc` or `keycloak-oidc`; keycloak-brokering.md "Realm JSON"). The stored row keeps
// the representation's fields; this is the typed view the sign-in and logout code reads.
import type { IdentityProviderTable } from '../store/schema.ts';

/** The provider types Sundown brokers; every other Keycloak type is reported as not supported. */
export const SUPPORTED_PROVIDER_IDS = ['oidc', 'keycloak-oidc'] as const;
export type BrokerProviderId = (typeof SUPPORTED_PROVIDER_IDS)[number];

/** Keycloak's identityProviderMapper types Sundown applies at first sign-in. */
export const SUPPORTED_MAPPER_TYPES = [
  'oidc-username-idp-mapper',
  'oidc-user-attribute-idp-mapper',
  'oidc-hardcoded-role-idp-mapper',
  'oidc-role-idp-mapper',
  'hardcoded-attribute-idp-mapper',
] as const;

export interface IdentityProviderMapper {
  name: string;
  identityProviderMapper: string;
  config: Record<string, string>;
}

/** How the upstream authenticates us at its token endpoint (Keycloak's clientAuthMethod). */
export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic';

export interface UpstreamConfig {
  /** The upstream's issuer (`iss` of its ID and logout tokens). */
  issuer: string;
  authorizationUrl: string | null;
  tokenUrl: string | null;
  userInfoUrl: string | null;
  jwksUrl: string | null;
  logoutUrl: string | null;
  /** Where the endpoints are read from when not all are given (OIDC Discovery 1.0 §4). */
  metadataUrl: string | null;
  clientId: string;
  clientSecret: string | null;
  clientAuthMethod: ClientAuthMethod;
  defaultScope: string;
  pkceEnabled: boolean;
  backchannelSupported: boolean;
  sendIdTokenOnLogout: boolean;
  sendClientIdOnLogout: boolean;
  /** Keycloak's syncMode: LEGACY, IMPORT or FORCE (FORCE updates the user's profile at every sign-in). */
  syncMode: 'LEGACY' | 'IMPORT' | 'FORCE';
  /** Signature algorithms accepted on the upstream's ID and logout tokens (never `none`). */
  algorithms: string[];
}

export interface IdentityProvider {
  id: string;
  realmId: string;
  alias: string;
  providerId: BrokerProviderId;
  enabled: boolean;
  displayName: string | null;
  trustEmail: boolean;
  storeToken: boolean;
  linkOnly: boolean;
  hideOnLogin: boolean;
  firstBrokerLoginFlowAlias: string;
  config: UpstreamConfig;
  /** Keycloak's config map as imported (the admin API returns it, the secret masked). */
  rawConfig: Record<string, string>;
  mappers: IdentityProviderMapper[];
}

/** The settings kept beside the config map. */
export interface IdentityProviderSettings {
  trustEmail: boolean;
  storeToken: boolean;
  linkOnly: boolean;
  hideOnLogin: boolean;
  firstBrokerLoginFlowAlias: string;
}

/** Signature algorithms accepted by default: the asymmetric JWS algorithms (RFC 8725 §3.1). */
export const DEFAULT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

function flag(v: string | undefined, fallback: boolean): boolean {
  return v === undefined ? fallback : v === 'true';
}

/** The typed config of a Keycloak config map (already validated: identity-provider-json.ts). */
export function upstreamConfigOf(config: Record<string, string>): UpstreamConfig {
  const method = config.clientAuthMethod === 'client_secret_basic' ? 'client_secret_basic' : 'client_secret_post';
  const sync = config.syncMode === 'FORCE' || config.syncMode === 'IMPORT' ? config.syncMode : 'LEGACY';
  const alg = config.validateSignatureAlgorithm ?? config['validateSignature.algorithm'];
  return {
    issuer: config.issuer ?? '',
    authorizationUrl: config.authorizationUrl || null,
    tokenUrl: config.tokenUrl || null,
    userInfoUrl: config.userInfoUrl || null,
    jwksUrl: config.jwksUrl || null,
    logoutUrl: config.logoutUrl || null,
    metadataUrl: config.metadataDescriptorUrl || null,
    clientId: config.clientId ?? '',
    clientSecret: config.clientSecret ?? null,
    clientAuthMethod: method,
    defaultScope: config.defaultScope?.trim() || 'openid',
    pkceEnabled: flag(config.pkceEnabled, false),
    backchannelSupported: flag(config.backchannelSupported, false),
    sendIdTokenOnLogout: flag(config.sendIdTokenOnLogout, true),
    sendClientIdOnLogout: flag(config.sendClientIdOnLogout, false),
    syncMode: sync,
    algorithms: alg && alg !== 'none' ? [alg] : DEFAULT_ALGORITHMS,
  };
}

export function identityProviderFromRow(row: IdentityProviderTable): IdentityProvider {
  const settings = JSON.parse(row.settings) as IdentityProviderSettings;
  const rawConfig = JSON.parse(row.config) as Record<string, string>;
  return {
    id: row.id,
    realmId: row.realm_id,
    alias: row.alias,
    providerId: row.provider_id as BrokerProviderId,
    enabled: row.enabled === 1,
    displayName: row.display_name,
    ...settings,
    config: upstreamConfigOf(rawConfig),
    rawConfig,
    mappers: JSON.parse(row.mappers) as IdentityProviderMapper[],
  };
}
