// The scheme rule for every URL Sundown posts logout messages to, server to server, whatever the
// channel: the OIDC back-channel URL (logout tokens, BCL §2.5), Keycloak's admin URL (k_logout and
// k_push_not_before) and the SAML SOAP single logout URL (a LogoutRequest, Bindings §3.2). Each
// message ends sessions at the receiver, so standards §4 applies to all of them alike: https
// expected; http on a loopback host, where the request never leaves the machine; elsewhere http
// only for a confidential client of a realm that opts in (`backchannelLogoutAllowHttp`). Checked
// where client configuration is written — realm import and the admin API (realm/realm-json.ts).
// Which addresses may be reached at all is the SSRF policy's concern (delivery/outbound-address.ts).
import { REALM_ATTRIBUTE } from '../realm/attributes.ts';
import { isLoopbackUrl } from '../realm/loopback-host.ts';

/**
 * Why `url` (the parsed `value`) cannot receive a client's logout messages, or null. `what` names
 * the field in the message ("back-channel logout URL", "admin URL", "SOAP single logout URL");
 * `allowHttp` is the realm's opt-in (attributes.ts allowsHttpBackchannel).
 */
export function outboundUrlSchemeProblem(
  value: string,
  url: URL,
  what: string,
  client: { publicClient: boolean },
  allowHttp: boolean,
): string | null {
  const shown = JSON.stringify(value);
  if (url.protocol === 'https:') return null;
  if (url.protocol !== 'http:') return `${shown} must use http or https`;
  if (isLoopbackUrl(url)) return null;
  if (client.publicClient) return `${shown} uses http; a public client's ${what} must use https (or a loopback host)`;
  if (!allowHttp)
    return `${shown} uses http; use https, or set the realm attribute ${REALM_ATTRIBUTE.allowHttpBackchannel}: "true" to allow http for confidential clients`;
  return null;
}
