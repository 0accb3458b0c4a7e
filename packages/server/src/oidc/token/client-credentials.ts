// grant_type=client_credentials (RFC 6749 §4.4): confidential clients with a service account.
// No refresh token and no ID token (RFC 6749 §4.4.3).
import { UnauthorizedClient } from '../../errors.ts';
import { parseScope } from '../../tokens/scopes.ts';
import type { TokenResponse } from '../../tokens/token-issuer.ts';
import type { GrantInput } from './grant.ts';

export async function clientCredentialsGrant({ ctx, realm, client, params, ip }: GrantInput): Promise<TokenResponse> {
  if (client.publicClient) throw new UnauthorizedClient('Public clients cannot use client_credentials');
  if (!client.serviceAccountsEnabled)
    throw new UnauthorizedClient('Client is not allowed to use client_credentials (service accounts disabled)');
  const scopes = parseScope(params.get('scope')).filter((s) => s !== 'openid' && s !== 'offline_access');
  const { response } = await ctx.tokens.mint({
    realm,
    issuer: ctx.urls.issuer(realm.name),
    client,
    user: null,
    // Keycloak's service-account user has its own id; the client's internal id plays that role.
    subject: client.id,
    session: null,
    scopes,
    withRefreshToken: false,
  });
  // The grant's only write: deferred into a batch (events/event-log.ts) instead of a statement
  // per grant; nothing else has to commit with it.
  await ctx.events.recordDeferred({
    realmId: realm.id,
    type: 'CLIENT_LOGIN',
    clientId: client.clientId,
    ipAddress: ip,
  });
  return response;
}
