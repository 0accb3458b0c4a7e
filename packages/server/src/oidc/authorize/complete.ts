// Final step — the user is authenticated in a live SSO session: issue a one-time code bound
// to the client, redirect URI, PKCE challenge and nonce (RFC 6749 §4.1.2), and record LOGIN.
import { randomToken, sha256 } from '../../crypto/random.ts';
import type { Client, Realm } from '../../realm/model.ts';
import { sessionStatusCookie } from '../../sessions/session-status-cookie.ts';
import type { SsoSession } from '../../sessions/sso-session.ts';
import { authorizationResponse } from './response-mode.ts';
import type { AuthorizationRequest } from './request.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesSsoSessions } from '../../sessions/capabilities.ts';
import type { UsesAuthorizationCodes } from '../../tokens/capabilities.ts';

/** What completing an authorization (issuing its code) uses. */
export type CompleteAuthorizationDeps = UsesAuthorizationCodes & UsesEvents & UsesSsoSessions & UsesUrls;

/** RFC 6749 §4.1.2 recommends at most 10 minutes; one is plenty for a redirect. */
const CODE_LIFETIME_MS = 60_000;

export async function completeAuthorization(
  ctx: CompleteAuthorizationDeps,
  realm: Realm,
  client: Client,
  session: SsoSession,
  request: AuthorizationRequest,
  ipAddress: string | null,
  now = Date.now(),
): Promise<Response> {
  const code = randomToken();
  await ctx.codes.insert({
    code_hash: sha256(code),
    realm_id: realm.id,
    client_id: client.id,
    user_id: session.userId,
    sso_session_id: session.id,
    redirect_uri: request.redirectUri,
    scope: request.scopes.join(' '),
    nonce: request.nonce,
    code_challenge: request.codeChallenge,
    auth_time: session.authTime,
    expires_at: now + CODE_LIFETIME_MS,
    used_at: null,
  });
  await ctx.sessions.touch(session.id, now);
  await ctx.events.record({
    realmId: realm.id,
    type: 'LOGIN',
    clientId: client.clientId,
    userId: session.userId,
    sessionId: session.id,
    ipAddress,
    details: { redirect_uri: request.redirectUri, scope: request.scopes.join(' ') },
  });
  const response = authorizationResponse({
    mode: request.responseMode ?? 'query',
    redirectUri: request.redirectUri,
    issuer: ctx.urls.issuer(realm.name),
    // SM §2: session_state is what the check_session_iframe compares (Keycloak: the sid).
    values: { code, state: request.state, session_state: session.id },
    client,
  });
  // SM §3.1: the browser state the check_session_iframe reads, kept in step with the session.
  response.headers.append(
    'Set-Cookie',
    sessionStatusCookie(ctx.urls, realm.name, session.id, realm.ssoSessionMaxLifespan),
  );
  return response;
}
