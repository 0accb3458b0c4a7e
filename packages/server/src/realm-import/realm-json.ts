// Parses the subset of Keycloak's realm representation that Sundown uses. Invalid values stop
// the import with the JSON path of the offending field; unknown fields are collected so the
// caller can warn once.
import { isSigningAlg } from '../crypto/signing-keys.ts';
import { webOriginProblem } from '../http/cors.ts';
import { adminUrlProblem } from '../logout/channels/admin-url/admin-url.ts';
import { caAttributeProblem } from '../logout/delivery/backchannel-ca.ts';
import { outboundUrlSchemeProblem } from '../logout/outbound-url-scheme.ts';
import { registeredPostLogoutUriProblem, registeredRedirectUriProblem } from '../oidc/redirect-uri-matcher.ts';
import { SAML_ATTR } from '../saml/saml-client-attributes.ts';
import { parseSamlClient } from '../saml/saml-client-settings.ts';
import type { ClientProtocol } from '../store/schema.ts';
import {
  allowsHttpBackchannel,
  CLIENT_ATTRIBUTE,
  LOGOUT_PAGE_MODES,
  MAX_SESSIONS_PER_USER,
  REALM_ATTRIBUTE,
} from '../realm/attributes.ts';
import { REALM_DEFAULTS } from '../realm/model.ts';
import { isMaskedValue, KEYCLOAK_SECRET_MASK } from '../realm/masked-values.ts';

const CA_ATTRIBUTE = CLIENT_ATTRIBUTE.backchannelCa;

export class RealmImportError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

export interface ClientImport {
  clientId: string;
  protocol: ClientProtocol;
  name: string | null;
  secret: string | null;
  publicClient: boolean;
  enabled: boolean;
  redirectUris: string[];
  webOrigins: string[];
  rootUrl: string | null;
  adminUrl: string | null;
  frontchannelLogout: boolean;
  standardFlowEnabled: boolean;
  directAccessGrantsEnabled: boolean;
  serviceAccountsEnabled: boolean;
  attributes: Record<string, string>;
}

export interface UserImport {
  username: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  enabled: boolean;
  password: string | null;
  realmRoles: string[];
}

export interface RealmImport {
  realm: string;
  displayName: string | null;
  enabled: boolean;
  accessTokenLifespan: number;
  ssoSessionIdleTimeout: number;
  ssoSessionMaxLifespan: number;
  offlineSessionIdleTimeout: number;
  attributes: Record<string, string>;
  clients: ClientImport[];
  users: UserImport[];
}

export interface ParsedRealm {
  realm: RealmImport;
  /** JSON paths of fields Sundown does not use. */
  ignored: string[];
}

type Json = Record<string, unknown>;

/** Reads typed fields off one JSON object, remembering which keys it consumed. */
class ObjectReader {
  readonly path: string;
  readonly #obj: Json;
  readonly #seen = new Set<string>();

  constructor(value: unknown, path: string) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RealmImportError(path, 'must be an object');
    }
    this.#obj = value as Json;
    this.path = path;
  }

  #get(key: string): unknown {
    this.#seen.add(key);
    return this.#obj[key];
  }

  /** Marks keys as known-but-unused so they produce no warning. */
  accept(...keys: string[]): void {
    for (const k of keys) this.#seen.add(k);
  }

  string(key: string): string | null {
    const v = this.#get(key);
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw new RealmImportError(`${this.path}.${key}`, 'must be a string');
    return v;
  }

  requiredString(key: string): string {
    const v = this.string(key);
    if (v === null || v.trim() === '') throw new RealmImportError(`${this.path}.${key}`, 'is required');
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.#get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') throw new RealmImportError(`${this.path}.${key}`, 'must be true or false');
    return v;
  }

  seconds(key: string, fallback: number): number {
    const v = this.#get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new RealmImportError(`${this.path}.${key}`, 'must be a positive whole number of seconds');
    }
    return v;
  }

  stringList(key: string): string[] {
    const v = this.#get(key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new RealmImportError(`${this.path}.${key}`, 'must be an array of strings');
    return v.map((item, i) => {
      if (typeof item !== 'string') throw new RealmImportError(`${this.path}.${key}[${i}]`, 'must be a string');
      return item;
    });
  }

  stringMap(key: string): Record<string, string> {
    const v = this.#get(key);
    if (v === undefined || v === null) return {};
    const inner = new ObjectReader(v, `${this.path}.${key}`);
    const out: Record<string, string> = {};
    for (const [k, value] of Object.entries(v as Json)) {
      if (typeof value !== 'string') throw new RealmImportError(`${inner.path}["${k}"]`, 'must be a string');
      out[k] = value;
    }
    return out;
  }

  list(key: string): unknown[] {
    const v = this.#get(key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new RealmImportError(`${this.path}.${key}`, 'must be an array');
    return v;
  }

  unknownKeys(): string[] {
    return Object.keys(this.#obj)
      .filter((k) => !this.#seen.has(k))
      .map((k) => `${this.path}.${k}`);
  }
}

export function parseRealmJson(json: unknown): ParsedRealm {
  const r = new ObjectReader(json, '$');
  const ignored: string[] = [];
  r.accept('id');
  const realm: RealmImport = {
    realm: r.requiredString('realm'),
    displayName: r.string('displayName'),
    enabled: r.boolean('enabled', true),
    accessTokenLifespan: r.seconds('accessTokenLifespan', REALM_DEFAULTS.accessTokenLifespan),
    ssoSessionIdleTimeout: r.seconds('ssoSessionIdleTimeout', REALM_DEFAULTS.ssoSessionIdleTimeout),
    ssoSessionMaxLifespan: r.seconds('ssoSessionMaxLifespan', REALM_DEFAULTS.ssoSessionMaxLifespan),
    offlineSessionIdleTimeout: r.seconds('offlineSessionIdleTimeout', REALM_DEFAULTS.offlineSessionIdleTimeout),
    attributes: r.stringMap('attributes'),
    clients: [],
    users: [],
  };
  checkSessionLimit(realm.attributes);
  checkLogoutPage(realm.attributes);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(realm.realm)) {
    throw new RealmImportError('$.realm', 'may contain only letters, digits, ".", "_" and "-" (at most 64)');
  }
  checkCaAttribute(realm.attributes, '$.attributes');

  const clientIds = new Set<string>();
  r.list('clients').forEach((raw, i) => {
    const c = new ObjectReader(raw, `$.clients[${i}]`);
    const saml = (raw as Json).protocol === 'saml';
    const client = saml ? parseSamlClientImport(c, raw) : parseClient(c);
    checkOutboundLogoutUrls(client, allowsHttpBackchannel(realm), c.path);
    checkCaAttribute(client.attributes, `${c.path}.attributes`);
    if (clientIds.has(client.clientId)) {
      throw new RealmImportError(`${c.path}.clientId`, `duplicate clientId "${client.clientId}"`);
    }
    clientIds.add(client.clientId);
    realm.clients.push(client);
    ignored.push(...c.unknownKeys());
  });

  const usernames = new Set<string>();
  r.list('users').forEach((raw, i) => {
    const u = new ObjectReader(raw, `$.users[${i}]`);
    const user = parseUser(u, ignored);
    if (usernames.has(user.username)) {
      throw new RealmImportError(`${u.path}.username`, `duplicate username "${user.username}"`);
    }
    usernames.add(user.username);
    realm.users.push(user);
    ignored.push(...u.unknownKeys());
  });

  ignored.unshift(...r.unknownKeys());
  return { realm, ignored };
}

function parseClient(c: ObjectReader): ClientImport {
  c.accept('id', 'description');
  const protocol = c.string('protocol');
  if (protocol !== null && protocol !== 'openid-connect') {
    throw new RealmImportError(
      `${c.path}.protocol`,
      `only "openid-connect" and "saml" are supported, not "${protocol}"`,
    );
  }
  const clientId = c.requiredString('clientId');
  const rootUrl = c.string('rootUrl');
  if (rootUrl !== null && rootUrl !== '') absoluteUrl(rootUrl, `${c.path}.rootUrl`);
  const publicClient = c.boolean('publicClient', false);
  const redirectUris = c
    .stringList('redirectUris')
    .map((uri, j) => checkRedirectUri(uri, rootUrl, `${c.path}.redirectUris[${j}]`));
  const attributes = c.stringMap('attributes');
  checkLogoutAttributes(attributes, `${c.path}.attributes`);
  checkPostLogoutRedirectUris(attributes, `${c.path}.attributes`);
  checkFrontchannelOrigin(attributes, redirectUris, `${c.path}.attributes`);
  return {
    clientId,
    protocol: 'openid-connect',
    name: c.string('name'),
    secret: publicClient ? null : c.string('secret'),
    publicClient,
    enabled: c.boolean('enabled', true),
    redirectUris,
    webOrigins: readWebOrigins(c),
    rootUrl: rootUrl || null,
    adminUrl: c.string('adminUrl') || null,
    frontchannelLogout: c.boolean('frontchannelLogout', false),
    standardFlowEnabled: c.boolean('standardFlowEnabled', true),
    directAccessGrantsEnabled: c.boolean('directAccessGrantsEnabled', false),
    serviceAccountsEnabled: c.boolean('serviceAccountsEnabled', false),
    attributes,
  };
}

/**
 * A Keycloak SAML client (saml.md §2): checked by saml/saml-client-settings.ts, which reports
 * every problem with its JSON path; the first one stops the import like any other field. The
 * row keeps Keycloak's representation (redirectUris resolved, attributes as given); the run
 * time reads it through saml/saml-client.ts. OIDC-only fields are accepted and unused.
 */
function parseSamlClientImport(c: ObjectReader, raw: unknown): ClientImport {
  const parsed = parseSamlClient(raw, c.path);
  if (!parsed.ok) {
    const first = parsed.problems[0]!;
    const more =
      parsed.problems.length > 1
        ? ` (and ${parsed.problems.length - 1} more: ${parsed.problems
            .slice(1)
            .map((p) => p.path)
            .join(', ')})`
        : '';
    throw new RealmImportError(first.path, first.message + more);
  }
  const { settings } = parsed;
  c.accept(
    'id',
    'description',
    'protocol',
    'clientId',
    'redirectUris',
    'rootUrl',
    'adminUrl',
    'frontchannelLogout',
    'enabled',
    'attributes',
  );
  // Keycloak writes these for every client; they mean nothing for a SAML SP.
  c.accept(
    'publicClient',
    'secret',
    'bearerOnly',
    'consentRequired',
    'implicitFlowEnabled',
    'fullScopeAllowed',
    'nodeReRegistrationTimeout',
    'protocolMappers',
    'defaultClientScopes',
    'optionalClientScopes',
    'baseUrl',
    'surrogateAuthRequired',
    'alwaysDisplayInConsole',
    'clientAuthenticatorType',
    'notBefore',
    'authenticationFlowBindingOverrides',
    'access',
    'directAccessGrantsEnabled',
    'serviceAccountsEnabled',
  );
  return {
    clientId: settings.entityId,
    protocol: 'saml',
    name: c.string('name'),
    secret: null,
    publicClient: false,
    enabled: settings.enabled,
    redirectUris: settings.redirectUris,
    webOrigins: readWebOrigins(c),
    rootUrl: c.string('rootUrl') || null,
    adminUrl: settings.adminUrl,
    frontchannelLogout: settings.frontchannelLogout,
    // Keycloak's setupClientDefaults: a SAML client uses the browser flow; the others are OIDC's.
    standardFlowEnabled: c.boolean('standardFlowEnabled', true),
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
    attributes: c.stringMap('attributes'),
  };
}

function parseUser(u: ObjectReader, ignored: string[]): UserImport {
  u.accept('id', 'createdTimestamp');
  const username = u.requiredString('username').toLowerCase();
  let password: string | null = null;
  u.list('credentials').forEach((raw, k) => {
    const cred = new ObjectReader(raw, `${u.path}.credentials[${k}]`);
    const type = cred.string('type') ?? 'password';
    cred.accept('temporary');
    if (type !== 'password') {
      ignored.push(`${cred.path} (credential type "${type}")`);
      return;
    }
    const value = cred.string('value');
    if (value === null) {
      // Keycloak exports carry hashes in its own format; they cannot be carried over.
      ignored.push(`${cred.path} (no plain "value")`);
      cred.accept('hashedSaltedValue', 'salt', 'hashIterations', 'algorithm', 'secretData', 'credentialData');
      return;
    }
    if (isMaskedValue(value)) {
      // Keycloak's mask stands for a password it did not export (realm/masked-values.ts).
      ignored.push(`${cred.path} (masked value "${KEYCLOAK_SECRET_MASK}", not a password)`);
      return;
    }
    password = value;
    ignored.push(...cred.unknownKeys());
  });
  return {
    username,
    email: u.string('email'),
    emailVerified: u.boolean('emailVerified', false),
    firstName: u.string('firstName'),
    lastName: u.string('lastName'),
    enabled: u.boolean('enabled', true),
    password,
    realmRoles: u.stringList('realmRoles'),
  };
}

function absoluteUrl(value: string, path: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RealmImportError(path, `"${value}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RealmImportError(path, `"${value}" must use http or https`);
  }
  return url;
}

/**
 * Keycloak allows redirect URIs relative to `rootUrl` and a trailing `*` wildcard. Sundown
 * resolves relative ones at import, keeps a wildcard only directly after a `/` of the path, and
 * refuses the match-anything `*`, fragments (RFC 6749 §3.1.2) and every form the redirect URI
 * matcher would refuse when presented (user information, dot segments, backslashes, response
 * parameters).
 */
function checkRedirectUri(uri: string, rootUrl: string | null, path: string): string {
  if (uri === '*' || uri === '+') throw new RealmImportError(path, `"${uri}" would allow any redirect; list the URIs`);
  let resolved = uri;
  if (uri.startsWith('/')) {
    if (!rootUrl) throw new RealmImportError(path, `"${uri}" is relative but the client has no rootUrl`);
    resolved = rootUrl.replace(/\/$/, '') + uri;
  }
  const problem = registeredRedirectUriProblem(resolved);
  if (problem) throw new RealmImportError(path, `"${uri}" ${problem}`);
  return resolved;
}

// One rule for every client's web origins, OIDC and SAML alike: CORS and the iframe pages' CSP
// frame-ancestors are built from them (http/cors.ts webOriginProblem). The value is quoted as JSON
// so that control characters show as escapes in the message.
function readWebOrigins(c: ObjectReader): string[] {
  return c.stringList('webOrigins').map((origin, j) => {
    const problem = webOriginProblem(origin);
    if (problem) throw new RealmImportError(`${c.path}.webOrigins[${j}]`, `${JSON.stringify(origin)} ${problem}`);
    return origin;
  });
}

// RPI §3, standards §2: explicit post-logout redirect URIs are matched exactly, so each must be
// an absolute http(s) URI the matcher would accept; `+` stands for the redirect URIs.
function checkPostLogoutRedirectUris(attributes: Record<string, string>, path: string): void {
  const value = attributes[CLIENT_ATTRIBUTE.postLogoutRedirectUris];
  if (!value) return;
  value.split('##').forEach((entry, i) => {
    if (entry === '+' || entry === '') return;
    const problem = registeredPostLogoutUriProblem(entry);
    if (problem)
      throw new RealmImportError(
        `${path}["${CLIENT_ATTRIBUTE.postLogoutRedirectUris}"]`,
        `entry ${i} "${entry}" ${problem}`,
      );
  });
}

/**
 * Standards §4, one rule for every channel that posts logout messages server to server
 * (logout/outbound-url-scheme.ts): an OIDC client's back-channel URL and admin URL (k_logout), a
 * SAML client's SOAP single logout URL. A SAML client's adminUrl is only the fallback of its
 * browser-borne ACS and SLO URLs, and nothing is posted to it. The URLs were parsed already.
 */
function checkOutboundLogoutUrls(client: ClientImport, allowHttp: boolean, path: string): void {
  const check = (value: string | undefined, what: string, at: string) => {
    const problem = value ? outboundUrlSchemeProblem(value, new URL(value), what, client, allowHttp) : null;
    if (problem) throw new RealmImportError(at, problem);
  };
  if (client.protocol === 'saml') {
    check(client.attributes[SAML_ATTR.sloSoap], 'SOAP single logout URL', `${path}.attributes["${SAML_ATTR.sloSoap}"]`);
    return;
  }
  const backchannel = CLIENT_ATTRIBUTE.backchannelLogoutUrl;
  check(client.attributes[backchannel], 'back-channel logout URL', `${path}.attributes["${backchannel}"]`);
  const adminUrl = adminUrlProblem(client, allowHttp);
  if (adminUrl) throw new RealmImportError(`${path}.adminUrl`, adminUrl);
}

// FCL §2 / standards §5: the front-channel URL shares scheme, host and port with a redirect URI,
// so the iframe is the RP's own page with the RP's own cookies.
function checkFrontchannelOrigin(attributes: Record<string, string>, redirectUris: string[], path: string): void {
  const value = attributes[CLIENT_ATTRIBUTE.frontchannelLogoutUrl];
  if (!value) return;
  const origin = new URL(value).origin;
  const origins = redirectUris.map((r) => new URL(r.endsWith('*') ? r.slice(0, -1) : r).origin);
  if (!origins.includes(origin)) {
    throw new RealmImportError(
      `${path}["${CLIENT_ATTRIBUTE.frontchannelLogoutUrl}"]`,
      `"${value}" must have the same scheme, host and port as one of the client's redirect URIs`,
    );
  }
}

// Standards §9: logout URLs must be absolute without a fragment.
function checkLogoutAttributes(attributes: Record<string, string>, path: string): void {
  for (const key of [CLIENT_ATTRIBUTE.backchannelLogoutUrl, CLIENT_ATTRIBUTE.frontchannelLogoutUrl]) {
    const value = attributes[key];
    if (!value) continue;
    const url = absoluteUrl(value, `${path}["${key}"]`);
    if (url.hash || value.includes('#')) {
      throw new RealmImportError(`${path}["${key}"]`, `"${value}" must not contain a fragment`);
    }
  }
  for (const key of [
    CLIENT_ATTRIBUTE.backchannelLogoutSessionRequired,
    CLIENT_ATTRIBUTE.backchannelLogoutRevokeOfflineTokens,
  ]) {
    const value = attributes[key];
    if (value !== undefined && value !== 'true' && value !== 'false') {
      throw new RealmImportError(`${path}["${key}"]`, 'must be "true" or "false"');
    }
  }
  const introspection = attributes[CLIENT_ATTRIBUTE.introspectionClients];
  if (introspection !== undefined && !/^[^\s#*]+(##[^\s#*]+)*$/.test(introspection)) {
    throw new RealmImportError(
      `${path}["${CLIENT_ATTRIBUTE.introspectionClients}"]`,
      'must be clientIds separated by "##" (no spaces, no wildcard)',
    );
  }
  const alg = attributes[CLIENT_ATTRIBUTE.idTokenSignedResponseAlg];
  if (alg !== undefined && !isSigningAlg(alg)) {
    throw new RealmImportError(
      `${path}["${CLIENT_ATTRIBUTE.idTokenSignedResponseAlg}"]`,
      `unsupported algorithm "${alg}"`,
    );
  }
}

function checkSessionLimit(attributes: Record<string, string>): void {
  const value = attributes[REALM_ATTRIBUTE.sessionsPerUser];
  if (value === undefined) return;
  if (!/^\d{1,5}$/.test(value) || Number(value) > MAX_SESSIONS_PER_USER) {
    throw new RealmImportError(
      `$.attributes["${REALM_ATTRIBUTE.sessionsPerUser}"]`,
      `must be a whole number from 0 (no limit) to ${MAX_SESSIONS_PER_USER}, not "${value}"`,
    );
  }
}

function checkLogoutPage(attributes: Record<string, string>): void {
  const value = attributes[REALM_ATTRIBUTE.logoutPage];
  if (value !== undefined && !(LOGOUT_PAGE_MODES as readonly string[]).includes(value))
    throw new RealmImportError(
      `$.attributes["${REALM_ATTRIBUTE.logoutPage}"]`,
      `must be one of ${LOGOUT_PAGE_MODES.join(', ')}, not "${value}"`,
    );
}

// The back-channel CA attribute holds PEM certificates or a file name in the CA folder, never a
// path (standards §4; see logout/delivery/backchannel-ca.ts).
function checkCaAttribute(attributes: Record<string, string>, path: string): void {
  const value = attributes[CA_ATTRIBUTE];
  const problem = value ? caAttributeProblem(value) : null;
  if (problem) throw new RealmImportError(`${path}["${CA_ATTRIBUTE}"]`, problem);
}
