// grant_type=client_credentials (RFC 6749 §4.4): confidential clients with a service account.
// No refresh token and no ID token (RFC 6749 §4.4.3). The token is the service-account user's
// (Keycloak's `service-account-{clientId}`): its roles, its preferred_username, what the client's
// mappers add, the auth time of the request and the client's id and address as Keycloak's
// service-account session notes.
import { UnauthorizedClient } from '../../errors.ts';
import { issueClaims } from '../../tokens/claims/token-claims.ts';
import { OFFLINE_ACCESS, OPENID, parseScope, requestScopes } from '../../tokens/scopes.ts';
import type { TokenResponse } from '../../tokens/token-issuer.ts';
import type { GrantInput } from './grant.ts';

export async function clientCredentialsGrant({ ctx, realm, client, params, ip }: GrantInput): Promise<TokenResponse> {
  if (client.publicClient) throw new UnauthorizedClient('Public clients cannot use client_credentials');
  if (!client.serviceAccountsEnabled)
    throw new UnauthorizedClient('Client is not allowed to use client_credentials (service accounts disabled)');
  const user = await ctx.realms.serviceAccountOf(client.id);
  if (!user?.enabled) throw new UnauthorizedClient('Client has no enabled service-account user');
  const access = await ctx.accessModel.of(realm.id);
  const names = parseScope(params.get('scope')).filter((s) => s !== OPENID && s !== OFFLINE_ACCESS);
  const scopes = requestScopes(access, client, names);
  const now = Date.now();
  const claims = issueClaims({
    access,
    client,
    user,
    grants: await ctx.userAccess.grantsOf(user.id),
    scopes,
    session: {
      authTime: Math.floor(now / 1000),
      acr: '1',
      serviceAccount: { clientId: client.clientId, clientAddress: ip },
    },
  });
  const { response } = await ctx.tokens.mint(
    {
      realm,
      issuer: ctx.urls.issuer(realm.name),
      client,
      user,
      subject: user.id,
      session: null,
      scopes,
      claims,
      withRefreshToken: false,
    },
    now,
  );
  // The grant's only write: deferred into a batch (events/event-log.ts) instead of a statement
  // per grant; nothing else has to commit with it.
  await ctx.events.recordDeferred({
    realmId: realm.id,
    type: 'CLIENT_LOGIN',
    clientId: client.clientId,
    userId: user.id,
    ipAddress: ip,
  });
  return response;
}
