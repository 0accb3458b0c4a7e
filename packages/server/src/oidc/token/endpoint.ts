// The token endpoint (RFC 6749 §3.2): form body, client authentication, then one grant.
import type { EventType } from '../../events/event-log.ts';
import { UnauthorizedClient, UnsupportedGrantType } from '../../errors.ts';
import { authenticateClient } from '../../http/client-auth.ts';
import { readForm } from '../../http/params.ts';
import { jsonResponse } from '../../http/respond.ts';
import type { ErrorEventFacts } from '../../http/route.ts';
import type { Realm } from '../../realm/model.ts';
import { grantType } from './grants.ts';
import type { UsesAccessModel, UsesUserAccess } from '../../access/capabilities.ts';
import type { UsesPasswordVerifier } from '../../crypto/capabilities.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLoginThrottle } from '../../login/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type {
  UsesAdapterSessions,
  UsesClientSessions,
  UsesSsoSessionStore,
  UsesSsoSessions,
} from '../../sessions/capabilities.ts';
import type { UsesTransact } from '../../store/capabilities.ts';
import type {
  UsesAuthorizationCodes,
  UsesNotBefore,
  UsesRefreshTokens,
  UsesTokenIssuer,
} from '../../tokens/capabilities.ts';

/** What the token endpoint and its grants use. */
export type TokenEndpointDeps = UsesAccessModel &
  UsesUserAccess &
  UsesAdapterSessions &
  UsesClientSessions &
  UsesAuthorizationCodes &
  UsesEvents &
  UsesNotBefore &
  UsesRealms &
  UsesRefreshTokens &
  UsesSsoSessionStore &
  UsesSsoSessions &
  UsesLoginThrottle &
  UsesTokenIssuer &
  UsesTransact &
  UsesUrls &
  UsesPasswordVerifier;

export async function tokenEndpoint(
  ctx: TokenEndpointDeps,
  realm: Realm,
  req: Request,
  ip: string | null,
  facts: ErrorEventFacts,
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
  return jsonResponse(await grant.handle({ ctx, realm, client, params, ip, facts }));
}

/** The event of a refused token request: the grant's (CODE_TO_TOKEN_ERROR, REFRESH_TOKEN_ERROR). */
export function tokenErrorEvent(facts: ErrorEventFacts): EventType | null {
  return (facts.grantType !== undefined && grantType(facts.grantType)?.errorEvent) || null;
}
