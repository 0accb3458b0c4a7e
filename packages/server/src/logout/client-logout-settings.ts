// A client's logout configuration, read from its Keycloak attributes (standards §9).
import {
  backchannelLogoutRevokeOfflineTokens,
  backchannelLogoutSessionRequired,
  backchannelLogoutUrl,
  frontchannelLogoutSessionRequired,
  frontchannelLogoutUrl,
  postLogoutRedirectUris,
} from '../realm/attributes.ts';
import type { Client } from '../realm/model.ts';

export interface ClientLogoutSettings {
  backchannelUrl: string | null;
  /** `backchannel.logout.session.required`, Keycloak's default "true": include `sid`. */
  sessionRequired: boolean;
  /** `backchannel.logout.revoke.offline.tokens`, default "false". */
  revokeOfflineTokens: boolean;
  frontchannelUrl: string | null;
  frontchannelSessionRequired: boolean;
  /** Registered post-logout redirect URIs (`##`-separated): exact string match only. */
  postLogoutRedirectUris: string[];
  /** `+` among them: the client's redirect URIs count too, wildcards included (Keycloak). */
  postLogoutAllowsRedirectUris: boolean;
}

export function logoutSettings(client: Client): ClientLogoutSettings {
  const post = postLogoutRedirectUris(client);
  return {
    backchannelUrl: backchannelLogoutUrl(client),
    sessionRequired: backchannelLogoutSessionRequired(client),
    revokeOfflineTokens: backchannelLogoutRevokeOfflineTokens(client),
    frontchannelUrl: client.frontchannelLogout ? frontchannelLogoutUrl(client) : null,
    frontchannelSessionRequired: frontchannelLogoutSessionRequired(client),
    postLogoutRedirectUris: post.exact,
    postLogoutAllowsRedirectUris: post.includesRedirectUris,
  };
}
