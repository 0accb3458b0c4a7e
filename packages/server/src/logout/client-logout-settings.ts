// A client's logout configuration, read from its Keycloak attributes (standards §9).
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
  /** An extra CA file trusted for this client's back-channel calls. */
  caFile: string | null;
}

export function logoutSettings(client: Client): ClientLogoutSettings {
  const a = client.attributes;
  const post = (a['post.logout.redirect.uris'] ?? '').split('##').filter(Boolean);
  return {
    backchannelUrl: a['backchannel.logout.url'] || null,
    sessionRequired: a['backchannel.logout.session.required'] !== 'false',
    revokeOfflineTokens: a['backchannel.logout.revoke.offline.tokens'] === 'true',
    frontchannelUrl: client.frontchannelLogout ? a['frontchannel.logout.url'] || null : null,
    frontchannelSessionRequired: a['frontchannel.logout.session.required'] !== 'false',
    postLogoutRedirectUris: post.filter((uri) => uri !== '+'),
    postLogoutAllowsRedirectUris: post.includes('+'),
    caFile: a['sundown.backchannel.ca.file'] || null,
  };
}
