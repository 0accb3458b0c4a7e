// POST /realms/{realm}/protocol/openid-connect/logout/backchannel-logout: an upstream tells us
// its user signed out (Keycloak's broker back-channel receiver; BCL §2.5–2.8). The token is
// checked strictly (upstream-logout-token.ts), then the matching brokered sessions end — by sid
// that session, by sub alone every session of that upstream user — through the one logout
// pipeline, so every app hears of it; the logout names the upstream and is never sent back to it.
// Sessions and deliveries are durable once written, so the upstream has nothing to retry: 200.
import { InvalidRequest } from '../errors.ts';
import { readForm } from '../http/params.ts';
import { jsonResponse, NO_STORE } from '../http/respond.ts';
import type { ErrorEventFacts } from '../http/route.ts';
import type { Realm } from '../realm/model.ts';
import type { UsesLogout } from '../logout/capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type {
  UsesBrokerSessions,
  UsesIdentityProviders,
  UsesSeenLogoutTokens,
  UsesUpstreamMetadata,
} from './capabilities.ts';
import { UpstreamLogoutRefused, validateUpstreamLogoutToken } from './upstream-logout-token.ts';

export type UpstreamBackchannelDeps = UsesIdentityProviders &
  UsesUpstreamMetadata &
  UsesSeenLogoutTokens &
  UsesBrokerSessions &
  UsesLogout &
  UsesUrls;

export async function upstreamBackchannelLogout(
  ctx: UpstreamBackchannelDeps,
  realm: Realm,
  req: Request,
  ip: string | null,
  facts: ErrorEventFacts,
): Promise<Response> {
  // Keycloak's event error for every refusal here (keycloak-brokering.md).
  facts.error = 'invalid_token';
  if (!(req.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded'))
    throw new InvalidRequest('Expected a form with logout_token');
  const form = await readForm(req);
  const token = form.get('logout_token');
  if (!token) throw new InvalidRequest('No logout token');
  let accepted;
  try {
    accepted = await validateUpstreamLogoutToken(
      ctx.upstreamMetadata,
      await ctx.identityProviders.ofRealm(realm.id),
      token,
    );
  } catch (err) {
    if (err instanceof UpstreamLogoutRefused) throw new InvalidRequest(err.message);
    throw err;
  }
  const { idp, sid, sub } = accepted;
  facts.details = { identity_provider: idp.alias };
  // BCL §2.6 step 8: a jti seen before is a replay, refused before anything ends.
  if (!(await ctx.upstreamLogoutTokens.first(idp.alias, accepted.jti, accepted.rememberUntil)))
    throw new InvalidRequest('The logout token was already used (jti replayed)');

  let ids = await ctx.brokerSessions.matching(realm.id, idp.alias, sid !== null ? { sid } : { sub: sub! });
  if (sid !== null && sub !== null) {
    // Both given: the session must be that user's (BCL §2.4: sid and sub together name it).
    const rows = await ctx.brokerSessions.ofSessions(ids);
    ids = rows.filter((r) => r.upstreamSub === sub).map((r) => r.ssoSessionId);
  }
  const result = await ctx.logout.endSessions(realm, ids, 'upstream_logout', {
    ipAddress: ip,
    startedBy: 'upstream',
    actor: idp.alias,
    initiatingIdp: idp.alias,
  });
  return jsonResponse({ sessionsEnded: result.ended.length }, 200, { ...NO_STORE });
}
