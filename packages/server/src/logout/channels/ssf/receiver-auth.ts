// Who calls the stream management API and the poll endpoint (SSF §7.1.1, RFC 6750): a bearer
// access token of a receiver client (`ssf.enabled`, service account), minted by client
// credentials with `ssf.read` (reads) or `ssf.manage` (changes; it covers reads too). No token:
// 401 with a bare `WWW-Authenticate: Bearer` challenge (RFC 6750 §3.1); a bad one: 401
// invalid_token; another client, or a token without the scope: 403 insufficient_scope.
import { InsufficientScope, InvalidRequest, NotFound } from '../../../errors.ts';
import { readBody } from '../../../http/params.ts';
import { NO_STORE } from '../../../http/respond.ts';
import type { Client, Realm } from '../../../realm/model.ts';
import { verifyAccessToken, type AccessTokenDeps } from '../../../tokens/verify-access-token.ts';
import { isReceiver, transmitterEnabled } from './receiver-settings.ts';
import { SSF_SCOPE } from './ssf-names.ts';

/** RFC 6750 §3: the challenge when no credentials were sent. */
export function bearerChallenge(): Response {
  return new Response(null, { status: 401, headers: { ...NO_STORE, 'WWW-Authenticate': 'Bearer realm="sundown"' } });
}

/** The receiver client calling, or the 401 to answer. */
export async function authenticateReceiver(
  ctx: AccessTokenDeps,
  realm: Realm,
  req: Request,
  need: 'read' | 'manage',
): Promise<Client | Response> {
  if (!transmitterEnabled(realm)) throw new NotFound('The realm has no Shared Signals transmitter');
  const header = req.headers.get('authorization');
  const token = header && /^bearer /i.test(header) ? header.slice(7).trim() : '';
  if (!token) return bearerChallenge();
  const claims = await verifyAccessToken(ctx, realm, token);
  const client = await ctx.realms.clientByClientId(realm.id, claims.azp);
  if (!client || !isReceiver(client)) throw new InsufficientScope('The client is not a Shared Signals receiver');
  const scopes = claims.scope.split(' ');
  const ok = scopes.includes(SSF_SCOPE.manage) || (need === 'read' && scopes.includes(SSF_SCOPE.read));
  if (!ok)
    throw new InsufficientScope(`The ${need === 'read' ? 'ssf.read or ssf.manage' : 'ssf.manage'} scope is required`);
  return client;
}

/** A JSON request body (SSF §8: application/json), refused as 400 when it is not JSON. */
export async function jsonBody(req: Request): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidRequest('The request body must be JSON');
  }
}
