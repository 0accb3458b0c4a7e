// A registered redirect URI as Keycloak accepts it, compiled into a pattern that is matched on
// the parsed URI (redirect-uri-matcher.ts), never as a string prefix.
//
// Keycloak (RedirectUtils.matchesRedirects) compares strings: a registered URI ending in `*`
// (and without `?`) matches every URI that starts with the text before the `*`; `*` alone
// matches any http(s) URI. As a string prefix, `http://localhost*` also matches
// `http://localhost.evil.example` and `http://localhost@evil.example` (CVE-2023-6291 and
// CVE-2024-1132 were fixes of such forms). Here the text before the `*` is read as the parts
// of a URI and each part is compared as parsed:
//   `*`                         any http(s) URI
//   `http://localhost*`         host localhost (exactly), any port, any path
//   `http://localhost:*`        the same
//   `http://localhost:3000*`    that host and port, any path
//   `https://app.example/*`     that origin, any path
//   `https://app.example/a/*`   that origin, /a and below (on a segment boundary)
//   `https://app.example/a*`    the same: /a and below, never /ab
//   `myapp:/cb`, `com.example.app:/oauth2redirect`, `dev.localhost.ionic:*`
//                               a native app's private-use scheme (RFC 8252 §7.1): exact, or
//                               the text before the `*` as a prefix after the same scheme.
// A `*` inside the host name (`https://app.*`, `http://192.168.1.*`) cannot be matched safely
// (any host that starts with the text would do): such a URI is kept but never matches, and the
// import says so.

/** A redirect URI pattern, compiled once per match. */
export type RedirectPattern =
  | { kind: 'any-http' }
  | { kind: 'exact'; url: URL }
  | {
      kind: 'http-prefix';
      protocol: string;
      hostname: string;
      /** `null`: any port. Otherwise the port as URL.port gives it ('' for the default). */
      port: string | null;
      /** Matches this path and everything below it ('' for any path). */
      path: string;
    }
  | { kind: 'app-exact'; scheme: string; uri: string }
  | { kind: 'app-prefix'; scheme: string; prefix: string }
  /** Kept as registered but matching nothing (a `*` inside a host name, a malformed row). */
  | { kind: 'never'; reason: string };

/** Schemes that are never a redirect target: they run code or read local data in the browser. */
const FORBIDDEN_SCHEMES = new Set(['javascript', 'data', 'vbscript', 'file', 'blob', 'about', 'filesystem']);

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

export function schemeOf(raw: string): string | null {
  return SCHEME.exec(raw)?.[1]?.toLowerCase() ?? null;
}

const isHttp = (scheme: string | null) => scheme === 'http' || scheme === 'https';

/**
 * Compiles a registered URI (already absolute: relative ones are resolved first, see
 * `resolveRegisteredUri`). `parse` inspects an http(s) URI the way presented URIs are inspected.
 */
export function compilePattern(raw: string, parse: (uri: string) => URL | string): RedirectPattern {
  if (raw === '*') return { kind: 'any-http' };
  const scheme = schemeOf(raw);
  if (scheme === null) return { kind: 'never', reason: 'is not an absolute URI' };
  if (FORBIDDEN_SCHEMES.has(scheme)) return { kind: 'never', reason: `uses the "${scheme}:" scheme` };
  // Keycloak: a `*` only acts as a wildcard at the end of a URI without a query.
  const wildcard = raw.endsWith('*') && !raw.includes('?');
  const bare = wildcard ? raw.slice(0, -1) : raw;
  if (!isHttp(scheme)) {
    if (bare.includes('*')) return { kind: 'never', reason: 'may only have a wildcard "*" at the end' };
    return wildcard ? { kind: 'app-prefix', scheme, prefix: bare } : { kind: 'app-exact', scheme, uri: raw };
  }
  if (bare.includes('*') && !raw.includes('?'))
    return { kind: 'never', reason: 'may only have a wildcard "*" at the end' };
  if (!wildcard) {
    const url = parse(raw);
    return typeof url === 'string' ? { kind: 'never', reason: url } : { kind: 'exact', url };
  }
  return compileHttpPrefix(bare, scheme, parse);
}

function compileHttpPrefix(bare: string, scheme: string, parse: (uri: string) => URL | string): RedirectPattern {
  const afterScheme = bare.slice(scheme.length + 1);
  if (!afterScheme.startsWith('//')) return { kind: 'never', reason: 'is not an absolute http or https URI' };
  const rest = afterScheme.slice(2);
  const pathStart = rest.indexOf('/');
  const authority = pathStart === -1 ? rest : rest.slice(0, pathStart);
  // `http://localhost:*`: any port. `http://localhost*`: the host is complete, any port.
  const anyPort = pathStart === -1 && (authority.endsWith(':') || !/:\d+$/.test(authority));
  const hostText = authority.endsWith(':') ? authority.slice(0, -1) : authority;
  // A host name cut short (`app.`, `192.168.1.`, `app-`) would match any host starting so.
  if (pathStart === -1 && /[.-]$/.test(hostText))
    return {
      kind: 'never',
      reason: `has a wildcard inside the host name, which would match any host starting with "${hostText}"`,
    };
  const url = parse(`${scheme}://${hostText}${pathStart === -1 ? '/' : rest.slice(pathStart)}`);
  if (typeof url === 'string') return { kind: 'never', reason: url };
  if (url.search !== '') return { kind: 'never', reason: 'has a query before the wildcard' };
  return {
    kind: 'http-prefix',
    protocol: url.protocol,
    hostname: url.hostname,
    port: anyPort ? null : url.port,
    path: pathStart === -1 ? '' : url.pathname.replace(/\/$/, ''),
  };
}

/**
 * Why a registration is wider than it looks, or null: Keycloak accepts these and so does
 * Sundown, but an administrator should know (logged at import).
 */
export function patternWarning(raw: string, pattern: RedirectPattern): string | null {
  if (pattern.kind === 'any-http') return 'allows a redirect to any http or https URI of any site';
  if (pattern.kind !== 'http-prefix') return null;
  const host = pattern.hostname;
  if (pattern.port === null) return `allows any port and any path on ${host}`;
  if (pattern.path === '') return `allows any path on ${host}${pattern.port ? `:${pattern.port}` : ''}`;
  if (!raw.endsWith('/*'))
    return `is matched on a path segment boundary: ${pattern.path} and below it, not ${pattern.path}-other`;
  return null;
}

/** Keycloak's placeholders for its own base URL, used by its built-in clients' rootUrl. */
export const AUTH_BASE_URL = '${authBaseUrl}';
export const AUTH_ADMIN_URL = '${authAdminUrl}';

/**
 * A client's rootUrl as Keycloak resolves it at run time (ResolveRelative.resolveRootUrl):
 * the placeholders become the server's base URL, a trailing slash is dropped.
 */
export function resolveRootUrl(rootUrl: string | null, serverBase: string): string | null {
  if (!rootUrl) return null;
  const root = rootUrl === AUTH_BASE_URL || rootUrl === AUTH_ADMIN_URL ? serverBase : rootUrl;
  return root.replace(/\/$/, '');
}

/**
 * A registered URI as Keycloak resolves it (RedirectUtils.relativeToAbsoluteURI): one starting
 * with `/` is relative to the client's rootUrl, or without one to the server's own origin.
 */
export function resolveRegisteredUri(raw: string, rootUrl: string | null, serverBase: string): string {
  if (!raw.startsWith('/')) return raw;
  return (resolveRootUrl(rootUrl, serverBase) ?? new URL(serverBase).origin) + raw;
}

/**
 * A client's registered URIs as matched at run time: relative ones (Keycloak's built-in clients
 * keep `/realms/{realm}/account/*` under a `${authBaseUrl}` rootUrl) resolved against this
 * server's base URL, which is known only when it runs (`serverBase`: public URL + relative path).
 */
export function resolveRegisteredUris(
  uris: readonly string[],
  rootUrl: string | null,
  serverBase: string,
): readonly string[] {
  return uris.some((u) => u.startsWith('/')) ? uris.map((u) => resolveRegisteredUri(u, rootUrl, serverBase)) : uris;
}
