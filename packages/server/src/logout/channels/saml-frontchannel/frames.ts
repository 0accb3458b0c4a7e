// The SAML part of the signed-out page (logout/endpoint/logout-pages.ts): one signed
// LogoutRequest per front-channel participant, each remembered so its LogoutResponse, which comes
// back to /protocol/saml inside the iframe, is checked (saml-logout-handler.ts).
import type { SamlFrame } from '../../endpoint/signed-out-page.ts';
import type { SamlFrontchannelTarget } from '../saml-planner.ts';
import type { Realm } from '../../../realm/model.ts';
import type { SamlLogoutRequestTable } from '../../../store/schema.ts';
import { samlSettingsOf } from '../../../saml/saml-client.ts';
import { buildFrontchannelMessage } from './message.ts';
import type { UsesUrls } from '../../../provider-urls.ts';
import type { UsesRealms } from '../../../realm/capabilities.ts';
import type { UsesSamlKeys } from '../../../saml/capabilities.ts';
import type { UsesSentLogoutRequests } from '../../capabilities.ts';

/** What building the front-channel SAML logout frames uses. */
export type FrontchannelFrameDeps = UsesRealms & UsesSamlKeys & UsesSentLogoutRequests & UsesUrls;

/** NotOnOrAfter of a front-channel LogoutRequest, and how long its answer is awaited: the page's bound and more. */
export const FRONTCHANNEL_LIFETIME_S = 300;

export async function samlFrontchannelFrames(
  ctx: FrontchannelFrameDeps,
  realm: Realm,
  targets: readonly SamlFrontchannelTarget[],
  logoutId: string | null,
): Promise<SamlFrame[]> {
  if (targets.length === 0) return [];
  const key = await ctx.samlKeys.signingKey(realm);
  const now = Date.now();
  const frames: SamlFrame[] = [];
  const sent: SamlLogoutRequestTable[] = [];
  for (const t of targets) {
    const client = await ctx.realms.clientById(t.clientId);
    if (!client || client.protocol !== 'saml') continue;
    const message = buildFrontchannelMessage({
      issuer: ctx.urls.issuer(realm.name),
      settings: samlSettingsOf(client),
      participant: { nameId: { value: t.nameId, format: t.nameIdFormat }, sessionIndex: t.sessionIndex },
      key,
      now,
      lifetime: FRONTCHANNEL_LIFETIME_S,
    });
    if (!message) continue;
    frames.push({ clientId: client.clientId, message });
    sent.push({
      id: message.requestId,
      realm_id: realm.id,
      client_id: client.id,
      sso_session_id: t.ssoSessionId,
      created_at: now,
      expires_at: now + FRONTCHANNEL_LIFETIME_S * 1000,
      answered_at: null,
      status: null,
      logout_id: logoutId,
    });
  }
  await ctx.samlLogoutRequests.remember(sent, now);
  return frames;
}
