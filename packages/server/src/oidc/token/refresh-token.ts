// grant_type=refresh_token (RFC 6749 §6) with rotation and reuse detection
// (OAuth 2.0 Security BCP §4.14.2): a refresh token works once; presenting a used one again
// revokes its whole family.
//
// The claim of the old token and the new token's row (with the session touches) commit in one
// transaction: a failure in between leaves the old token usable, so the client's retry works
// instead of being taken for reuse. The new tokens are signed before the transaction, which then
// stays short. The REFRESH_TOKEN event follows the commit through the event log's deferred batch
// (events/event-log.ts: written within milliseconds, and on a clean shutdown), one statement
// fewer inside the transaction, where on SQLite every other request waits for the writer.
import { sha256 } from '../../crypto/random.ts';
import { InvalidGrant, InvalidScope } from '../../errors.ts';
import { refreshTokenState } from '../../tokens/grant-status.ts';
import { OFFLINE_ACCESS, parseScope, storedScopes } from '../../tokens/scopes.ts';
import { userClaims, userSessionFacts } from '../../tokens/session-tokens.ts';
import type { ErrorEventFacts } from '../../http/route.ts';
import type { RefreshTokenTable } from '../../store/schema.ts';
import type { TokenResponse } from '../../tokens/token-issuer.ts';
import type { GrantDeps, GrantInput } from './grant.ts';

const REFUSED = {
  revoked: 'Token is not active',
  expired: 'Token is not active',
  session_ended: 'Session not active',
  user_disabled: 'User not found or disabled',
} as const;

export async function refreshTokenGrant({ ctx, realm, client, params, ip, facts }: GrantInput): Promise<TokenResponse> {
  const token = params.require('refresh_token');
  const hash = sha256(token);
  const now = Date.now();
  const row = await ctx.refreshTokens.find(realm.id, token);
  if (!row) throw new InvalidGrant('Invalid refresh token');
  if (row.client_id !== client.id) throw new InvalidGrant('Token was issued to another client');
  facts.userId = row.user_id;
  facts.sessionId = row.sso_session_id;
  // Token, session, user and scope before the claim: a refused request leaves the token as it was.
  const state = await refreshTokenState(ctx, realm, row, now);
  if (!state.live) throw new InvalidGrant(REFUSED[state.reason], state.reason);
  const { user, session: sessionRow } = state;
  // Used before: reuse, whatever else this request asks (the claim below catches a race).
  if (row.used_at !== null) return refuseReuse(ctx, row, facts, now);

  const access = await ctx.accessModel.of(realm.id);
  const granted = parseScope(row.scope);
  let names = granted;
  if (params.has('scope')) {
    names = parseScope(params.get('scope'));
    // RFC 6749 §6: the requested scope must not exceed the original grant; the client's default
    // scopes are part of every grant (they apply whether requested or not).
    const defaults = access.clientScopes(client.id, client.protocol).defaultScopes.map((s) => s.name);
    const extra = names.filter((s) => !granted.includes(s) && !defaults.includes(s));
    if (extra.length > 0) throw new InvalidScope(`Scope exceeds the original grant: ${extra.join(' ')}`);
  }
  // An offline grant stays offline whatever a narrower request leaves out.
  if (row.offline === 1 && !names.includes(OFFLINE_ACCESS)) names = [...names, OFFLINE_ACCESS];
  const scopes = storedScopes(access, client, names.join(' '));
  const claims = await userClaims(ctx, access, client, user, scopes, userSessionFacts(sessionRow.auth_time));

  const minted = await ctx.tokens.mint(
    {
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
      scopes,
      claims,
      familyId: row.family_id,
      codeHash: row.code_hash,
      withRefreshToken: true,
    },
    now,
  );

  const claimed = await ctx.transact(async (tx) => {
    if (!(await ctx.refreshTokens.claim(hash, now, tx))) return false;
    if (row.offline === 0) await ctx.sessionStore.touch(sessionRow.id, now, tx);
    await ctx.clientSessions.touch(row.client_session_id, now, tx);
    if (minted.refresh)
      await ctx.refreshTokens.insert({ ...minted.refresh, client_session_id: row.client_session_id }, tx);
    return true;
  });
  if (!claimed) return refuseReuse(ctx, row, facts, now);
  await ctx.events.recordDeferred({
    realmId: realm.id,
    type: 'REFRESH_TOKEN',
    clientId: client.clientId,
    userId: user.id,
    sessionId: sessionRow.id,
    ipAddress: ip,
  });
  return minted.response;
}

/** Security BCP §4.14.2: a used refresh token presented again revokes its whole family. */
// The route records the REFRESH_TOKEN_ERROR event (http/route.ts) with these facts.
async function refuseReuse(
  ctx: GrantDeps,
  row: RefreshTokenTable,
  facts: ErrorEventFacts,
  now: number,
): Promise<never> {
  await ctx.refreshTokens.revokeFamily(row.family_id, now);
  facts.error = 'invalid_token';
  facts.details = { reason: 'refresh token reused; family revoked' };
  throw new InvalidGrant('Refresh token reused; all tokens of this grant are revoked');
}
