// Tokens for a user in an SSO session: first record that the client took part in the session
// (BCL §2.3: whom a logout must tell), then mint the tokens.
import type { ProviderContext } from '../context.ts';
import type { Client, Realm, User } from '../realm/model.ts';
import { type AdapterSession, recordAdapterSession } from '../sessions/adapter-sessions.ts';
import type { TokenResponse } from './token-issuer.ts';

export interface SessionTokensInput {
  realm: Realm;
  client: Client;
  user: User;
  session: { id: string; authTime: number; startedAt: number };
  scopes: string[];
  nonce?: string | null;
  codeHash?: string | null;
  /** A Keycloak adapter's own session (`client_session_state`), for admin-URL logout. */
  adapterSession?: AdapterSession | null;
}

export async function issueSessionTokens(ctx: ProviderContext, input: SessionTokensInput, now = Date.now()): Promise<TokenResponse> {
  const { realm, client, user, session, scopes } = input;
  const clientSessionId = await ctx.sessions.recordClientSession(
    { ssoSessionId: session.id, realmId: realm.id, clientId: client.id, userId: user.id, scope: scopes.join(' '), offline: scopes.includes('offline_access') },
    ctx.db,
    now,
  );
  if (input.adapterSession) await recordAdapterSession(ctx.db, clientSessionId, input.adapterSession, now);
  return ctx.tokens.issue(ctx.db, {
    realm,
    issuer: ctx.urls.issuer(realm.name),
    client,
    user,
    subject: user.id,
    session,
    clientSessionId,
    scopes,
    nonce: input.nonce ?? null,
    codeHash: input.codeHash ?? null,
    withRefreshToken: true,
  });
}
