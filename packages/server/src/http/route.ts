// The error and event policy of a realm endpoint, declared once where the route is: whatever the
// endpoint throws is answered here, in the route's format (JSON for APIs, a page for browser
// endpoints), and a refused request (4xx) is recorded as the route's error event. An outage of
// the store becomes 503 temporarily_unavailable (store/unavailable.ts) the same way; it is not
// the client's fault, so no error event.
import type { Context } from 'hono';
import type { ProviderContext } from '../context.ts';
import type { EventType } from '../events/event-log.ts';
import { asOAuthError, MethodNotAllowed, NotFound, type OAuthError } from '../errors.ts';
import type { Realm } from '../realm/model.ts';
import { type ProxyTrust, resolveClientAddress } from './client-address.ts';
import { htmlError, jsonError } from './respond.ts';

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

export interface RouteOptions {
  /** How errors are answered: JSON (RFC 6749 §5.2) or an HTML page for browser endpoints. */
  errors: 'json' | 'html';
  /** The event a refused request records: one type, or one chosen from what the endpoint learnt. */
  errorEvent?: EventType | ((facts: ErrorEventFacts) => EventType | null);
}

/**
 * An endpoint. `ip`: the client's address for events and sessions; `addresses`: every address
 * the request may come from, which the login throttle counts it against (http/client-address.ts).
 */
export type RouteHandler = (
  ctx: ProviderContext,
  realm: Realm,
  req: Request,
  ip: string | null,
  facts: ErrorEventFacts,
  addresses: readonly string[],
) => Promise<Response>;

type RouteContext = Pick<ProviderContext, 'realms' | 'events' | 'log'>;
type Env = { Variables: { requestId: string } };

/** The socket peer's address, as @hono/node-server passes the Node request in `env`. */
function peerAddress(c: Context): string | null {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

function errorEventType(options: RouteOptions, facts: ErrorEventFacts): EventType | null {
  const { errorEvent } = options;
  return typeof errorEvent === 'function' ? errorEvent(facts) : (errorEvent ?? null);
}

/** Serves one realm endpoint under its policy: realm lookup, method check, handler, errors. */
export function realmEndpoint(ctx: ProviderContext, proxies: ProxyTrust, methods: readonly string[], handler: RouteHandler, options: RouteOptions) {
  const answer = (c: Context<Env>, err: OAuthError) => {
    const log = ctx.log.child({ reqId: c.get('requestId') });
    return options.errors === 'html' ? htmlError(log, err) : jsonError(log, err);
  };
  // One check of the cached realm configuration per request (realm/repository.ts).
  return (c: Context<Env>): Promise<Response> => ctx.realms.snapshot(() => serve(c));
  async function serve(c: Context<Env>): Promise<Response> {
    const { address: ip, candidates } = resolveClientAddress(peerAddress(c), c.req.raw.headers, proxies.trustedProxies, proxies.trustedProxyHeader);
    const facts: ErrorEventFacts = {};
    let realm: Realm | undefined;
    try {
      realm = await ctx.realms.realmByName(c.req.param('realm') ?? '');
      // Before the endpoint's own format is known to apply: the realm or method is wrong.
      if (!realm?.enabled) return jsonError(ctx.log, new NotFound('Realm does not exist'));
      if (!methods.includes(c.req.method)) return jsonError(ctx.log, new MethodNotAllowed());
      return await handler(ctx, realm, c.req.raw, ip, facts, candidates);
    } catch (thrown) {
      const err = asOAuthError(thrown);
      const type = realm && err.status < 500 ? errorEventType(options, facts) : null;
      if (realm && type) {
        try {
          await ctx.events.record({
            realmId: realm.id,
            type,
            clientId: facts.clientId ?? null,
            userId: facts.userId ?? null,
            sessionId: facts.sessionId ?? null,
            ipAddress: ip,
            error: facts.error ?? err.error,
            details: facts.details ?? { description: err.description },
          });
        } catch (recordFailed) {
          // The store failed under the event: answer that (503 when it is an outage).
          return answer(c, asOAuthError(recordFailed));
        }
      }
      return answer(c, err);
    }
  }
}

/** Any other path under a realm: the realm's 404, or the path's. */
export function realmFallback(ctx: RouteContext) {
  return async (c: Context<Env>): Promise<Response> => {
    const realm = await ctx.realms.realmByName(c.req.param('realm') ?? '');
    return jsonError(ctx.log, new NotFound(realm?.enabled ? 'Not found' : 'Realm does not exist'));
  };
}
