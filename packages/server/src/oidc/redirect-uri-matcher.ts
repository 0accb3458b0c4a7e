// The one redirect URI matcher: authorization `redirect_uri` (RFC 6749 §3.1.2.3, OIDC Core
// §3.1.2.1), the legacy logout `redirect_uri` and `post_logout_redirect_uri` (RPI §3, standards
// §2), and the check of registered URIs at import and in the admin API.
//
// The presented URI is parsed once and refused when its raw text could mean something else to
// the browser or the client's server than to us (RFC 9700 §4.1): user information (Keycloak
// turns wildcards off for it; we refuse it), dot segments raw or percent-encoded (at any depth
// of `%25`, and with `;` path parameters), backslashes,
// control characters, fragments (RFC 6749 §3.1.2), and OAuth response parameters the redirect
// would then carry twice (RFC 9207 §2.4 for `iss`). Scheme, host and port are compared on the
// parsed URL (case-insensitive, default port normalised), then the path: exactly, or — for a
// registered Keycloak wildcard — as a prefix on a segment boundary (redirect-uri-pattern.ts
// reads every form Keycloak accepts; native app schemes are matched as text after the scheme).

import { compilePattern, patternWarning, type RedirectPattern, schemeOf } from './redirect-uri-pattern.ts';

/** Why a presented or registered URI was refused; the private detail for logs and events. */
export type RedirectUriProblem =
  | 'invalid'
  | 'scheme'
  | 'userinfo'
  | 'dot-segment'
  | 'backslash'
  | 'fragment'
  | 'response-parameter'
  | 'not-registered';

export type RedirectUriMatch = { ok: true; uri: string } | { ok: false; problem: RedirectUriProblem; reason: string };

/**
 * Parameters of an authorization or logout response (RFC 6749 §4.1.2, §4.1.2.1, §4.2.2;
 * RFC 9207; OIDC Core §3.2.2.5; Session Management `session_state`; JARM `response`). A
 * redirect URI carrying one would send it twice, the second one chosen by whoever wrote the URI.
 */
export const RESPONSE_PARAMETERS: readonly string[] = [
  'code',
  'state',
  'iss',
  'error',
  'error_description',
  'error_uri',
  'id_token',
  'access_token',
  'token_type',
  'expires_in',
  'refresh_token',
  'session_state',
  'response',
];

type Inspected = { ok: true; url: URL } | { ok: false; problem: RedirectUriProblem; reason: string };

const refuse = (problem: RedirectUriProblem, reason: string) => ({ ok: false, problem, reason }) as const;

/**
 * `%25` hides one more level of encoding; undo it until nothing changes (each round shortens
 * the text, so this ends within its length), then the dots, separators and `;`.
 */
function decodePathSeparators(rawPath: string): string {
  let s = rawPath;
  while (/%25/i.test(s)) s = s.replace(/%25/gi, '%');
  return s.replace(/%2e/gi, '.').replace(/%2f/gi, '/').replace(/%5c/gi, '\\').replace(/%3b/gi, ';');
}

/**
 * Whether a decoded path segment is a dot segment to some server: Tomcat and Jetty drop a
 * segment's `;…` path parameters before resolving dot segments, so `..;x` is `..` to them.
 */
function isDotSegment(segment: string): boolean {
  const name = segment.split(';', 1)[0]!;
  return name === '.' || name === '..';
}

/**
 * Parses one absolute http(s) URI and refuses every form whose raw text and parsed meaning
 * can differ. The raw checks run on the text as the browser will receive it.
 */
export function inspectUri(raw: string): Inspected {
  // WHATWG URL silently drops tabs and newlines and trims spaces and C0 controls.
  if ([...raw].some((ch) => ch.charCodeAt(0) <= 0x20 || ch.charCodeAt(0) === 0x7f))
    return refuse('invalid', 'contains whitespace or control characters');
  if (raw.includes('#')) return refuse('fragment', 'has a fragment (RFC 6749 §3.1.2)');
  // `https:host` and `https:/host` parse as `https://host`; only the plain form is accepted.
  const start = /^https?:\/\//i.exec(raw);
  if (!start) return refuse('scheme', 'is not an absolute http or https URI');
  // WHATWG URL reads `\` as `/` in http(s) URLs; the client's server may not.
  if (raw.includes('\\')) return refuse('backslash', 'contains a backslash');
  const afterScheme = raw.slice(start[0].length);
  const authorityEnd = afterScheme.search(/[/?]/);
  const authority = authorityEnd === -1 ? afterScheme : afterScheme.slice(0, authorityEnd);
  // `https:///cb` parses as host `cb`.
  if (authority === '') return refuse('invalid', 'has no host');
  if (authority.includes('@')) return refuse('userinfo', 'has user information');
  const rest = authorityEnd === -1 ? '' : afterScheme.slice(authorityEnd);
  const rawPath = rest.split('?', 1)[0]!;
  const path = decodePathSeparators(rawPath);
  if (path.includes('\\')) return refuse('backslash', 'contains an encoded backslash');
  if (path.split('/').some(isDotSegment)) return refuse('dot-segment', 'has a dot segment');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('invalid', 'is not a valid URI');
  }
  if (url.username !== '' || url.password !== '') return refuse('userinfo', 'has user information');
  const carried = [...new Set(url.searchParams.keys())].filter((k) => RESPONSE_PARAMETERS.includes(k));
  if (carried.length > 0)
    return refuse('response-parameter', `already carries the response parameter ${carried.join(', ')}`);
  return { ok: true, url };
}

/** A registered URI as a pattern; http(s) parts are inspected like presented URIs. */
function compileRegistered(raw: string): RedirectPattern {
  return compilePattern(raw, (uri) => {
    const inspected = inspectUri(uri);
    return inspected.ok ? inspected.url : inspected.reason;
  });
}

/** RFC 8252 §7.3 (Keycloak's LOOPBACK_INTERFACES): a native app's loopback redirect may use any port. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function samePort(presented: URL, registered: string | null): boolean {
  if (registered === null || presented.port === registered) return true;
  return registered === '' && presented.protocol === 'http:' && LOOPBACK_HOSTS.has(presented.hostname);
}

function matchesHttp(presented: URL, pattern: RedirectPattern): boolean {
  switch (pattern.kind) {
    case 'any-http':
      return true;
    case 'exact': {
      const registered = pattern.url;
      if (presented.href === registered.href) return true;
      // The loopback rule: the same URI on another port.
      if (!samePort(presented, registered.port)) return false;
      const moved = new URL(presented.href);
      moved.port = registered.port;
      return moved.href === registered.href;
    }
    case 'http-prefix': {
      // Scheme, host and port, as parsed: case-insensitive, default port normalised.
      if (presented.protocol !== pattern.protocol || presented.hostname !== pattern.hostname) return false;
      if (!samePort(presented, pattern.port)) return false;
      // Keycloak: a wildcard ignores the query; `/app/*` also matches `/app`. On a segment boundary.
      const base = pattern.path;
      return base === '' || presented.pathname === base || presented.pathname.startsWith(`${base}/`);
    }
    default:
      return false;
  }
}

/**
 * A native app's URI (a private-use scheme, RFC 8252 §7.1): matched as text after the same
 * scheme, as Keycloak does — it never matches an http(s) pattern, nor `*` (Keycloak: the
 * matched registration must start with the presented scheme). The raw text is refused when a
 * server or app could read it otherwise: user information, dot segments, backslashes.
 */
function matchesApp(raw: string, scheme: string, patterns: RedirectPattern[]): boolean {
  return patterns.some(
    (p) =>
      (p.kind === 'app-exact' && p.scheme === scheme && p.uri === raw) ||
      (p.kind === 'app-prefix' && p.scheme === scheme && raw.startsWith(p.prefix)),
  );
}

function inspectAppUri(raw: string): RedirectUriMatch | null {
  if ([...raw].some((ch) => ch.charCodeAt(0) <= 0x20 || ch.charCodeAt(0) === 0x7f))
    return refuse('invalid', 'contains whitespace or control characters');
  if (raw.includes('#')) return refuse('fragment', 'has a fragment (RFC 6749 §3.1.2)');
  if (raw.includes('\\')) return refuse('backslash', 'contains a backslash');
  const afterScheme = raw.slice(raw.indexOf(':') + 1);
  const hier = afterScheme.split('?', 1)[0]!;
  if (hier.startsWith('//') && hier.slice(2).split('/', 1)[0]!.includes('@'))
    return refuse('userinfo', 'has user information');
  const path = decodePathSeparators(hier);
  if (path.includes('\\')) return refuse('backslash', 'contains an encoded backslash');
  if (path.split('/').some(isDotSegment)) return refuse('dot-segment', 'has a dot segment');
  return null;
}

function matchAgainst(presented: string, registered: readonly string[]): RedirectUriMatch {
  const scheme = schemeOf(presented);
  const patterns = registered.map(compileRegistered);
  if (scheme !== null && scheme !== 'http' && scheme !== 'https') {
    const problem = /^[a-z][a-z0-9+.-]*:/i.test(presented) ? inspectAppUri(presented) : null;
    if (problem) return problem;
    if (matchesApp(presented, scheme, patterns)) return { ok: true, uri: presented };
    // Not a registered app URI: the refusal of a web URI says what is wrong with it.
  }
  const inspected = inspectUri(presented);
  if (!inspected.ok) return inspected;
  return patterns.some((p) => matchesHttp(inspected.url, p))
    ? { ok: true, uri: presented }
    : refuse('not-registered', 'is not registered for the client');
}

/**
 * Authorization and legacy logout `redirect_uri`: the presented URI against the client's
 * registered redirect URIs, exact or Keycloak `…/*` wildcard. Returns the URI as presented,
 * which the token request must repeat exactly (RFC 6749 §4.1.3).
 */
export function matchRedirectUri(presented: string, registered: readonly string[]): RedirectUriMatch {
  return matchAgainst(presented, registered);
}

export interface PostLogoutRedirectUris {
  /**
   * The explicit `post.logout.redirect.uris` entries: one without a wildcard is matched as an
   * exact string (RPI §3); one ending in `*` as a pattern, as Keycloak matches them.
   */
  explicit: readonly string[];
  /** The client's redirect URIs when the attribute holds `+`, else none. */
  redirectUris: readonly string[];
}

/**
 * `post_logout_redirect_uri` (RPI §3, standards §2): an exact string match with an explicit
 * entry, a match with an explicit wildcard entry, or — through Keycloak's `+` — a match with the
 * client's redirect URIs, under the same rules as authorization.
 */
export function matchPostLogoutRedirectUri(presented: string, registered: PostLogoutRedirectUris): RedirectUriMatch {
  const patterns = registered.explicit.filter((e) => e.endsWith('*'));
  const scheme = schemeOf(presented);
  if (scheme === 'http' || scheme === 'https' || scheme === null) {
    const inspected = inspectUri(presented);
    if (!inspected.ok) return inspected;
  }
  if (registered.explicit.includes(presented) && !presented.endsWith('*')) {
    const checked = matchAgainst(presented, [presented]);
    if (checked.ok) return checked;
  }
  const all = [...patterns, ...registered.redirectUris];
  if (all.length > 0) return matchAgainst(presented, all);
  return refuse('not-registered', 'is not registered for the client');
}

export interface RegistrationCheck {
  /** Why the URI cannot be registered (the import stops), or null. */
  problem: string | null;
  /** Why it is wider than it looks, or kept but never matching (the import warns), or null. */
  warning: string | null;
}

/**
 * What a registered redirect URI (absolute: relative ones resolved first) means here. Refused,
 * as Keycloak refuses them or as no browser should be sent there: fragments (RFC 6749 §3.1.2),
 * script and local-data schemes, and the forms the matcher refuses when presented (user
 * information, dot segments, backslashes, response parameters). `webOnly` (SAML endpoints)
 * refuses native app schemes.
 */
export function checkRegisteredRedirectUri(raw: string, options: { webOnly?: boolean } = {}): RegistrationCheck {
  const ok = (warning: string | null = null): RegistrationCheck => ({ problem: null, warning });
  const no = (problem: string): RegistrationCheck => ({ problem, warning: null });
  if (raw === '*') return ok(patternWarning(raw, { kind: 'any-http' }));
  if (raw.includes('#')) return no('has a fragment (RFC 6749 §3.1.2)');
  const scheme = schemeOf(raw);
  if (scheme !== 'http' && scheme !== 'https') {
    if (scheme === null || options.webOnly) return no('is not an absolute http or https URI');
    const bare = raw.endsWith('*') ? raw.slice(0, -1) : raw;
    const problem = inspectAppUri(bare);
    if (problem && !problem.ok) return no(problem.reason);
  }
  if (raw.includes('?') && raw.endsWith('*'))
    return no('has a wildcard "*" after its query, which Keycloak matches literally, never as a wildcard');
  const pattern = compileRegistered(raw);
  if (pattern.kind === 'never') {
    if (pattern.reason.startsWith('has a wildcard inside the host name'))
      return ok(`${pattern.reason}; Sundown never matches it (list the hosts)`);
    return no(pattern.reason);
  }
  return ok(patternWarning(raw, pattern));
}

/** What is wrong with a URI a client registers as a redirect URI, or null. */
export function registeredRedirectUriProblem(raw: string, options: { webOnly?: boolean } = {}): string | null {
  return checkRegisteredRedirectUri(raw, options).problem;
}

/** An explicit `post.logout.redirect.uris` entry: the same rules as a redirect URI. */
export function checkRegisteredPostLogoutUri(raw: string): RegistrationCheck {
  return checkRegisteredRedirectUri(raw);
}
