// Token introspection (RFC 7662) for confidential clients. Anything not currently valid, or
// not the caller's to see, is `{"active": false}` and nothing more (RFC 7662 §2.2).
import { UnauthorizedClient } from '../errors.ts';
import { type AuthMethod, authenticateClient, CLIENT_AUTH_METHODS } from '../http/client-auth.ts';
import { readForm } from '../http/params.ts';
import { jsonResponse } from '../http/respond.ts';
import { introspectionClients } from '../realm/attributes.ts';
import type { Client, Realm } from '../realm/model.ts';
import { refreshTokenState } from '../tokens/grant-status.ts';
import { checkTokenClient } from '../tokens/token-client.ts';
import { verifyAccessToken, type AccessTokenDeps } from '../tokens/verify-access-token.ts';

const INACTIVE = { active: false } as const;

/** Confidential clients only: a public client (`none`) may not introspect. */
export const INTROSPECTION_AUTH_METHODS: readonly AuthMethod[] = CLIENT_AUTH_METHODS.filter((m) => m !== 'none');

export async function introspectEndpoint(ctx: AccessTokenDeps, realm: Realm, req: Request): Promise<Response> {
  const params = await readForm(req);
  // keycloak-connect authenticates with Basic and repeats the secret in the body (Keycloak accepts it).
  const { client, method } = await authenticateClient(ctx.realms, realm, req, params, {
    keycloakBasicWithBodySecret: true,
  });
  if (!INTROSPECTION_AUTH_METHODS.includes(method))
    throw new UnauthorizedClient('Public clients may not introspect tokens');
  const token = params.require('token');
  return jsonResponse(await introspect(ctx, realm, client, token));
}

/**
 * Who may see a token: the client it was issued to, a client in its audience (access tokens),
 * or a resource server that lists the issuing client in `sundown.introspection.clients`.
 * Keycloak and node-oidc-provider let any confidential client introspect any token; Sundown
 * does not, so one client's credentials do not reveal another's users and sessions.
 */
function mayIntrospect(caller: Client, owner: string, audiences: readonly string[]): boolean {
  return (
    caller.clientId === owner || audiences.includes(caller.clientId) || introspectionClients(caller).includes(owner)
  );
}

async function introspect(
  ctx: AccessTokenDeps,
  realm: Realm,
  caller: Client,
  token: string,
): Promise<Record<string, unknown>> {
  const issuer = ctx.urls.issuer(realm.name);
  const now = Date.now();
  const refresh = await ctx.refreshTokens.find(realm.id, token);
  if (refresh) {
    if (refresh.used_at !== null) return INACTIVE;
    const state = await refreshTokenState(ctx, realm, refresh, now);
    if (!state.live) return INACTIVE;
    const { user } = state;
    // A disabled or deleted client's tokens are inactive (tokens/token-client.ts).
    const owner = checkTokenClient(await ctx.realms.clientById(refresh.client_id));
    // Refresh tokens have no audience but the authorization server.
    if (!owner.ok || !mayIntrospect(caller, owner.client.clientId, [])) return INACTIVE;
    return {
      active: true,
      token_type: refresh.offline ? 'Offline' : 'Refresh',
      scope: refresh.scope,
      client_id: owner.client.clientId,
      username: user.username,
      sub: refresh.user_id,
      sid: refresh.sso_session_id,
      iss: issuer,
      iat: Math.floor(refresh.created_at / 1000),
      exp: refresh.offline ? undefined : Math.floor(refresh.expires_at / 1000),
    };
  }
  if (token.split('.').length !== 3) return INACTIVE;
  const claims = await verifyAccessToken(ctx, realm, token).catch(() => undefined);
  if (!claims) return INACTIVE;
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
  if (!mayIntrospect(caller, claims.azp, audiences)) return INACTIVE;
  // Keycloak answers with the token's claims (its mappers' included), and these (RFC 7662 §2.2).
  return {
    ...claims,
    active: true,
    token_type: 'Bearer',
    client_id: claims.azp,
    username: claims.preferred_username,
  };
}
