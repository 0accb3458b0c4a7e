// grant_type=password (RFC 6749 §4.3), only for clients with directAccessGrantsEnabled, as in
// Keycloak. It starts an SSO session like a form login, so logout reaches it too.
import { needsEmailVerification } from '../../login/required-actions/verify-email.ts';
import { InvalidGrant, UnauthorizedClient } from '../../errors.ts';
import { authenticateUser, LoginFailed } from '../../login/authenticate-user.ts';
import { parseScope, requestScopes } from '../../tokens/scopes.ts';
import { mintSessionTokens, type SessionTokensInput, storeSessionTokens } from '../../tokens/session-tokens.ts';
import type { TokenResponse } from '../../tokens/token-issuer.ts';
import type { GrantInput } from './grant.ts';

export async function passwordGrant({ ctx, realm, client, params, ip, addresses }: GrantInput): Promise<TokenResponse> {
  if (!client.directAccessGrantsEnabled) throw new UnauthorizedClient('Client is not allowed direct access grants');
  const username = params.require('username');
  const password = params.require('password');
  const scopes = requestScopes(await ctx.accessModel.of(realm.id), client, parseScope(params.get('scope')));
  let user: Awaited<ReturnType<typeof authenticateUser>>;
  try {
    user = await authenticateUser(ctx, realm, {
      username,
      password,
      ipAddress: ip,
      throttleAddresses: addresses,
      clientId: client.clientId,
    });
  } catch (err) {
    if (err instanceof LoginFailed) {
      throw new InvalidGrant(err.reason === 'user_disabled' ? 'Account disabled' : 'Invalid user credentials');
    }
    throw err;
  }
  // Keycloak's direct grant (ResourceOwnerPasswordCredentialsGrantType): a user with a pending
  // required action — a temporary password, a code to enrol — must finish it in the browser.
  // The realm's verifyEmail counts too (Keycloak evaluates the action's trigger here as well).
  const pending = needsEmailVerification(realm, user)
    ? [...user.requiredActions, 'VERIFY_EMAIL']
    : user.requiredActions;
  if (pending.length > 0) {
    await ctx.events.record({
      realmId: realm.id,
      type: 'LOGIN_ERROR',
      clientId: client.clientId,
      userId: user.id,
      ipAddress: ip,
      error: 'resolve_required_actions',
      details: { grant_type: 'password', required_actions: pending.join(',') },
    });
    throw new InvalidGrant('Account is not fully set up');
  }
  const now = Date.now();
  const { session } = await ctx.sessions.create(realm, user.id, ip, now);
  const input: SessionTokensInput = { realm, client, user, session, scopes };
  const minted = await mintSessionTokens(ctx, input, now);
  await ctx.transact(async (tx) => {
    await storeSessionTokens(ctx, input, minted, now, tx);
    await ctx.events.record(
      {
        realmId: realm.id,
        type: 'LOGIN',
        clientId: client.clientId,
        userId: user.id,
        sessionId: session.id,
        ipAddress: ip,
        details: { grant_type: 'password' },
      },
      tx,
    );
  });
  return minted.response;
}
