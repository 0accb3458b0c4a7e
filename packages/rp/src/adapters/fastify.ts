// Fastify: the back-channel logout endpoint as a plugin, and the app-initiated logout redirect.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type BackchannelLogoutOptions, createLogoutFormHandler } from '../backchannel-handler.ts';
import { buildEndSessionUrl, type EndSessionUrlOptions } from '../end-session-url.ts';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/**
 * Registers the endpoint at `path` (default `/backchannel-logout`) in its own encapsulated
 * context, so the app's content-type parsers are untouched.
 *
 * @example
 * await app.register(fastifyBackchannelLogout, { issuer, clientId, keys: new URL(jwksUri), store });
 */
export async function fastifyBackchannelLogout(
  fastify: FastifyInstance,
  options: BackchannelLogoutOptions & { path?: string },
): Promise<void> {
  const limit = options.maxBodyBytes ?? 16 * 1024;
  // Created with the plugin: this endpoint's own key set.
  const handleForm = createLogoutFormHandler(options);
  // Every body as text: the endpoint itself answers wrong types and sizes with 400 (standards §7).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  fastify.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: options.path ?? '/backchannel-logout',
    bodyLimit: 1024 * 1024,
    handler: async (request, reply) => {
      if (request.method !== 'POST')
        return reply
          .code(405)
          .headers({ ...NO_STORE, allow: 'POST' })
          .send();
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const body = typeof request.body === 'string' ? request.body : '';
      let response: Response;
      if (type !== 'application/x-www-form-urlencoded') {
        response = Response.json(
          { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' },
          { status: 400, headers: NO_STORE },
        );
      } else if (Buffer.byteLength(body) > limit) {
        response = Response.json(
          { error: 'invalid_request', error_description: `Request body larger than ${limit} bytes` },
          { status: 400, headers: NO_STORE },
        );
      } else {
        response = await handleForm(new URLSearchParams(body));
      }
      reply.code(response.status);
      response.headers.forEach((value, key) => void reply.header(key, value));
      return reply.send(await response.text());
    },
  });
}

/** Ends the app's session (`endSession`), then redirects to the provider's end-session endpoint. */
export async function endSessionAndRedirect(
  reply: FastifyReply,
  options: EndSessionUrlOptions & { endSession: () => Promise<void> | void },
): Promise<FastifyReply> {
  await options.endSession();
  return reply.redirect(buildEndSessionUrl(options));
}

export {
  fastifyAccessTokenClaims,
  fastifyBearerGuard,
  fastifySecurityEventPush,
  fastifyTabRelay,
  type FastifyTabRelayOptions,
} from './fastify-signals.ts';
