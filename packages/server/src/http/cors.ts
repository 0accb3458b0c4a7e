// CORS for browser apps, as Keycloak answers them (services/cors/DefaultCors.java and
// protocol/oidc/utils/WebOriginsUtils.java): a client's `webOrigins` list the origins whose
// scripts may read its responses, `+` stands for the origins of its redirect URIs and `*` for
// any origin. An allowed origin is echoed (never `*`) with credentials allowed, because
// keycloak-js sends its token requests with `credentials: 'include'` (Fetch §3.2.5: a
// credentialed response needs the exact origin). An origin that is not allowed gets no CORS
// headers and an otherwise unchanged response, so the browser withholds it from the script.
import type { Context } from 'hono';
import type { Client } from '../realm/model.ts';
import type { UsesRealms } from '../realm/capabilities.ts';

/**
 * A route's CORS policy, declared on its route line (app.ts, http/route.ts): it answers a
 * preflight itself, or runs the endpoint and adds the CORS headers its answer needs. The
 * policies of the OIDC endpoints are in oidc/cors-policies.ts.
 */
export type CorsPolicy = (
  ctx: UsesRealms,
  c: Context,
  methods: readonly string[],
  endpoint: () => Promise<Response>,
) => Promise<Response>;

/** Keycloak's `+`: the origins of the client's redirect URIs (WebOriginsUtils.INCLUDE_REDIRECTS). */
export const INCLUDE_REDIRECTS = '+';
/** Any origin, which Keycloak allows as a web origin. */
export const ANY_ORIGIN = '*';

/** Keycloak's default allowed request headers (Cors.DEFAULT_ALLOW_HEADERS) plus Authorization. */
const ALLOW_HEADERS =
  'Origin, Accept, X-Requested-With, Content-Type, Access-Control-Request-Method, Access-Control-Request-Headers, Authorization';
/** Keycloak's preflight cache lifetime (Cors.DEFAULT_MAX_AGE), seconds. */
const MAX_AGE_SECONDS = 3600;

/**
 * Why a registered web origin is unusable, or null: `+`, `*`, or an origin exactly as the
 * browser sends it in `Origin` (RFC 6454 §6.1: scheme "://" host [":" port], lower-case, no
 * default port, no path, no trailing slash). The one rule for every client's `webOrigins`, OIDC
 * and SAML, at every writer (realm import, admin API) and again where they are used, because
 * they go into headers: CORS and the CSP `frame-ancestors` of the iframe pages and form_post.
 * Anything else (`;`, spaces, CR/LF) would change those headers or break them.
 */
export function webOriginProblem(value: string): string | null {
  if (value === INCLUDE_REDIRECTS || value === ANY_ORIGIN) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an origin (scheme://host[:port]), "+" or "*"';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  // Keycloak matches web origins exactly; a wildcard host would look like one but match nothing.
  if (url.hostname.includes('*'))
    return 'is not an origin as browsers send it (no wildcards; list each origin, or use "*")';
  if (url.origin !== value)
    return `is not an origin as browsers send it (scheme://host[:port], no path or trailing slash); did you mean "${url.origin}"?`;
  return null;
}

/**
 * The origins a client's web origins allow, with `+` resolved (WebOriginsUtils.resolveValidWebOrigins).
 * A stored value the rule refuses (a row written before it) is left out, never passed on.
 */
export function resolveWebOrigins(client: Pick<Client, 'webOrigins' | 'redirectUris'>): Set<string> {
  const origins = new Set(client.webOrigins.filter((o) => o !== INCLUDE_REDIRECTS && webOriginProblem(o) === null));
  if (client.webOrigins.includes(INCLUDE_REDIRECTS)) {
    for (const uri of client.redirectUris) {
      const origin = redirectUriOrigin(uri);
      if (origin) origins.add(origin);
    }
  }
  return origins;
}

function redirectUriOrigin(uri: string): string | null {
  try {
    const url = new URL(uri.endsWith('*') ? uri.slice(0, -1) : uri);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

export function originAllowed(origin: string, allowed: ReadonlySet<string>): boolean {
  return allowed.has(ANY_ORIGIN) || allowed.has(origin);
}

/** Adds the CORS headers of a credentialed response when `origin` is allowed; changes nothing otherwise. */
export function addCorsHeaders(res: Response, origin: string | null, allowed: ReadonlySet<string>): Response {
  // The answer depends on Origin whether or not it is allowed: caches must keep them apart.
  res.headers.append('Vary', 'Origin');
  if (origin === null || !originAllowed(origin, allowed)) return res;
  res.headers.set('Access-Control-Allow-Origin', origin);
  res.headers.set('Access-Control-Allow-Credentials', 'true');
  return res;
}

/** The CORS header of a public, uncredentialed resource (discovery, the JWKS): any origin may read it. */
export function addPublicCorsHeaders(res: Response): Response {
  res.headers.set('Access-Control-Allow-Origin', ANY_ORIGIN);
  return res;
}

/**
 * A preflight (Fetch §3.2.2, OPTIONS with Access-Control-Request-Method) is always answered
 * 204, never 405; its CORS headers only when the origin is allowed. `allowed` null means a
 * public resource.
 */
export function preflightResponse(
  origin: string | null,
  allowed: ReadonlySet<string> | null,
  methods: readonly string[],
): Response {
  const headers = new Headers({ 'Cache-Control': 'no-store' });
  const common = () => {
    headers.set('Access-Control-Allow-Methods', [...methods, 'OPTIONS'].join(', '));
    headers.set('Access-Control-Allow-Headers', ALLOW_HEADERS);
    headers.set('Access-Control-Max-Age', String(MAX_AGE_SECONDS));
  };
  if (allowed === null) {
    headers.set('Access-Control-Allow-Origin', ANY_ORIGIN);
    common();
  } else {
    headers.append('Vary', 'Origin');
    if (origin !== null && originAllowed(origin, allowed)) {
      headers.set('Access-Control-Allow-Origin', origin);
      headers.set('Access-Control-Allow-Credentials', 'true');
      common();
    }
  }
  return new Response(null, { status: 204, headers });
}
