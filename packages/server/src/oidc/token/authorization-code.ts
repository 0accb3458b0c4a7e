// grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6, OIDC Core §3.1.3.2).
//
// The claim of the code and everything it produces — the client session, the refresh token, the
// CODE_TO_TOKEN event — commit in one transaction: a failure in between leaves the code unused
// and the client's retry works, instead of burning the code and taking the retry for a replay.
// The tokens are signed before the transaction, which then stays short.
import { createHash } from 'node:crypto';
import { safeEqual, sha256 } from '../../crypto/random.ts';
import { InvalidGrant, InvalidRequest, type OAuthError } from '../../errors.ts';
import type { Realm } from '../../realm/model.ts';
import { type AdapterSession, adapterSessionFromParams } from '../../sessions/adapter-sessions.ts';
import type { AuthorizationCodeTable } from '../../store/schema.ts';
import { storedScopes } from '../../tokens/scopes.ts';
import { mintSessionTokens, type SessionTokensInput, storeSessionTokens } from '../../tokens/session-tokens.ts';
import type { MintedTokens, TokenResponse } from '../../tokens/token-issuer.ts';
import type { GrantDeps, GrantInput } from './grant.ts';

export async function authorizationCodeGrant({
  ctx,
  realm,
  client,
  params,
  ip,
  facts,
}: GrantInput): Promise<TokenResponse> {
  const code = params.require('code');
  const redirectUri = params.require('redirect_uri');
  const verifier = params.get('code_verifier');
  const adapterSession = adapterSessionFromParams((name) => params.get(name));
  const codeHash = sha256(code);
  const now = Date.now();

  const row = await ctx.codes.find(codeHash);
  if (!row || row.realm_id !== realm.id) throw new InvalidGrant('Invalid authorization code');
  if (row.client_id !== client.id) throw new InvalidGrant('Code was issued to another client');
  facts.userId = row.user_id;
  facts.sessionId = row.sso_session_id;

  // What the code is checked against is read first, and the tokens are signed, so that the
  // transaction below only writes. A refused code is still claimed (single use), as before.
  let refusal: OAuthError | null = codeRefusal(row, now, redirectUri, verifier);
  let issue: { input: SessionTokensInput; minted: MintedTokens } | null = null;
  // A code already used will not be claimed: nothing to sign for it.
  if (!refusal && row.used_at === null) {
    const prepared = await prepareTokens(ctx, realm, client, row, codeHash, adapterSession, now);
    if (prepared instanceof InvalidGrant) refusal = prepared;
    else issue = prepared;
  }

  // Single use (RFC 6749 §4.1.2): claim the code atomically.
  const outcome = await ctx.transact(async (tx) => {
    if (!(await ctx.codes.claim(codeHash, now, tx))) return 'replayed' as const;
    if (!issue) return 'refused' as const;
    await storeSessionTokens(ctx, issue.input, issue.minted, now, tx);
    await ctx.events.record(
      {
        realmId: realm.id,
        type: 'CODE_TO_TOKEN',
        clientId: client.clientId,
        userId: row.user_id,
        sessionId: row.sso_session_id,
        ipAddress: ip,
      },
      tx,
    );
    return 'issued' as const;
  });

  if (outcome === 'replayed') {
    // A second use revokes what the first one produced, because the code has leaked: its
    // refresh-token family, and with it (through the grant id they carry) its access tokens.
    // The route records the CODE_TO_TOKEN_ERROR event (http/route.ts) with these facts.
    await ctx.refreshTokens.revokeFromCode(codeHash, now);
    facts.error = 'invalid_code';
    facts.details = { reason: 'code replayed; its tokens are revoked' };
    throw new InvalidGrant('Code already used');
  }
  if (outcome === 'refused' || !issue) throw refusal ?? new InvalidGrant('Invalid authorization code');
  return issue.minted.response;
}

/** Expiry, redirect URI and PKCE, in this order (RFC 6749 §4.1.3, RFC 7636 §4.6). */
function codeRefusal(
  row: AuthorizationCodeTable,
  now: number,
  redirectUri: string,
  verifier: string | undefined,
): OAuthError | null {
  if (row.expires_at < now) return new InvalidGrant('Code expired');
  if (row.redirect_uri !== redirectUri)
    return new InvalidGrant('redirect_uri does not match the authorization request');
  if (row.code_challenge) {
    if (!verifier) return new InvalidGrant('Missing code_verifier');
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return new InvalidRequest('Invalid parameter: code_verifier');
    const computed = createHash('sha256').update(verifier).digest('base64url');
    if (!safeEqual(computed, row.code_challenge)) return new InvalidGrant('PKCE verification failed');
  } else if (verifier) {
    return new InvalidGrant('code_verifier sent but no code_challenge was in the authorization request');
  }
  return null;
}

/** The session and user must still stand; then the tokens are signed. */
async function prepareTokens(
  ctx: GrantDeps,
  realm: Realm,
  client: GrantInput['client'],
  row: AuthorizationCodeTable,
  codeHash: string,
  adapterSession: AdapterSession | null,
  now: number,
): Promise<{ input: SessionTokensInput; minted: MintedTokens } | InvalidGrant> {
  const session = await ctx.sessions.findLive(realm, row.sso_session_id, now);
  if (!session) return new InvalidGrant('Session not active');
  const user = await ctx.realms.userById(row.user_id);
  if (!user?.enabled) return new InvalidGrant('User not found or disabled');
  const input: SessionTokensInput = {
    realm,
    client,
    user,
    session: { id: session.id, authTime: row.auth_time, startedAt: session.startedAt },
    // Checked against the client's scopes at the authorization request.
    scopes: storedScopes(await ctx.accessModel.of(realm.id), client, row.scope),
    nonce: row.nonce,
    codeHash,
    adapterSession,
  };
  return { input, minted: await mintSessionTokens(ctx, input, now) };
}
