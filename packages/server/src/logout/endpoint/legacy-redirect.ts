// The pre-2022 Keycloak logout parameter `redirect_uri` (standards §2), still sent by old app
// code such as the Django view of Keycloak's own guides: only where the realm opts in, and only
// to a registered redirect URI — of the named client, or, when the request names none, of any
// client of the realm (Keycloak's legacy rule, `RedirectUtils.verifyRealmRedirectUri`). Matched
// with the same strict matcher as authorization (RFC 9700 §4.1).
import { InvalidRequest } from '../../errors.ts';
import { matchRedirectUri, type RedirectUriMatch } from '../../oidc/redirect-uri-matcher.ts';
import { resolveRegisteredUris } from '../../oidc/redirect-uri-pattern.ts';
import type { Client, Realm } from '../../realm/model.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';

/**
 * The legacy parameter where the realm has not opted in. The browser's SSO session is still
 * alive, so the error page also offers to end it (the silent break of single sign-out).
 */
export class LegacyRedirectNotAccepted extends InvalidRequest {
  constructor() {
    super(
      'Invalid parameter: redirect_uri. This realm does not accept the legacy redirect_uri parameter: send post_logout_redirect_uri together with id_token_hint instead.',
    );
  }
}

/** The presented URI against the named client's redirect URIs, or every client's. */
export async function matchLegacyRedirectUri(
  ctx: UsesRealms & UsesUrls,
  realm: Realm,
  presented: string,
  client: Client | null,
): Promise<RedirectUriMatch> {
  const registered = (c: Client) => resolveRegisteredUris(c.redirectUris, c.rootUrl, ctx.urls.baseUrl);
  if (client) return matchRedirectUri(presented, registered(client));
  let refusal: RedirectUriMatch = matchRedirectUri(presented, []);
  for (const other of await ctx.realms.clientsOf(realm.id)) {
    const match = matchRedirectUri(presented, registered(other));
    if (match.ok) return match;
    refusal = match;
  }
  // The URI's own problem (dot segment, user information, …) when it has one, else not registered.
  return refusal;
}
