// The CORS policies of the OIDC endpoints, as in Keycloak; each endpoint names its policy on its
// route line (app.ts). Discovery and the JWKS are public (any origin); token, userinfo, logout,
// revoke and introspection answer the web origins of the client the request is for. That client
// is read from a copy of the request — the credentials or `client_id` (token, revoke,
// introspect), the access token's `azp` (userinfo), the hint's `azp` or `client_id` (logout) —
// without verifying anything: CORS only decides which origin may read the answer, and a request
// that names a client falsely gets that endpoint's error, which reveals nothing.
import { decodeJwt } from 'jose';
import type { Context } from 'hono';
import { parseBasic } from '../http/client-auth.ts';
import {
  addCorsHeaders,
  addPublicCorsHeaders,
  type CorsPolicy,
  preflightResponse,
  resolveWebOrigins,
} from '../http/cors.ts';
import { type Params, readForm, readQueryOrForm } from '../http/params.ts';
import type { Client, Realm } from '../realm/model.ts';
import type { UsesRealms } from '../realm/capabilities.ts';

/** How an endpoint names its client. */
export type ClientOf = (req: Request) => Promise<string | null>;

const NO_ORIGINS: ReadonlySet<string> = new Set();

async function formOrNull(read: (req: Request) => Promise<Params>, req: Request): Promise<Params | null> {
  try {
    return await read(req);
  } catch {
    return null;
  }
}

function azpOf(jwt: string | undefined): string | null {
  if (!jwt) return null;
  try {
    const claims = decodeJwt(jwt);
    if (typeof claims.azp === 'string') return claims.azp;
    return typeof claims.aud === 'string' ? claims.aud : null;
  } catch {
    return null;
  }
}

/** RFC 6749 §2.3.1: HTTP Basic credentials, else the form's `client_id`. */
export const credentialsClient: ClientOf = async (req) => {
  const header = req.headers.get('authorization');
  if (header && /^basic /i.test(header)) {
    try {
      return parseBasic(header).id;
    } catch {
      return null;
    }
  }
  return (await formOrNull(readForm, req))?.get('client_id') ?? null;
};

/** RFC 6750 §2.1–2.2: the bearer token in the header or the form; its `azp` names the client. */
export const bearerTokenClient: ClientOf = async (req) => {
  const header = req.headers.get('authorization');
  if (header && /^bearer /i.test(header)) return azpOf(header.slice(7).trim());
  if (req.method !== 'POST') return null;
  return azpOf((await formOrNull(readForm, req))?.get('access_token'));
};

/** RPI §2: the hint's client, else `client_id`. */
export const logoutHintClient: ClientOf = async (req) => {
  const params = await formOrNull(readQueryOrForm, req);
  return azpOf(params?.get('id_token_hint')) ?? params?.get('client_id') ?? null;
};

async function clientOrigins(ctx: UsesRealms, realm: Realm, clientId: string | null): Promise<ReadonlySet<string>> {
  if (!clientId) return NO_ORIGINS;
  const client = await ctx.realms.clientByClientId(realm.id, clientId);
  return client?.enabled ? resolveWebOrigins(client) : NO_ORIGINS;
}

/**
 * The web origins of every enabled client of a realm. A preflight carries no body or
 * credentials, so it cannot name its client; it is allowed for an origin some client trusts,
 * and the actual request is then checked against its own client.
 */
export async function realmWebOrigins(ctx: UsesRealms, realm: Realm): Promise<Set<string>> {
  const clients: Client[] = await ctx.realms.clientsOf(realm.id);
  const origins = new Set<string>();
  for (const client of clients) if (client.enabled) for (const origin of resolveWebOrigins(client)) origins.add(origin);
  return origins;
}

function isPreflight(c: Context): boolean {
  return c.req.method === 'OPTIONS';
}

/**
 * The request's realm, when it exists and is enabled; without one, a preflight or credentialed
 * request is left to the route's 404. The route line runs the policy inside the request's realm
 * snapshot (http/route.ts), so the route's own lookup of the realm is answered from the cache.
 */
async function enabledRealm(ctx: UsesRealms, c: Context): Promise<Realm | null> {
  const realm = await ctx.realms.realmByName(c.req.param('realm') ?? '');
  return realm?.enabled ? realm : null;
}

/** Discovery and the JWKS: public and uncredentialed, so any origin may read them (errors included). */
export const anyOrigin: CorsPolicy = async (ctx, c, methods, endpoint) => {
  if (isPreflight(c) && (await enabledRealm(ctx, c)))
    return preflightResponse(c.req.header('origin') ?? null, null, methods);
  return addPublicCorsHeaders(await endpoint());
};

/**
 * The web origins of the client the request names (`clientOf`), with credentials; a preflight
 * is allowed for any origin a client of the realm trusts (see realmWebOrigins).
 */
export function webOriginsOf(clientOf: ClientOf): CorsPolicy {
  return async (ctx, c, methods, endpoint) => {
    const origin = c.req.header('origin') ?? null;
    // Requests without Origin (servers, navigations) need no CORS, nor the realm looked up.
    const realm = origin !== null || isPreflight(c) ? await enabledRealm(ctx, c) : null;
    if (!realm) return endpoint();
    if (isPreflight(c))
      return preflightResponse(origin, origin ? await realmWebOrigins(ctx, realm) : NO_ORIGINS, methods);
    // A copy, taken before the endpoint reads the body.
    const copy = c.req.raw.clone();
    const res = await endpoint();
    return addCorsHeaders(res, origin, await clientOrigins(ctx, realm, await clientOf(copy)));
  };
}
