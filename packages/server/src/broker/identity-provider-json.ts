// Reads Keycloak's `identityProviders[]` and `identityProviderMappers[]` (realm JSON and the admin
// API alike): which are brokered, which refused and why, with the JSON path of every problem.
// Signatures are always checked: `validateSignature: "false"` is refused, because an upstream
// token nobody verifies signs anyone in, or out (CVE-2026-18569, keycloak#51381).
import { isMaskedValue } from '../realm/masked-values.ts';
import type { IdentityProviderTable } from '../store/schema.ts';
import {
  type IdentityProviderMapper,
  type IdentityProviderSettings,
  SUPPORTED_MAPPER_TYPES,
  SUPPORTED_PROVIDER_IDS,
} from './identity-provider.ts';

export interface IdpProblem {
  path: string;
  message: string;
}

/** One provider as read, before it has a row id and realm. */
export type IdentityProviderInput = Omit<IdentityProviderTable, 'id' | 'realm_id' | 'created_at' | 'mappers'> & {
  mappers: IdentityProviderMapper[];
};

export interface ParsedIdentityProviders {
  providers: IdentityProviderInput[];
  problems: IdpProblem[];
  /** Providers of a type Sundown does not broker (listed in the import report), and mappers it does not apply. */
  warnings: string[];
}

const ALIAS = /^[A-Za-z0-9._-]{1,64}$/;
const URL_KEYS = ['authorizationUrl', 'tokenUrl', 'userInfoUrl', 'jwksUrl', 'logoutUrl', 'metadataDescriptorUrl'];
const AUTH_METHODS = ['client_secret_post', 'client_secret_basic'];
const SYNC_MODES = ['LEGACY', 'IMPORT', 'FORCE'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function bool(o: Json, key: string, fallback: boolean, path: string, problems: IdpProblem[]): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  problems.push({ path: `${path}.${key}`, message: 'must be true or false' });
  return fallback;
}

/** Keycloak's config values are strings; booleans and numbers written by hand are taken as their text. */
function configMap(raw: unknown, path: string, problems: IdpProblem[]): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) {
    problems.push({ path, message: 'must be an object of strings' });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'boolean' || typeof v === 'number') out[k] = String(v);
    else problems.push({ path: `${path}.${k}`, message: 'must be a string' });
  }
  return out;
}

function httpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hash === '';
  } catch {
    return false;
  }
}

/** The rules of one provider's config map (an `oidc` or `keycloak-oidc` provider). */
export function checkUpstreamConfig(config: Record<string, string>, path: string): IdpProblem[] {
  const problems: IdpProblem[] = [];
  const at = (key: string, message: string) => problems.push({ path: `${path}.${key}`, message });
  if (config.validateSignature === 'false')
    at(
      'validateSignature',
      'is "false", which Sundown refuses: the upstream\'s ID and logout tokens are always checked against its keys ' +
        '(an unchecked token would sign anyone in or out, CVE-2026-18569). Remove it or set it to "true"',
    );
  if (!config.clientId) at('clientId', 'is required: the client id Sundown has at the upstream');
  if (!config.issuer)
    at('issuer', "is required: the upstream's ID tokens and logout tokens are checked against it (their iss)");
  else if (!httpUrl(config.issuer)) at('issuer', 'must be an http(s) URL');
  for (const key of URL_KEYS) if (config[key] && !httpUrl(config[key]!)) at(key, 'must be an absolute http(s) URL');
  if (!config.metadataDescriptorUrl) {
    for (const key of ['authorizationUrl', 'tokenUrl', 'jwksUrl'])
      if (!config[key]) at(key, "is required (or give metadataDescriptorUrl, the upstream's discovery document)");
  }
  if (config.useJwksUrl === 'false')
    at(
      'useJwksUrl',
      'is "false": Sundown reads the upstream\'s keys from its JWKS URL only (a pasted public key is not supported)',
    );
  const method = config.clientAuthMethod;
  if (method && !AUTH_METHODS.includes(method))
    at('clientAuthMethod', `"${method}" is not supported; use client_secret_post or client_secret_basic`);
  if (config.syncMode && !SYNC_MODES.includes(config.syncMode))
    at('syncMode', `must be one of ${SYNC_MODES.join(', ')}`);
  const alg = config.validateSignatureAlgorithm;
  if (alg && (alg === 'none' || alg.startsWith('HS')))
    at('validateSignatureAlgorithm', 'must be an asymmetric JWS algorithm');
  return problems;
}

function readMapper(
  raw: unknown,
  path: string,
  problems: IdpProblem[],
): (IdentityProviderMapper & { alias: string }) | null {
  if (!isObject(raw)) {
    problems.push({ path, message: 'must be an object' });
    return null;
  }
  const alias = raw.identityProviderAlias;
  const type = raw.identityProviderMapper;
  if (typeof alias !== 'string' || alias === '') {
    problems.push({ path: `${path}.identityProviderAlias`, message: 'is required' });
    return null;
  }
  if (typeof type !== 'string' || type === '') {
    problems.push({ path: `${path}.identityProviderMapper`, message: 'is required' });
    return null;
  }
  return {
    alias,
    name: typeof raw.name === 'string' ? raw.name : type,
    identityProviderMapper: type,
    config: configMap(raw.config, `${path}.config`, problems),
  };
}

/** Reads one provider representation; null when it is of a type Sundown does not broker. */
export function readIdentityProvider(
  raw: unknown,
  path: string,
  problems: IdpProblem[],
  warnings: string[],
): IdentityProviderInput | null {
  if (!isObject(raw)) {
    problems.push({ path, message: 'must be an object' });
    return null;
  }
  const alias = typeof raw.alias === 'string' ? raw.alias : '';
  if (!ALIAS.test(alias)) {
    problems.push({ path: `${path}.alias`, message: 'is required: letters, digits, ".", "_" and "-" (at most 64)' });
    return null;
  }
  const providerId = typeof raw.providerId === 'string' ? raw.providerId : '';
  if (!(SUPPORTED_PROVIDER_IDS as readonly string[]).includes(providerId)) {
    warnings.push(
      `identity provider "${alias}" (providerId "${providerId || '(none)'}") is not supported: Sundown brokers OpenID Connect providers (oidc, keycloak-oidc) only; it was not imported`,
    );
    return null;
  }
  const config = configMap(raw.config, `${path}.config`, problems);
  if (isMaskedValue(config.clientSecret))
    warnings.push(
      `identity provider "${alias}": clientSecret is Keycloak's mask "**********" (a partial export leaves secrets out): the stored secret is kept; a new provider has none until it is set`,
    );
  problems.push(...checkUpstreamConfig(config, `${path}.config`));
  const settings: IdentityProviderSettings = {
    trustEmail: bool(raw, 'trustEmail', false, path, problems),
    storeToken: bool(raw, 'storeToken', false, path, problems),
    linkOnly: bool(raw, 'linkOnly', false, path, problems),
    hideOnLogin: bool(raw, 'hideOnLogin', config.hideOnLoginPage === 'true', path, problems),
    firstBrokerLoginFlowAlias:
      typeof raw.firstBrokerLoginFlowAlias === 'string' ? raw.firstBrokerLoginFlowAlias : 'first broker login',
  };
  if (settings.firstBrokerLoginFlowAlias !== 'first broker login')
    warnings.push(
      `identity provider "${alias}": firstBrokerLoginFlowAlias "${settings.firstBrokerLoginFlowAlias}" runs as Keycloak's default "first broker login" flow (create the user, or link an existing one by a verified, trusted email)`,
    );
  return {
    alias,
    provider_id: providerId,
    enabled: bool(raw, 'enabled', true, path, problems) ? 1 : 0,
    display_name: typeof raw.displayName === 'string' && raw.displayName !== '' ? raw.displayName : null,
    settings: JSON.stringify(settings),
    config: JSON.stringify(config),
    mappers: [],
  };
}

/** Both lists of a realm representation, the mappers attached to their providers. */
export function readIdentityProviders(rawProviders: unknown, rawMappers: unknown): ParsedIdentityProviders {
  const problems: IdpProblem[] = [];
  const warnings: string[] = [];
  const providers: IdentityProviderInput[] = [];
  const skipped = new Set<string>();
  if (rawProviders !== undefined && rawProviders !== null && !Array.isArray(rawProviders))
    problems.push({ path: '$.identityProviders', message: 'must be an array' });
  (Array.isArray(rawProviders) ? rawProviders : []).forEach((raw, i) => {
    const path = `$.identityProviders[${i}]`;
    const p = readIdentityProvider(raw, path, problems, warnings);
    if (!p) {
      if (isObject(raw) && typeof raw.alias === 'string') skipped.add(raw.alias);
      return;
    }
    if (providers.some((q) => q.alias === p.alias))
      problems.push({ path: `${path}.alias`, message: `duplicate alias "${p.alias}"` });
    providers.push(p);
  });
  if (rawMappers !== undefined && rawMappers !== null && !Array.isArray(rawMappers))
    problems.push({ path: '$.identityProviderMappers', message: 'must be an array' });
  (Array.isArray(rawMappers) ? rawMappers : []).forEach((raw, i) => {
    const path = `$.identityProviderMappers[${i}]`;
    const m = readMapper(raw, path, problems);
    if (!m) return;
    const provider = providers.find((p) => p.alias === m.alias);
    if (!provider) {
      if (!skipped.has(m.alias))
        problems.push({ path: `${path}.identityProviderAlias`, message: `no identity provider "${m.alias}"` });
      return;
    }
    if (!(SUPPORTED_MAPPER_TYPES as readonly string[]).includes(m.identityProviderMapper))
      warnings.push(
        `identity provider mapper "${m.name}" of "${m.alias}": type ${m.identityProviderMapper} is not applied by Sundown (kept)`,
      );
    provider.mappers.push({ name: m.name, identityProviderMapper: m.identityProviderMapper, config: m.config });
  });
  return { providers, problems, warnings };
}
