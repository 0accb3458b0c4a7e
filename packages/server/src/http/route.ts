// The route line of a realm endpoint: its policies, declared once where the route is (app.ts).
// Whatever the endpoint throws is answered here, in the route's format (JSON for APIs, a page for
// browser endpoints), and a refused request (4xx) is recorded as the route's error event; the
// admin API's route line (admin/admin-endpoint.ts) answers through the same `refuse`. An outage
// of the store becomes 503 temporarily_unavailable (store/unavailable.ts) the same way; it is not
// the client's fault, so no error event. The route's CORS policy (http/cors.ts) wraps it all.
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { EventType } from '../events/event-log.ts';
import { asOAuthError, MethodNotAllowed, NotFound, type OAuthError } from '../errors.ts';
import type { Realm } from '../realm/model.ts';
import { type ProxyTrust, resolveClientAddress } from './client-address.ts';
import type { CorsPolicy } from './cors.ts';
import { jsonError } from './respond.ts';
import type { UsesEvents } from '../events/capabilities.ts';
import type { UsesLog } from '../log.ts';
import type { UsesRealms } from '../realm/capabilities.ts';

/**
 * What an endpoint learnt about a request before it was refused, for the error event: the
 * client, user and session it concerned, and a Keycloak event error code or details where the
 * OAuth error code alone says too little (e.g. `invalid_code` for a replayed code).
 */
export interface ErrorEventFacts {
  /** The token endpoint's grant_type, which chooses its error event. */
  grantType?: string;
  clientId?: string;
  userId?: string;
  sessionId?: string;
  /** The event's error; default the OAuth error code. */
  error?: string;
  /** The event's details; default the error description. */
  details?: Record<string, unknown>;
}

/** How a route answers an error: e.g. JSON (RFC 6749 §5.2) or an HTML page for browser endpoints (http/respond.ts). */
export type ErrorFormat = (log: Logger, err: OAuthError) => Response;

/** How a route answers what its endpoint throws, and what a refusal records. */
export interface ErrorPolicy {
  errors: ErrorFormat;
  /** The event a refused request records: one type, or one chosen from what the endpoint learnt. */
  errorEvent?: EventType | ((facts: ErrorEventFacts) => EventType | null);
}

export interface RouteOptions extends ErrorPolicy {
  /** Who may read the answers from a browser script (http/cors.ts); none when absent. */
  cors?: CorsPolicy;
}

/**
 * An endpoint. `ip`: the client's address for events and sessions; `addresses`: every address
 * the request may come from, which the login throttle counts it against (http/client-address.ts).
 */
export type RouteHandler<D> = (
  ctx: D,
  realm: Realm,
  req: Request,
  ip: string | null,
  facts: ErrorEventFacts,
  addresses: readonly string[],
) => Promise<Response>;

/** What the route line itself uses; a handler's own capabilities come on top (`D`). */
export type RouteContext = UsesRealms & UsesEvents & UsesLog;
/** The variables the app sets on every request (app.ts). */
export type RouteEnv = { Variables: { requestId: string } };

/** Where a refused request was: its realm once known, the client's address, what the endpoint learnt. */
export interface Refusal {
  realm?: Realm | undefined;
  ip: string | null;
  facts: ErrorEventFacts;
}

/** The socket peer's address, as @hono/node-server passes the Node request in `env`. */
function peerAddress(c: Context): string | null {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

/** The request's logger: its lines carry the request id. */
export function requestLog(ctx: UsesLog, c: Context<RouteEnv>): Logger {
  return ctx.log.child({ reqId: c.get('requestId') });
}

function errorEventType(policy: ErrorPolicy, facts: ErrorEventFacts): EventType | null {
  const { errorEvent } = policy;
  return typeof errorEvent === 'function' ? errorEvent(facts) : (errorEvent ?? null);
}

/**
 * A route's answer to what its endpoint threw, under the route's error policy: a refusal (4xx)
 * in a known realm is recorded as the route's error event, then answered in the route's format.
 */
export async function refuse(
  ctx: UsesEvents,
  log: Logger,
  policy: ErrorPolicy,
  thrown: unknown,
  at: Refusal,
): Promise<Response> {
  const err = asOAuthError(thrown);
  const { realm, facts } = at;
  const type = realm && err.status < 500 ? errorEventType(policy, facts) : null;
  if (realm && type) {
    try {
      await ctx.events.record({
        realmId: realm.id,
        type,
        clientId: facts.clientId ?? null,
        userId: facts.userId ?? null,
        sessionId: facts.sessionId ?? null,
        ipAddress: at.ip,
        error: facts.error ?? err.error,
        details: facts.details ?? { description: err.description },
      });
    } catch (recordFailed) {
      // The store failed under the event: answer that (503 when it is an outage).
      return policy.errors(log, asOAuthError(recordFailed));
    }
  }
  return policy.errors(log, err);
}

/** Serves one realm endpoint under its policy: CORS, realm lookup, method check, handler, errors. */
export function realmEndpoint<D extends RouteContext>(
  ctx: D,
  proxies: ProxyTrust,
  methods: readonly string[],
  handler: RouteHandler<D>,
  options: RouteOptions,
) {
  const { cors } = options;
  // One check of the cached realm configuration per request (realm/repository.ts).
  return (c: Context<RouteEnv>): Promise<Response> =>
    ctx.realms.snapshot(() => (cors ? cors(ctx, c, methods, () => serve(c)) : serve(c)));
  async function serve(c: Context<RouteEnv>): Promise<Response> {
    const { address: ip, candidates } = resolveClientAddress(
      peerAddress(c),
      c.req.raw.headers,
      proxies.trustedProxies,
      proxies.trustedProxyHeader,
    );
    const facts: ErrorEventFacts = {};
    let realm: Realm | undefined;
    try {
      realm = await ctx.realms.realmByName(c.req.param('realm') ?? '');
      // Before the endpoint's own format is known to apply: the realm or method is wrong.
      if (!realm?.enabled) return jsonError(ctx.log, new NotFound('Realm does not exist'));
      if (!methods.includes(c.req.method)) return jsonError(ctx.log, new MethodNotAllowed());
      return await handler(ctx, realm, c.req.raw, ip, facts, candidates);
    } catch (thrown) {
      return refuse(ctx, requestLog(ctx, c), options, thrown, { realm, ip, facts });
    }
  }
}

/** Any other path under a realm: the realm's 404, or the path's. */
export function realmFallback(ctx: RouteContext) {
  return async (c: Context<RouteEnv>): Promise<Response> => {
    const realm = await ctx.realms.realmByName(c.req.param('realm') ?? '');
    return jsonError(ctx.log, new NotFound(realm?.enabled ? 'Not found' : 'Realm does not exist'));
  };
}
