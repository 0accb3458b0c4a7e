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
// registered Keycloak wildcard `…/*` — as a prefix on a segment boundary.

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

/** A registered redirect URI, compiled for matching. */
interface Registered {
  url: URL;
  /** For a `…/*` wildcard: the path before the `/*`; a match is this path or below it. */
  wildcardPath: string | null;
}

/**
 * Compiles a registered URI. Import refuses malformed ones (see `registeredUriProblem`); rows
 * stored before that check may hold Keycloak's looser `https://host:port*` or `…/app*`, which
 * are matched on a segment boundary here — never as a string prefix.
 */
function compileRegistered(raw: string): Registered | null {
  const wildcard = raw.endsWith('*');
  const inspected = inspectUri(wildcard ? raw.slice(0, -1) : raw);
  if (!inspected.ok) return null;
  const { url } = inspected;
  if (!wildcard) return { url, wildcardPath: null };
  if (url.search !== '' || raw.slice(0, -1).includes('*')) return null;
  return { url, wildcardPath: url.pathname.replace(/\/$/, '') };
}

function matchesOne(presented: URL, registered: Registered): boolean {
  // Scheme, host and port, as parsed: case-insensitive, default port normalised.
  if (presented.protocol !== registered.url.protocol || presented.host !== registered.url.host) return false;
  if (registered.wildcardPath === null) return presented.href === registered.url.href;
  // Keycloak: a wildcard ignores the query; `/app/*` also matches `/app`.
  const base = registered.wildcardPath;
  return presented.pathname === base || presented.pathname.startsWith(`${base}/`);
}

/**
 * Authorization and legacy logout `redirect_uri`: the presented URI against the client's
 * registered redirect URIs, exact or Keycloak `…/*` wildcard. Returns the URI as presented,
 * which the token request must repeat exactly (RFC 6749 §4.1.3).
 */
export function matchRedirectUri(presented: string, registered: readonly string[]): RedirectUriMatch {
  const inspected = inspectUri(presented);
  if (!inspected.ok) return inspected;
  const hit = registered.some((r) => {
    const compiled = compileRegistered(r);
    return compiled !== null && matchesOne(inspected.url, compiled);
  });
  return hit ? { ok: true, uri: presented } : refuse('not-registered', 'is not registered for the client');
}

export interface PostLogoutRedirectUris {
  /** The explicit `post.logout.redirect.uris` entries: exact string match only. */
  exact: readonly string[];
  /** The client's redirect URIs when the attribute holds `+`, else none. */
  redirectUris: readonly string[];
}

/**
 * `post_logout_redirect_uri` (RPI §3, standards §2): an exact string match with an explicit
 * entry, or — through Keycloak's `+` — a match with the client's redirect URIs under the same
 * rules as authorization.
 */
export function matchPostLogoutRedirectUri(presented: string, registered: PostLogoutRedirectUris): RedirectUriMatch {
  const inspected = inspectUri(presented);
  if (!inspected.ok) return inspected;
  if (registered.exact.includes(presented)) return { ok: true, uri: presented };
  if (registered.redirectUris.length > 0) return matchRedirectUri(presented, registered.redirectUris);
  return refuse('not-registered', 'is not registered for the client');
}

/**
 * What is wrong with a URI a client registers as a redirect URI, or null. A `*` may only end
 * the URI, directly after a `/` of the path (`https://app.example/area/*`).
 */
export function registeredRedirectUriProblem(raw: string): string | null {
  const wildcard = raw.endsWith('*');
  const bare = wildcard ? raw.slice(0, -1) : raw;
  if (bare.includes('*')) return 'may only have a wildcard "*" at the end';
  const inspected = inspectUri(bare);
  if (!inspected.ok) return inspected.reason;
  if (wildcard && !(bare.endsWith('/') && inspected.url.search === '' && inspected.url.pathname.endsWith('/'))) {
    return 'may only have a wildcard "*" directly after a "/" of the path (for example https://app.example/area/*)';
  }
  return null;
}

/** What is wrong with an explicit `post.logout.redirect.uris` entry, or null (exact URIs only). */
export function registeredPostLogoutUriProblem(raw: string): string | null {
  if (raw.includes('*'))
    return 'is matched exactly, so a wildcard "*" would never match; list the URIs, or use "+" for the redirect URIs';
  const inspected = inspectUri(raw);
  return inspected.ok ? null : inspected.reason;
}
