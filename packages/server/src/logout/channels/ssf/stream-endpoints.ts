// The stream management API of SSF 1.0 §8.1 at Keycloak 26.7's paths under the realm's issuer:
//   {issuer}/ssf/transmitter/streams          POST create (201) · GET read · PATCH update ·
//                                             PUT replace · DELETE (204)
//   {issuer}/ssf/transmitter/streams/status   GET · POST update (200)
//   {issuer}/ssf/transmitter/subjects/add     POST (200)      subjects/remove  POST (204)
//   {issuer}/ssf/transmitter/verify           POST (204)
//   {issuer}/ssf/transmitter/poll             POST (RFC 8936 §2.4)
// Every answer is `Cache-Control: no-store`: a stream carries the receiver's settings.
import { jsonResponse, NO_STORE } from '../../../http/respond.ts';
import type { Realm } from '../../../realm/model.ts';
import type { AccessTokenDeps } from '../../../tokens/verify-access-token.ts';
import type { UsesSsfTransmitter } from '../../capabilities.ts';
import { authenticateReceiver, jsonBody } from './receiver-auth.ts';

export type SsfEndpointDeps = AccessTokenDeps & UsesSsfTransmitter;

const noContent = () => new Response(null, { status: 204, headers: NO_STORE });
const json = (body: unknown, status = 200) => jsonResponse(body, status, NO_STORE);
const streamIdOf = (req: Request) => new URL(req.url).searchParams.get('stream_id');

export async function streamsEndpoint(ctx: SsfEndpointDeps, realm: Realm, req: Request): Promise<Response> {
  const client = await authenticateReceiver(ctx, realm, req, req.method === 'GET' ? 'read' : 'manage');
  if (client instanceof Response) return client;
  switch (req.method) {
    case 'POST':
      return json(await ctx.ssf.create(realm, client, await jsonBody(req)), 201);
    case 'GET':
      return json(await ctx.ssf.read(realm, client, streamIdOf(req)));
    case 'PATCH':
      return json(await ctx.ssf.change(realm, client, await jsonBody(req), 'update'));
    case 'PUT':
      return json(await ctx.ssf.change(realm, client, await jsonBody(req), 'replace'));
    default:
      await ctx.ssf.delete(client, streamIdOf(req));
      return noContent();
  }
}

export async function streamStatusEndpoint(ctx: SsfEndpointDeps, realm: Realm, req: Request): Promise<Response> {
  const client = await authenticateReceiver(ctx, realm, req, req.method === 'GET' ? 'read' : 'manage');
  if (client instanceof Response) return client;
  if (req.method === 'GET') return json(await ctx.ssf.status(client, streamIdOf(req)));
  return json(await ctx.ssf.setStatus(realm, client, await jsonBody(req)));
}

export function subjectEndpoint(include: boolean) {
  return async (ctx: SsfEndpointDeps, realm: Realm, req: Request): Promise<Response> => {
    const client = await authenticateReceiver(ctx, realm, req, 'manage');
    if (client instanceof Response) return client;
    await ctx.ssf.subject(realm, client, await jsonBody(req), include);
    // §8.1.3.1: add answers 200; §8.1.3.2: remove answers 204.
    return include ? new Response(null, { status: 200, headers: NO_STORE }) : noContent();
  };
}

export async function verificationEndpoint(ctx: SsfEndpointDeps, realm: Realm, req: Request): Promise<Response> {
  const client = await authenticateReceiver(ctx, realm, req, 'manage');
  if (client instanceof Response) return client;
  await ctx.ssf.verify(realm, client, await jsonBody(req));
  return noContent();
}

/** RFC 8936 §2.4: the receiver's bearer token (either scope), JSON in, `{sets, moreAvailable}` out. */
export async function pollEndpoint(ctx: SsfEndpointDeps, realm: Realm, req: Request): Promise<Response> {
  const client = await authenticateReceiver(ctx, realm, req, 'read');
  if (client instanceof Response) return client;
  return json(await ctx.ssf.poll(realm, client, await jsonBody(req)));
}
