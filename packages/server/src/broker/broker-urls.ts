// The broker's own paths under a realm (Keycloak's IdentityBrokerService), one place.
import type { ProviderUrls } from '../provider-urls.ts';

/** Where the browser starts a sign-in at an upstream: `/realms/{realm}/broker/{alias}/login`. */
export function brokerLoginPath(urls: ProviderUrls, realm: string, alias: string, authRequest: string): string {
  return `${urls.realmPath(realm)}/broker/${encodeURIComponent(alias)}/login?auth_request=${encodeURIComponent(authRequest)}`;
}

/** Our redirect URI at the upstream: `/realms/{realm}/broker/{alias}/endpoint`. */
export function brokerEndpoint(urls: ProviderUrls, realm: string, alias: string): string {
  return `${urls.issuer(realm)}/broker/${encodeURIComponent(alias)}/endpoint`;
}

/** Our post_logout_redirect_uri at the upstream: `…/broker/{alias}/endpoint/logout_response`. */
export function brokerLogoutResponse(urls: ProviderUrls, realm: string, alias: string): string {
  return `${brokerEndpoint(urls, realm, alias)}/logout_response`;
}

/** The alias of a `/broker/{alias}/…` request path. */
export function aliasOfPath(req: Request): string {
  const m = /\/broker\/([^/]+)\//.exec(new URL(req.url).pathname);
  return m ? decodeURIComponent(m[1]!) : '';
}
