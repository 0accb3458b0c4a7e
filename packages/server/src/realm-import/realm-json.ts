// Parses the subset of Keycloak's realm representation that Sundown uses. Every invalid value
// is recorded with the JSON path of its field and the whole file is read before the import
// stops with all of them (import-problems.ts); fields Sundown does not use are collected for
// the import report (import-report.ts), with what needs the administrator's attention.
import { isSigningAlg } from '../crypto/signing-keys.ts';
import { webOriginProblem } from '../http/cors.ts';
import { adminUrlProblem } from '../logout/channels/admin-url/admin-url.ts';
import { caAttributeProblem } from '../logout/delivery/backchannel-ca.ts';
import { outboundUrlSchemeProblem } from '../logout/outbound-url-scheme.ts';
import { checkRegisteredPostLogoutUri, checkRegisteredRedirectUri } from '../oidc/redirect-uri-matcher.ts';
import { resolveRegisteredUri } from '../oidc/redirect-uri-pattern.ts';
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
import { LOGIN_DEFAULTS, LOGIN_SETTING_NAMES, type LoginSettings } from '../realm/login-settings.ts';
import { isMaskedValue } from '../realm/masked-values.ts';
import { parsePasswordPolicy, PasswordPolicyError } from '../realm/password-policy.ts';
import { readSmtpSettings } from '../mail/smtp-settings.ts';
import { builtinClientsNote, isRootUrlPlaceholder } from './builtin-clients.ts';
import { readUserCredentials } from './credentials-json.ts';
import { ImportProblems, type ParseState, RealmImportError } from './import-problems.ts';
import type { RequiredAction, RequiredActionSetting } from '../realm/required-actions.ts';
import type { OtpPolicy } from '../realm/otp-policy.ts';
import { type OtpCredentialImport, readOtpPolicy, readRequiredActionSettings } from './otp-json.ts';
import { type ClientAccessImport, parseClientAccess } from './client-access-json.ts';
import { type AccessImport, parseRealmAccess } from './realm-access-json.ts';
import { parseUserAccess, type UserAccessImport } from './user-access-json.ts';

export { RealmImportError } from './import-problems.ts';

const CA_ATTRIBUTE = CLIENT_ATTRIBUTE.backchannelCa;

export interface ClientImport extends ClientAccessImport {
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

export interface UserImport extends UserAccessImport {
  username: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  enabled: boolean;
  /** A plain password, hashed at import. */
  password: string | null;
  /** A Keycloak password hash, kept as it is (credentials-json.ts). */
  passwordHash: string | null;
  requiredActions: RequiredAction[];
  /** One-time-code credentials, as Keycloak exports them (otp-json.ts). */
  otp: OtpCredentialImport[];
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
  /** Keycloak's sign-in settings (realm/login-settings.ts). */
  login: LoginSettings;
  /** Keycloak's otpPolicy* fields (realm/otp-policy.ts). */
  otpPolicy: OtpPolicy;
  /** Keycloak's `requiredActions` registrations; empty: Keycloak's defaults. */
  requiredActionSettings: RequiredActionSetting[];
  clients: ClientImport[];
  users: UserImport[];
  /** Roles, groups, client scopes and scope mappings (issue 23). */
  access: AccessImport;
}

export interface ParsedRealm {
  realm: RealmImport;
  /** JSON paths of fields Sundown does not use. */
  ignored: string[];
  /** What the administrator should know: patterns wider than they look, dropped credentials. */
  warnings: string[];
  /** The Keycloak version that wrote the file (`keycloakVersion`), for the report. */
  keycloakVersion: string | null;
}

type Json = Record<string, unknown>;

/**
 * Reads typed fields off one JSON object, remembering which keys it consumed. A value of the
 * wrong type is recorded as a problem and read as absent, so reading goes on.
 */
export class ObjectReader {
  readonly path: string;
  readonly #obj: Json;
  readonly #seen = new Set<string>();
  readonly #problems: ImportProblems;

  constructor(value: unknown, path: string, problems: ImportProblems) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RealmImportError(path, 'must be an object');
    }
    this.#obj = value as Json;
    this.path = path;
    this.#problems = problems;
  }

  #get(key: string): unknown {
    this.#seen.add(key);
    return this.#obj[key];
  }

  /** A reader of a nested object, recording its problems with this one's. */
  child(value: unknown, path: string): ObjectReader {
    return new ObjectReader(value, path, this.#problems);
  }

  /** The raw value of a key, without marking it read. */
  raw(key: string): unknown {
    return this.#obj[key];
  }

  #fail<T>(key: string, message: string, fallback: T): T {
    this.#problems.add(`${this.path}.${key}`, message);
    return fallback;
  }

  /** Marks keys as known-but-unused so they produce no warning. */
  accept(...keys: string[]): void {
    for (const k of keys) this.#seen.add(k);
  }

  has(key: string): boolean {
    return this.#obj[key] !== undefined && this.#obj[key] !== null;
  }

  string(key: string): string | null {
    const v = this.#get(key);
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') return this.#fail(key, 'must be a string', null);
    return v;
  }

  requiredString(key: string): string {
    const v = this.string(key);
    if (v === null || v.trim() === '') return this.#fail(key, 'is required', '');
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.#get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') return this.#fail(key, 'must be true or false', fallback);
    return v;
  }

  seconds(key: string, fallback: number): number {
    const v = this.#get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      return this.#fail(key, 'must be a positive whole number of seconds', fallback);
    }
    return v;
  }

  stringList(key: string): string[] {
    const v = this.#get(key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.#fail(key, 'must be an array of strings', []);
    return v.flatMap((item, i) => {
      if (typeof item === 'string') return [item];
      this.#problems.add(`${this.path}.${key}[${i}]`, 'must be a string');
      return [];
    });
  }

  stringMap(key: string): Record<string, string> {
    const v = this.#get(key);
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) return this.#fail(key, 'must be an object', {});
    const out: Record<string, string> = {};
    for (const [k, value] of Object.entries(v as Json)) {
      if (typeof value !== 'string') this.#problems.add(`${this.path}.${key}["${k}"]`, 'must be a string');
      else out[k] = value;
    }
    return out;
  }

  list(key: string): unknown[] {
    const v = this.#get(key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.#fail(key, 'must be an array', []);
    return v;
  }

  unknownKeys(): string[] {
    return Object.keys(this.#obj)
      .filter((k) => !this.#seen.has(k))
      .map((k) => `${this.path}.${k}`);
  }
}

export function parseRealmJson(json: unknown): ParsedRealm {
  const state: ParseState = { problems: new ImportProblems(), ignored: [], warnings: [] };
  const { problems, ignored, warnings } = state;
  const r = new ObjectReader(json, '$', problems);
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
    login: readLoginSettings(r, state),
    otpPolicy: readOtpPolicy(r, state),
    requiredActionSettings: readRequiredActionSettings(r, state),
    clients: [],
    users: [],
    access: parseRealmAccess(r, ignored),
  };
  const keycloakVersion = r.string('keycloakVersion');
  problems.within(() => checkSessionLimit(realm.attributes));
  problems.within(() => checkLogoutPage(realm.attributes));
  if (realm.realm !== '' && !/^[A-Za-z0-9._-]{1,64}$/.test(realm.realm)) {
    problems.add('$.realm', 'may contain only letters, digits, ".", "_" and "-" (at most 64)');
  }
  problems.within(() => checkCaAttribute(realm.attributes, '$.attributes'));

  const clientIds = new Set<string>();
  r.list('clients').forEach((raw, i) =>
    problems.within(() => {
      const c = new ObjectReader(raw, `$.clients[${i}]`, problems);
      const saml = (raw as Json).protocol === 'saml';
      const client = saml ? parseSamlClientImport(c, raw, ignored) : parseClient(c, state);
      problems.within(() => checkOutboundLogoutUrls(client, allowsHttpBackchannel(realm), c.path));
      problems.within(() => checkCaAttribute(client.attributes, `${c.path}.attributes`));
      if (clientIds.has(client.clientId)) {
        problems.add(`${c.path}.clientId`, `duplicate clientId "${client.clientId}"`);
      }
      clientIds.add(client.clientId);
      realm.clients.push(client);
      ignored.push(...c.unknownKeys());
    }),
  );
  const builtins = builtinClientsNote(realm.clients.map((c) => c.clientId));
  if (builtins) warnings.push(builtins);

  const usernames = new Set<string>();
  const emails = new Set<string>();
  r.list('users').forEach((raw, i) =>
    problems.within(() => {
      const u = new ObjectReader(raw, `$.users[${i}]`, problems);
      const user = parseUser(u, state);
      if (usernames.has(user.username)) {
        problems.add(`${u.path}.username`, `duplicate username "${user.username}"`);
      }
      usernames.add(user.username);
      // Keycloak's duplicateEmailsAllowed (default off): one user per address, compared without case.
      const email = user.email?.toLowerCase();
      if (email && !realm.login.duplicateEmailsAllowed) {
        if (emails.has(email)) problems.add(`${u.path}.email`, `duplicate email "${user.email}"`);
        emails.add(email);
      }
      realm.users.push(user);
      ignored.push(...u.unknownKeys());
    }),
  );

  ignored.unshift(...r.unknownKeys());
  problems.throwIfAny();
  return { realm, ignored, warnings, keycloakVersion };
}

function readLoginSettings(r: ObjectReader, state: ParseState): LoginSettings {
  const login: LoginSettings = { ...LOGIN_DEFAULTS };
  for (const name of LOGIN_SETTING_NAMES) login[name] = r.boolean(name, LOGIN_DEFAULTS[name]);
  login.actionTokenGeneratedByUserLifespan = r.seconds(
    'actionTokenGeneratedByUserLifespan',
    LOGIN_DEFAULTS.actionTokenGeneratedByUserLifespan,
  );
  login.actionTokenGeneratedByAdminLifespan = r.seconds(
    'actionTokenGeneratedByAdminLifespan',
    LOGIN_DEFAULTS.actionTokenGeneratedByAdminLifespan,
  );
  // A bad policy is an import problem: every password set later would be checked against it.
  const policy = r.string('passwordPolicy');
  if (policy !== null && policy.trim() !== '') {
    try {
      const parsed = parsePasswordPolicy(policy);
      login.passwordPolicy = policy;
      if (parsed.notUsed.length > 0)
        state.warnings.push(`password policy: ${parsed.notUsed.join(', ')} accepted and not used`);
    } catch (err) {
      if (!(err instanceof PasswordPolicyError)) throw err;
      state.problems.add('$.passwordPolicy', err.message);
    }
  }
  login.smtpServer = r.stringMap('smtpServer');
  const smtp = readSmtpSettings(login.smtpServer);
  for (const p of smtp.problems) state.problems.add(`$.smtpServer.${p.key}`, p.message);
  state.ignored.push(...smtp.unknown.map((k) => `$.smtpServer.${k}`));
  // A masked value is never stored (realm/masked-values.ts).
  if (isMaskedValue(login.smtpServer.password)) {
    login.smtpServer = { ...login.smtpServer };
    delete login.smtpServer.password;
    state.warnings.push(
      'smtpServer.password is masked in this file: set the real one (PUT /admin/realms/{realm}) before mail can be sent',
    );
  }
  return login;
}

function parseClient(c: ObjectReader, state: ParseState): ClientImport {
  const { problems } = state;
  c.accept('id', 'description');
  const protocol = c.string('protocol');
  if (protocol !== null && protocol !== 'openid-connect') {
    problems.add(`${c.path}.protocol`, `only "openid-connect" and "saml" are supported, not "${protocol}"`);
  }
  const clientId = c.requiredString('clientId');
  const rootUrl = c.string('rootUrl');
  // Keycloak's built-in clients have `${authBaseUrl}` / `${authAdminUrl}`, resolved at run time.
  if (rootUrl !== null && rootUrl !== '' && !isRootUrlPlaceholder(rootUrl))
    problems.within(() => absoluteUrl(rootUrl, `${c.path}.rootUrl`));
  const publicClient = c.boolean('publicClient', false);
  const warn = (message: string) => state.warnings.push(`client ${clientId}: ${message}`);
  const redirectUris = c.stringList('redirectUris').flatMap((uri, j) => {
    const checked = problems.within(() => checkRedirectUri(uri, rootUrl, `${c.path}.redirectUris[${j}]`, warn));
    return checked === undefined ? [] : [checked];
  });
  const attributes = c.stringMap('attributes');
  problems.within(() => checkLogoutAttributes(attributes, `${c.path}.attributes`));
  checkPostLogoutRedirectUris(attributes, rootUrl, `${c.path}.attributes`, problems, warn);
  problems.within(() => checkFrontchannelOrigin(attributes, redirectUris, `${c.path}.attributes`));
  // Keycloak: a bearer-only client gets no tokens of its own; it only accepts them.
  const bearerOnly = c.boolean('bearerOnly', false);
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
    standardFlowEnabled: c.boolean('standardFlowEnabled', true) && !bearerOnly,
    directAccessGrantsEnabled: c.boolean('directAccessGrantsEnabled', false) && !bearerOnly,
    serviceAccountsEnabled: c.boolean('serviceAccountsEnabled', false) && !bearerOnly,
    attributes,
    ...parseClientAccess(c, state.ignored),
  };
}

/**
 * A Keycloak SAML client (saml.md §2): checked by saml/saml-client-settings.ts, which reports
 * every problem with its JSON path; they join the file's other problems. The
 * row keeps Keycloak's representation (redirectUris resolved, attributes as given); the run
 * time reads it through saml/saml-client.ts. OIDC-only fields are accepted and unused.
 */
function parseSamlClientImport(c: ObjectReader, raw: unknown, ignored: string[]): ClientImport {
  const parsed = parseSamlClient(raw, c.path);
  if (!parsed.ok) {
    const [first, ...more] = parsed.problems;
    throw new RealmImportError(first!.path, first!.message, more);
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
    'nodeReRegistrationTimeout',
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
    ...parseClientAccess(c, ignored),
  };
}

function parseUser(u: ObjectReader, state: ParseState): UserImport {
  u.accept('id', 'createdTimestamp');
  const username = u.requiredString('username').toLowerCase();
  const credentials = readUserCredentials(
    u.list('credentials'),
    u.stringList('requiredActions'),
    u.path,
    username,
    state,
  );
  return {
    username,
    email: u.string('email'),
    emailVerified: u.boolean('emailVerified', false),
    firstName: u.string('firstName'),
    lastName: u.string('lastName'),
    enabled: u.boolean('enabled', true),
    ...credentials,
    ...parseUserAccess(u),
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

/** Stands in for this server's URL when a relative URI is checked at import. */
const STAND_IN_BASE = 'https://sundown.invalid';

/**
 * A redirect URI as Keycloak accepts it (oidc/redirect-uri-pattern.ts): relative ones are
 * resolved against an absolute rootUrl now, and kept relative under a `${authBaseUrl}` rootUrl or
 * none (they resolve against this server at run time); the rest is checked as the matcher reads
 * it. Forms the matcher refuses stop the import; forms wider than they look are reported.
 */
function checkRedirectUri(uri: string, rootUrl: string | null, path: string, warn: (m: string) => void): string {
  let stored = uri;
  let checked = uri;
  if (uri.startsWith('/')) {
    const concrete = rootUrl && !isRootUrlPlaceholder(rootUrl) ? rootUrl : null;
    checked = resolveRegisteredUri(uri, concrete ?? rootUrl, STAND_IN_BASE);
    if (concrete) stored = checked;
  }
  const { problem, warning } = checkRegisteredRedirectUri(checked);
  if (problem) throw new RealmImportError(path, `"${uri}" ${problem}`);
  if (warning) warn(`redirect URI "${uri}" ${warning}`);
  return stored;
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

// RPI §3, standards §2: explicit post-logout redirect URIs are matched exactly, or as a Keycloak
// wildcard pattern when they end in `*`; `+` stands for the redirect URIs.
function checkPostLogoutRedirectUris(
  attributes: Record<string, string>,
  rootUrl: string | null,
  path: string,
  problems: ImportProblems,
  warn: (m: string) => void,
): void {
  const value = attributes[CLIENT_ATTRIBUTE.postLogoutRedirectUris];
  if (!value) return;
  value.split('##').forEach((entry, i) => {
    if (entry === '+' || entry === '') return;
    const resolved = entry.startsWith('/') ? resolveRegisteredUri(entry, rootUrl, STAND_IN_BASE) : entry;
    const { problem, warning } = checkRegisteredPostLogoutUri(resolved);
    if (problem)
      problems.add(`${path}["${CLIENT_ATTRIBUTE.postLogoutRedirectUris}"]`, `entry ${i} "${entry}" ${problem}`);
    else if (warning) warn(`post-logout redirect URI "${entry}" ${warning}`);
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
    // A URL that does not parse was reported already by its own check.
    const problem =
      value && URL.canParse(value) ? outboundUrlSchemeProblem(value, new URL(value), what, client, allowHttp) : null;
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
  if (!value || !URL.canParse(value)) return;
  const origin = new URL(value).origin;
  const origins = redirectUris.flatMap((r) => {
    const bare = r.endsWith('*') ? r.slice(0, -1) : r;
    return URL.canParse(bare) ? [new URL(bare).origin] : [];
  });
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
