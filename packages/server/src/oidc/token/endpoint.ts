// The token endpoint (RFC 6749 §3.2): form body, client authentication, then one grant.
import type { ProviderContext } from '../../context.ts';
import { UnauthorizedClient, UnsupportedGrantType } from '../../errors.ts';
import { authenticateClient } from '../../http/client-auth.ts';
import { readForm } from '../../http/params.ts';
import { jsonError, jsonResponse } from '../../http/respond.ts';
import type { Realm } from '../../realm/model.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import type { GrantHandler } from './grant.ts';
import { passwordGrant } from './password.ts';
import { refreshTokenGrant } from './refresh-token.ts';

const GRANTS: Record<string, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  password: passwordGrant,
};

export async function tokenEndpoint(
  ctx: ProviderContext,
  realm: Realm,
  req: Request,
  ip: string | null,
): Promise<Response> {
  try {
    const params = await readForm(req);
    const grantType = params.require('grant_type');
    const { client } = await authenticateClient(ctx.realms, realm, req, params);
    const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
    if (!grant) throw new UnsupportedGrantType(`Unsupported grant_type: ${grantType}`);
    if (grantType === 'authorization_code' && !client.standardFlowEnabled) {
      throw new UnauthorizedClient('Client is not allowed to use the authorization code flow');
    }
    return jsonResponse(await grant({ ctx, realm, client, params, ip }));
  } catch (err) {
    return jsonError(ctx.log, err);
  }
}
