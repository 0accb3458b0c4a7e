// Tokens for a user in an SSO session, in two steps so that a grant can put the writes into its
// own transaction: mint (sign; nothing written), then store — record that the client took part
// in the session (BCL §2.3: whom a logout must tell) and keep the refresh token's hash.
import type { RealmAccess } from '../access/realm-access.ts';
import type { Client, Realm, User } from '../realm/model.ts';
import type { AdapterSession } from '../sessions/adapter-sessions.ts';
import type { Executor } from '../store/executor.ts';
import { type IssuedClaims, issueClaims } from './claims/token-claims.ts';
import type { SessionFacts } from './claims/mapper-kind.ts';
import type { ScopeRequest } from './scopes.ts';
import type { MintedTokens } from './token-issuer.ts';
import type { UsesAccessModel, UsesUserAccess } from '../access/capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesAdapterSessions, UsesClientSessions } from '../sessions/capabilities.ts';
import type { UsesRefreshTokens, UsesTokenIssuer } from './capabilities.ts';

export type SessionTokenDeps = UsesTokenIssuer &
  UsesUrls &
  UsesClientSessions &
  UsesAdapterSessions &
  UsesRefreshTokens &
  UsesAccessModel &
  UsesUserAccess;

export interface SessionTokensInput {
  realm: Realm;
  client: Client;
  user: User;
  session: { id: string; authTime: number; startedAt: number };
  /** The validated scope request (tokens/scopes.ts). */
  scopes: ScopeRequest;
  nonce?: string | null;
  codeHash?: string | null;
  /** A Keycloak adapter's own session (`client_session_state`), for admin-URL logout. */
  adapterSession?: AdapterSession | null;
}

/**
 * What the client's mappers put in a user's tokens: the realm's model (cached per configuration
 * version) with the user's role mappings and groups (one statement).
 */
export async function userClaims(
  deps: UsesAccessModel & UsesUserAccess,
  access: RealmAccess,
  client: Client,
  user: User,
  scopes: ScopeRequest,
  session: SessionFacts,
): Promise<IssuedClaims> {
  const grants = await deps.userAccess.grantsOf(user.id);
  return issueClaims({ access, client, user, grants, scopes, session });
}

/** The session facts of a user's tokens: its authentication time and level. */
export function userSessionFacts(authTimeMs: number): SessionFacts {
  return { authTime: Math.floor(authTimeMs / 1000), acr: '1', serviceAccount: null };
}

/** Signs the access token, the ID token (with `openid`) and makes a refresh token. */
export async function mintSessionTokens(
  deps: SessionTokenDeps,
  input: SessionTokensInput,
  now: number,
): Promise<MintedTokens> {
  const { realm, client, user, session, scopes } = input;
  const access = await deps.accessModel.of(realm.id);
  const claims = await userClaims(deps, access, client, user, scopes, userSessionFacts(session.authTime));
  return deps.tokens.mint(
    {
      realm,
      issuer: deps.urls.issuer(realm.name),
      client,
      user,
      subject: user.id,
      session,
      scopes,
      claims,
      nonce: input.nonce ?? null,
      codeHash: input.codeHash ?? null,
      withRefreshToken: true,
    },
    now,
  );
}

/** Records the client session and stores the refresh token, in the caller's transaction. */
export async function storeSessionTokens(
  deps: SessionTokenDeps,
  input: SessionTokensInput,
  minted: MintedTokens,
  now: number,
  tx: Executor,
): Promise<void> {
  const { realm, client, user, session, scopes } = input;
  const clientSessionId = await deps.clientSessions.record(
    {
      ssoSessionId: session.id,
      realmId: realm.id,
      clientId: client.id,
      userId: user.id,
      scope: scopes.names.join(' '),
      offline: scopes.offline,
    },
    now,
    tx,
  );
  // The adapter's session id (client_session_state), named by a later admin-URL logout.
  if (input.adapterSession) await deps.adapterSessions.record(clientSessionId, input.adapterSession, now, tx);
  if (minted.refresh) await deps.refreshTokens.insert({ ...minted.refresh, client_session_id: clientSessionId }, tx);
}
