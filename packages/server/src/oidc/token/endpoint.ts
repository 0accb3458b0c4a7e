// The token endpoint (RFC 6749 §3.2): form body, client authentication, then one grant.
import type { EventType } from '../../events/event-log.ts';
import { UnauthorizedClient, UnsupportedGrantType } from '../../errors.ts';
import { authenticateClient } from '../../http/client-auth.ts';
import { readForm } from '../../http/params.ts';
import { jsonResponse } from '../../http/respond.ts';
import type { ErrorEventFacts } from '../../http/route.ts';
import type { Realm } from '../../realm/model.ts';
import type { GrantDeps } from './grant.ts';
import { grantType } from './grants.ts';

/** What the token endpoint and its grants use. */
export type TokenEndpointDeps = GrantDeps;

export async function tokenEndpoint(
  ctx: TokenEndpointDeps,
  realm: Realm,
  req: Request,
  ip: string | null,
  facts: ErrorEventFacts,
  addresses: readonly string[],
): Promise<Response> {
  const params = await readForm(req);
  const name = params.require('grant_type');
  facts.grantType = name;
  const { client } = await authenticateClient(ctx.realms, realm, req, params);
  facts.clientId = client.clientId;
  const grant = grantType(name);
  if (!grant) throw new UnsupportedGrantType(`Unsupported grant_type: ${name}`);
  if (name === 'authorization_code' && !client.standardFlowEnabled) {
    throw new UnauthorizedClient('Client is not allowed to use the authorization code flow');
  }
  return jsonResponse(await grant.handle({ ctx, realm, client, params, ip, addresses, facts }));
}

/** The event of a refused token request: the grant's (CODE_TO_TOKEN_ERROR, REFRESH_TOKEN_ERROR). */
export function tokenErrorEvent(facts: ErrorEventFacts): EventType | null {
  return (facts.grantType !== undefined && grantType(facts.grantType)?.errorEvent) || null;
}
