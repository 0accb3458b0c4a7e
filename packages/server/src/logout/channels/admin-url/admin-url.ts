// A client's admin URL (Keycloak's `adminUrl`, the "management URL"), resolved as Keycloak's
// ResolveRelative does: absolute as is; starting with "/" → `rootUrl` + the path, or without a
// rootUrl the server's own origin with that path. Action paths are appended as a path segment
// (JAX-RS `UriBuilder.path`): `http://app/admin` and `http://app/admin/` both give `…/admin/k_logout`.
import { backchannelLogoutUrl } from '../../../realm/attributes.ts';
import type { Client } from '../../../realm/model.ts';
import { outboundUrlSchemeProblem } from '../../outbound-url-scheme.ts';

export function resolveAdminUrl(client: Pick<Client, 'adminUrl' | 'rootUrl'>, serverOrigin: string): string | null {
  const url = client.adminUrl;
  if (!url) return null;
  if (!url.startsWith('/')) return url;
  if (client.rootUrl) return client.rootUrl.replace(/\/$/, '') + url;
  return new URL(url, serverOrigin).toString();
}

export function adminActionUrl(adminUrl: string, action: 'k_logout' | 'k_push_not_before'): string {
  const url = new URL(adminUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${action}`;
  return url.toString();
}

/**
 * Whether a client takes part in admin-URL logout: an OIDC client with an admin URL and no
 * back-channel URL (Keycloak). A SAML client's adminUrl is the fallback of its SAML endpoints.
 */
export function usesAdminUrlLogout(client: Pick<Client, 'adminUrl' | 'attributes' | 'protocol'>): boolean {
  return client.protocol === 'openid-connect' && Boolean(client.adminUrl) && !backchannelLogoutUrl(client);
}

/**
 * Why an admin URL cannot be used, or null. Checked at import and in the admin API, as the
 * back-channel URL is (standards §4): absolute http(s) (or a path relative to rootUrl or the
 * server), no fragment; then the scheme rule of every outbound logout URL
 * (outbound-url-scheme.ts). The LogoutAction names the adapter's session ids, which are bearer
 * values to the adapter.
 */
export function adminUrlProblem(
  client: { adminUrl: string | null; rootUrl: string | null; publicClient: boolean },
  allowHttp: boolean,
): string | null {
  const value = client.adminUrl;
  if (!value) return null;
  const resolved = value.startsWith('/') ? (client.rootUrl ? client.rootUrl.replace(/\/$/, '') + value : null) : value;
  if (value.includes('#')) return `"${value}" must not contain a fragment`;
  if (resolved === null) return null;
  let url: URL;
  try {
    url = new URL(resolved);
  } catch {
    return `"${value}" is not an absolute URL or a path`;
  }
  return outboundUrlSchemeProblem(value, url, 'admin URL', client, allowHttp);
}
