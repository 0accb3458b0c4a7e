// Fastify: the Shared Signals push endpoint (RFC 8935), the bearer guard for APIs (RFC 6750)
// and the open-tabs relay (Server-Sent Events). Re-exported by `@sundown/rp/fastify`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AccessTokenClaims,
  type BearerGuard,
  type BearerGuardOptions,
  createBearerGuard,
} from '../bearer/bearer-guard.ts';
import {
  createPushPartsHandler,
  DEFAULT_PUSH_BODY_LIMIT,
  type SetPushOptions,
} from '../security-events/push-handler.ts';
import type { SessionIdentity } from '../session-state.ts';
import { TAB_RELAY_SCRIPT } from '../tabs/browser-script.ts';
import { SSE_HEADERS, TabRelay, type TabRelayOptions } from '../tabs/tab-relay.ts';

/**
 * Registers the RFC 8935 push endpoint at `path` (default `/ssf/events`) in its own
 * encapsulated context, so the app's content-type parsers are untouched.
 *
 * @example
 * await app.register(fastifySecurityEventPush, { issuer, audience: 'my-app', keys: new URL(jwksUri), store, authorizationHeader });
 */
export async function fastifySecurityEventPush(
  fastify: FastifyInstance,
  options: SetPushOptions & { path?: string },
): Promise<void> {
  const limit = options.maxBodyBytes ?? DEFAULT_PUSH_BODY_LIMIT;
  const handle = createPushPartsHandler(options);
  fastify.removeAllContentTypeParsers();
  // Every body as text, up to one byte over the limit: the endpoint answers sizes itself (RFC 8935 error JSON).
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  fastify.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: options.path ?? '/ssf/events',
    bodyLimit: 1024 * 1024,
    handler: async (request, reply) => {
      const body = typeof request.body === 'string' ? request.body : '';
      const response = await handle({
        method: request.method,
        contentType: request.headers['content-type'],
        authorization: request.headers.authorization,
        body: Buffer.byteLength(body) > limit ? null : body,
      });
      reply.code(response.status);
      response.headers.forEach((value, key) => void reply.header(key, value));
      return reply.send(await response.text());
    },
  });
}

const claimsOf = new WeakMap<FastifyRequest, AccessTokenClaims>();

/**
 * A `preHandler` hook that lets a request through only with an accepted access token (401 with
 * `WWW-Authenticate` otherwise, RFC 6750 §3). The claims: `fastifyAccessTokenClaims(request)`.
 *
 * @example
 * app.addHook('preHandler', fastifyBearerGuard({ issuer, audience: 'orders-api', keys: new URL(jwksUri), store }));
 */
export function fastifyBearerGuard(
  guard: BearerGuard | BearerGuardOptions,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const g = 'authenticate' in guard ? guard : createBearerGuard(guard);
  return async (request, reply) => {
    const outcome = await g.authenticate(request.headers.authorization);
    if (outcome.ok) {
      claimsOf.set(request, outcome.claims);
      return;
    }
    reply.code(outcome.status).headers(outcome.headers);
    await reply.send(outcome.body ?? '');
  };
}

/** The claims `fastifyBearerGuard` accepted for this request. */
export function fastifyAccessTokenClaims(request: FastifyRequest): AccessTokenClaims | undefined {
  return claimsOf.get(request);
}

export interface FastifyTabRelayOptions extends TabRelayOptions {
  /** Path of the event stream (default `/sundown/session-events`); the module is at `<path>.js`. */
  path?: string;
  /** The signed-in session of a request (from your session plugin); undefined when signed out. */
  identify: (request: FastifyRequest) => SessionIdentity | undefined | Promise<SessionIdentity | undefined>;
  /** A relay to share (default: one of the plugin's own, closed with the Fastify instance). */
  relay?: TabRelay;
}

/**
 * The open-tabs relay as a plugin: `GET <path>` is the event stream, `GET <path>.js` the module.
 *
 * @example
 * await app.register(fastifyTabRelay, { store, identify: (request) => request.session.get('sundown') });
 */
export async function fastifyTabRelay(fastify: FastifyInstance, options: FastifyTabRelayOptions): Promise<void> {
  const path = options.path ?? '/sundown/session-events';
  const relay = options.relay ?? new TabRelay(options);
  if (!options.relay) fastify.addHook('onClose', async () => relay.close());
  fastify.get(`${path}.js`, async (_request, reply) =>
    reply
      .headers({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' })
      .send(TAB_RELAY_SCRIPT),
  );
  fastify.get(path, async (request, reply) => {
    const identity = await options.identify(request);
    const raw = reply.raw;
    let ended = false;
    const connection = {
      write: (chunk: string) => {
        if (ended || raw.destroyed) return;
        if (!raw.headersSent) raw.writeHead(200, SSE_HEADERS);
        raw.write(chunk);
      },
      end: () => {
        if (ended) return;
        ended = true;
        raw.end();
      },
    };
    const lastEventId = request.headers['last-event-id'];
    // Decide before hijacking: a first connection without a session is an ordinary 204.
    if (!identity && !lastEventId) return reply.code(204).header('cache-control', 'no-store').send();
    reply.hijack();
    const disconnect = await relay.connect(
      identity,
      typeof lastEventId === 'string' ? lastEventId : undefined,
      connection,
    );
    if (disconnect === false) return connection.end();
    const gone = () => {
      ended = true;
      disconnect();
    };
    // The tab may have gone while the relay checked its session: then 'close' has fired already.
    if (raw.destroyed || raw.writableEnded) gone();
    else raw.on('close', gone);
  });
}
