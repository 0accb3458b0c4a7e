// How validated realms, clients and users become table rows; shared by realm import and the admin API.
import { randomToken } from '../crypto/random.ts';
import { realSecret } from '../realm/masked-values.ts';
import type { ClientImport, RealmImport, UserImport } from './realm-json.ts';

export const flag = (b: boolean) => (b ? 1 : 0) as 0 | 1;

/** The realm's own settings; its name, clients and users are written separately. */
export function realmRow(r: RealmImport) {
  return {
    display_name: r.displayName,
    enabled: flag(r.enabled),
    access_token_lifespan: r.accessTokenLifespan,
    sso_session_idle_timeout: r.ssoSessionIdleTimeout,
    sso_session_max_lifespan: r.ssoSessionMaxLifespan,
    offline_session_idle_timeout: r.offlineSessionIdleTimeout,
    attributes: JSON.stringify(r.attributes),
    login_settings: JSON.stringify(r.login),
    otp_policy: JSON.stringify(r.otpPolicy),
    required_action_settings: JSON.stringify(r.requiredActionSettings),
  };
}

/**
 * A confidential client without a secret keeps its current one, or gets one generated once.
 * Keycloak's masked "**********" counts as no secret, given or stored (realm/masked-values.ts).
 * A SAML client has none: it authenticates by its signing certificate (saml.md §2).
 */
export function clientRow(c: ClientImport, existingSecret: string | null) {
  return {
    client_id: c.clientId,
    name: c.name,
    protocol: c.protocol,
    secret:
      c.publicClient || c.protocol === 'saml'
        ? null
        : (realSecret(c.secret) ?? realSecret(existingSecret) ?? randomToken(24)),
    public_client: flag(c.publicClient),
    enabled: flag(c.enabled),
    redirect_uris: JSON.stringify(c.redirectUris),
    web_origins: JSON.stringify(c.webOrigins),
    root_url: c.rootUrl,
    admin_url: c.adminUrl,
    frontchannel_logout: flag(c.frontchannelLogout),
    standard_flow_enabled: flag(c.standardFlowEnabled),
    direct_access_grants_enabled: flag(c.directAccessGrantsEnabled),
    service_accounts_enabled: flag(c.serviceAccountsEnabled),
    full_scope_allowed: flag(c.fullScopeAllowed),
    attributes: JSON.stringify(c.attributes),
  };
}

/** Everything but the password hash, which callers set only when a password is given. */
export function userRow(u: UserImport) {
  return {
    username: u.username,
    email: u.email,
    email_verified: flag(u.emailVerified),
    first_name: u.firstName,
    last_name: u.lastName,
    enabled: flag(u.enabled),
    required_actions: JSON.stringify(u.requiredActions),
    attributes: JSON.stringify(u.attributes),
  };
}
