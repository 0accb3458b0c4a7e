// grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6, OIDC Core §3.1.3.2).
import { createHash } from 'node:crypto';
import { safeEqual, sha256 } from '../../crypto/random.ts';
import { InvalidGrant, InvalidRequest } from '../../errors.ts';
import { adapterSessionFromParams } from '../../sessions/adapter-sessions.ts';
import { issueSessionTokens } from '../../tokens/session-tokens.ts';
import type { TokenResponse } from '../../tokens/token-issuer.ts';
import type { GrantInput } from './grant.ts';

export async function authorizationCodeGrant({
  ctx,
  realm,
  client,
  params,
  ip,
}: GrantInput): Promise<TokenResponse> {
  const code = params.require('code');
  const redirectUri = params.require('redirect_uri');
  const verifier = params.get('code_verifier');
  const adapterSession = adapterSessionFromParams((name) => params.get(name));
  const codeHash = sha256(code);
  const now = Date.now();

  const row = await ctx.db
    .selectFrom('authorization_code')
    .selectAll()
    .where('code_hash', '=', codeHash)
    .executeTakeFirst();
  if (!row || row.realm_id !== realm.id) throw new InvalidGrant('Invalid authorization code');
  if (row.client_id !== client.id) throw new InvalidGrant('Code was issued to another client');

  // Single use (RFC 6749 §4.1.2): claim the code atomically; a second use revokes what the
  // first one produced, because the code has leaked: its refresh-token family, and with it
  // (through the grant id they carry) its access tokens.
  const claimed = await ctx.db
    .updateTable('authorization_code')
    .set({ used_at: now })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) {
    await ctx.db
      .updateTable('refresh_token')
      .set({ revoked_at: now })
      .where('code_hash', '=', codeHash)
      .where('revoked_at', 'is', null)
      .execute();
    await ctx.events.record({
      realmId: realm.id,
      type: 'CODE_TO_TOKEN_ERROR',
      clientId: client.clientId,
      userId: row.user_id,
      sessionId: row.sso_session_id,
      ipAddress: ip,
      error: 'invalid_code',
      details: { reason: 'code replayed; its tokens are revoked' },
    });
    throw new InvalidGrant('Code already used');
  }
  if (row.expires_at < now) throw new InvalidGrant('Code expired');
  if (row.redirect_uri !== redirectUri)
    throw new InvalidGrant('redirect_uri does not match the authorization request');

  // RFC 7636 §4.6
  if (row.code_challenge) {
    if (!verifier) throw new InvalidGrant('Missing code_verifier');
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier))
      throw new InvalidRequest('Invalid parameter: code_verifier');
    const computed = createHash('sha256').update(verifier).digest('base64url');
    if (!safeEqual(computed, row.code_challenge)) throw new InvalidGrant('PKCE verification failed');
  } else if (verifier) {
    throw new InvalidGrant('code_verifier sent but no code_challenge was in the authorization request');
  }

  const session = await ctx.sessions.findLive(realm, row.sso_session_id, now);
  if (!session) throw new InvalidGrant('Session not active');
  const user = await ctx.realms.userById(row.user_id);
  if (!user?.enabled) throw new InvalidGrant('User not found or disabled');

  const response = await issueSessionTokens(
    ctx,
    {
      realm,
      client,
      user,
      session: { id: session.id, authTime: row.auth_time, startedAt: session.startedAt },
      scopes: row.scope.split(' ').filter(Boolean),
      nonce: row.nonce,
      codeHash,
      adapterSession,
    },
    now,
  );
  await ctx.events.record({
    realmId: realm.id,
    type: 'CODE_TO_TOKEN',
    clientId: client.clientId,
    userId: user.id,
    sessionId: session.id,
    ipAddress: ip,
  });
  return response;
}
