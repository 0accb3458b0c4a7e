// grant_type=refresh_token (RFC 6749 §6) with rotation and reuse detection
// (OAuth 2.0 Security BCP §4.14.2): a refresh token works once; presenting a used one again
// revokes its whole family.
import { sha256 } from '../../crypto/random.ts';
import { InvalidGrant, InvalidScope } from '../../errors.ts';
import { refreshTokenState } from '../../tokens/grant-status.ts';
import { findRefreshToken } from '../../tokens/refresh-tokens.ts';
import { parseScope } from '../../tokens/scopes.ts';
import type { TokenResponse } from '../../tokens/token-issuer.ts';
import type { GrantInput } from './grant.ts';

const REFUSED = {
  revoked: 'Token is not active',
  expired: 'Token is not active',
  session_ended: 'Session not active',
  user_disabled: 'User not found or disabled',
} as const;

export async function refreshTokenGrant({
  ctx,
  realm,
  client,
  params,
  ip,
  facts,
}: GrantInput): Promise<TokenResponse> {
  const token = params.require('refresh_token');
  const hash = sha256(token);
  const now = Date.now();
  const row = await findRefreshToken(ctx.db, realm.id, token);
  if (!row) throw new InvalidGrant('Invalid refresh token');
  if (row.client_id !== client.id) throw new InvalidGrant('Token was issued to another client');
  facts.userId = row.user_id;
  facts.sessionId = row.sso_session_id;
  // Token, session and user before the claim: a refused token stays as it was.
  const state = await refreshTokenState(ctx, realm, row, now);
  if (!state.live) throw new InvalidGrant(REFUSED[state.reason], state.reason);
  const { user, session: sessionRow } = state;

  const claimed = await ctx.db
    .updateTable('refresh_token')
    .set({ used_at: now })
    .where('token_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) {
    await ctx.db
      .updateTable('refresh_token')
      .set({ revoked_at: now })
      .where('family_id', '=', row.family_id)
      .where('revoked_at', 'is', null)
      .execute();
    facts.error = 'invalid_token';
    facts.details = { reason: 'refresh token reused; family revoked' };
    throw new InvalidGrant('Refresh token reused; all tokens of this grant are revoked');
  }

  const granted = row.scope.split(' ').filter(Boolean);
  const requested = params.has('scope') ? parseScope(params.get('scope')) : granted;
  const extra = requested.filter((s) => !granted.includes(s));
  // RFC 6749 §6: the requested scope must not exceed the original grant.
  if (extra.length > 0) throw new InvalidScope(`Scope exceeds the original grant: ${extra.join(' ')}`);

  if (row.offline === 0) await ctx.sessions.touch(sessionRow.id, now);
  await ctx.db
    .updateTable('client_session')
    .set({ last_token_at: now })
    .where('id', '=', row.client_session_id)
    .execute();
  const response = await ctx.tokens.issue(ctx.db, {
    realm,
    issuer: ctx.urls.issuer(realm.name),
    client,
    user,
    subject: user.id,
    session: {
      id: sessionRow.id,
      authTime: sessionRow.auth_time,
      startedAt: row.offline ? now : sessionRow.started_at,
    },
    clientSessionId: row.client_session_id,
    scopes:
      requested.includes('offline_access') || row.offline === 0
        ? requested
        : [...requested, 'offline_access'],
    familyId: row.family_id,
    codeHash: row.code_hash,
    withRefreshToken: true,
  });
  await ctx.events.record({
    realmId: realm.id,
    type: 'REFRESH_TOKEN',
    clientId: client.clientId,
    userId: user.id,
    sessionId: sessionRow.id,
    ipAddress: ip,
  });
  return response;
}
