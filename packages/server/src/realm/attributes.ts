// Every client and realm attribute Sundown reads, by name, with its type and default. Keycloak
// keeps these as a string map (`"backchannel.logout.session.required": "true"`); here each one
// has one reader, so a default or a parsing rule lives in one place. Import validation
// (realm-json.ts) checks the raw strings under the same names.
import { DEFAULT_SIGNING_ALG, isSigningAlg, type SigningAlg } from '../crypto/signing-keys.ts';

/** Anything that carries Keycloak attributes: a client, a realm, or their import forms. */
export interface HasAttributes {
  attributes: Readonly<Record<string, string>>;
}

/** Client attribute names (Keycloak's, and Sundown's own under `sundown.`). */
export const CLIENT_ATTRIBUTE = {
  /** Back-Channel Logout 1.0 §2.2 `backchannel_logout_uri`. */
  backchannelLogoutUrl: 'backchannel.logout.url',
  /** BCL §2.2 `backchannel_logout_session_required`; Keycloak's default "true". */
  backchannelLogoutSessionRequired: 'backchannel.logout.session.required',
  /** Keycloak: the logout token carries `revoke_offline_access`; default "false". */
  backchannelLogoutRevokeOfflineTokens: 'backchannel.logout.revoke.offline.tokens',
  /** Front-Channel Logout 1.0 §2 `frontchannel_logout_uri`. */
  frontchannelLogoutUrl: 'frontchannel.logout.url',
  /** FCL §2 `frontchannel_logout_session_required`; default "true". */
  frontchannelLogoutSessionRequired: 'frontchannel.logout.session.required',
  /** RP-Initiated Logout 1.0 §3 `post_logout_redirect_uris`, `##`-separated; `+`: the redirect URIs. */
  postLogoutRedirectUris: 'post.logout.redirect.uris',
  /** OIDC Registration §2 `id_token_signed_response_alg`. */
  idTokenSignedResponseAlg: 'id.token.signed.response.alg',
  /** Keycloak: the access tokens' algorithm. */
  accessTokenSignedResponseAlg: 'access.token.signed.response.alg',
  /** Keycloak: "false" turns refresh tokens off, so offline_access is refused. */
  useRefreshTokens: 'use.refresh.tokens',
  /** Sundown: PEM or a file name in --backchannel-ca-dir (see logout/backchannel-ca.ts). */
  backchannelCa: 'sundown.backchannel.ca.file',
  /** Sundown: `##`-separated clientIds whose tokens this resource server may introspect. */
  introspectionClients: 'sundown.introspection.clients',
} as const;

/** Realm attribute names. */
export const REALM_ATTRIBUTE = {
  /** Sundown: the CA trusted for every client's back-channel calls (a client's own wins). */
  backchannelCa: CLIENT_ATTRIBUTE.backchannelCa,
  /** Sundown: cap on live SSO sessions per user; "0" is no limit. */
  sessionsPerUser: 'sundown.sessions.max.per.user',
  /** Opt-in: confidential clients may have http logout URLs off loopback (back-channel, admin URL, SAML SOAP). */
  allowHttpBackchannel: 'backchannelLogoutAllowHttp',
  /** Opt-in: the pre-2022 Keycloak `redirect_uri` parameter of the logout endpoint. */
  legacyLogoutRedirectUri: 'legacyLogoutRedirectUri',
  /**
   * Sundown: when the browser sees the signed-out page before its post_logout_redirect_uri:
   * "when-needed" (default: only when an application is not confirmed signed out yet, or has a
   * front-channel iframe) or "always" (the page shows every application's outcome, then continues).
   */
  logoutPage: 'sundown.logout.page',
} as const;

export const LOGOUT_PAGE_MODES = ['when-needed', 'always'] as const;
export type LogoutPageMode = (typeof LOGOUT_PAGE_MODES)[number];

export const DEFAULT_SESSIONS_PER_USER = 20;
export const MAX_SESSIONS_PER_USER = 10_000;

/** A non-empty string value, or null. */
function text(holder: HasAttributes, name: string): string | null {
  return holder.attributes[name] || null;
}

/** A "true"/"false" flag; anything else is the default. */
function flag(holder: HasAttributes, name: string, fallback: boolean): boolean {
  const value = holder.attributes[name];
  return fallback ? value !== 'false' : value === 'true';
}

/** A `##`-separated list, empty entries dropped. */
function list(holder: HasAttributes, name: string): string[] {
  return (holder.attributes[name] ?? '').split('##').filter(Boolean);
}

function signingAlg(holder: HasAttributes, name: string): SigningAlg {
  const alg = holder.attributes[name];
  return alg && isSigningAlg(alg) ? alg : DEFAULT_SIGNING_ALG;
}

// --- client attributes

export const backchannelLogoutUrl = (client: HasAttributes): string | null =>
  text(client, CLIENT_ATTRIBUTE.backchannelLogoutUrl);
export const backchannelLogoutSessionRequired = (client: HasAttributes): boolean =>
  flag(client, CLIENT_ATTRIBUTE.backchannelLogoutSessionRequired, true);
export const backchannelLogoutRevokeOfflineTokens = (client: HasAttributes): boolean =>
  flag(client, CLIENT_ATTRIBUTE.backchannelLogoutRevokeOfflineTokens, false);
export const frontchannelLogoutUrl = (client: HasAttributes): string | null =>
  text(client, CLIENT_ATTRIBUTE.frontchannelLogoutUrl);
export const frontchannelLogoutSessionRequired = (client: HasAttributes): boolean =>
  flag(client, CLIENT_ATTRIBUTE.frontchannelLogoutSessionRequired, true);

/** The registered post-logout redirect URIs, and whether `+` lets the redirect URIs count too. */
export function postLogoutRedirectUris(client: HasAttributes): { exact: string[]; includesRedirectUris: boolean } {
  const entries = list(client, CLIENT_ATTRIBUTE.postLogoutRedirectUris);
  return { exact: entries.filter((uri) => uri !== '+'), includesRedirectUris: entries.includes('+') };
}

/** The algorithm of the client's ID tokens (and of its logout tokens, BCL §2.4). */
export const idTokenAlg = (client: HasAttributes): SigningAlg =>
  signingAlg(client, CLIENT_ATTRIBUTE.idTokenSignedResponseAlg);
export const accessTokenAlg = (client: HasAttributes): SigningAlg =>
  signingAlg(client, CLIENT_ATTRIBUTE.accessTokenSignedResponseAlg);
export const usesRefreshTokens = (client: HasAttributes): boolean =>
  flag(client, CLIENT_ATTRIBUTE.useRefreshTokens, true);

/**
 * The clientIds whose tokens this resource server may introspect (RFC 7662 §2.2: a protected
 * resource may be barred from others' tokens).
 */
export const introspectionClients = (client: HasAttributes): string[] =>
  list(client, CLIENT_ATTRIBUTE.introspectionClients);

/** The CA for a client's back-channel calls: its own attribute, else the realm's, else none. */
export function backchannelCa(client: HasAttributes | null, realm: HasAttributes): string | null {
  return (
    (client && text(client, CLIENT_ATTRIBUTE.backchannelCa)) ?? realm.attributes[REALM_ATTRIBUTE.backchannelCa] ?? null
  );
}

// --- realm attributes

/**
 * How many live SSO sessions one user may hold, or null for no limit; signing in once more ends
 * the oldest (with logout tokens). Keycloak has no realm-wide setting (its "User session count
 * limiter" authenticator does this per flow).
 */
export function sessionsPerUser(realm: HasAttributes): number | null {
  const raw = realm.attributes[REALM_ATTRIBUTE.sessionsPerUser];
  const n = raw === undefined ? DEFAULT_SESSIONS_PER_USER : Number(raw);
  return n === 0 ? null : n;
}

export const allowsHttpBackchannel = (realm: HasAttributes): boolean =>
  flag(realm, REALM_ATTRIBUTE.allowHttpBackchannel, false);
export const logoutPageMode = (realm: HasAttributes): LogoutPageMode =>
  realm.attributes[REALM_ATTRIBUTE.logoutPage] === 'always' ? 'always' : 'when-needed';

export const acceptsLegacyLogoutRedirectUri = (realm: HasAttributes): boolean =>
  flag(realm, REALM_ATTRIBUTE.legacyLogoutRedirectUri, false);
