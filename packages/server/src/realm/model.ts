// Domain shapes of realms, clients and users, and their mapping from stored rows.
import type { ClientProtocol, ClientTable, RealmRow, UserRow } from '../store/schema.ts';
import { type LoginSettings, parseLoginSettings } from './login-settings.ts';
import { type OtpPolicy, parseOtpPolicy } from './otp-policy.ts';
import { parseRequiredActionSettings, type RequiredActionSetting } from './required-actions.ts';

export interface Realm {
  id: string;
  name: string;
  displayName: string | null;
  enabled: boolean;
  /** Seconds. */
  accessTokenLifespan: number;
  ssoSessionIdleTimeout: number;
  ssoSessionMaxLifespan: number;
  offlineSessionIdleTimeout: number;
  attributes: Record<string, string>;
  /** Keycloak's sign-in settings (login-settings.ts). */
  login: LoginSettings;
  /** Keycloak's otpPolicy* settings (otp-policy.ts). */
  otpPolicy: OtpPolicy;
  /** Keycloak's `requiredActions` registrations (required-actions.ts). */
  requiredActionSettings: readonly RequiredActionSetting[];
}

export interface Client {
  id: string;
  realmId: string;
  clientId: string;
  name: string | null;
  secret: string | null;
  publicClient: boolean;
  enabled: boolean;
  redirectUris: string[];
  webOrigins: string[];
  rootUrl: string | null;
  adminUrl: string | null;
  frontchannelLogout: boolean;
  standardFlowEnabled: boolean;
  directAccessGrantsEnabled: boolean;
  serviceAccountsEnabled: boolean;
  /** Keycloak's `fullScopeAllowed`: all of the user's roles may be in its tokens, not only its scope's. */
  fullScopeAllowed: boolean;
  /** Keycloak client attributes, e.g. `backchannel.logout.url`. */
  attributes: Record<string, string>;
  /** Keycloak's `protocol`; a SAML client's settings are read with saml/saml-client.ts. */
  protocol: ClientProtocol;
}

export type { ClientProtocol };

export interface User {
  id: string;
  realmId: string;
  username: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  enabled: boolean;
  passwordHash: string | null;
  /** Pending required actions (Keycloak's `requiredActions`), run after the password. */
  requiredActions: string[];
  /** Keycloak's user attributes (multi-valued), which mappers read. */
  attributes: Readonly<Record<string, readonly string[]>>;
  /** The client (internal id) whose service account this user is, or null. */
  serviceAccountClientId: string | null;
}

/** Keycloak's defaults, in seconds. */
export const REALM_DEFAULTS = {
  accessTokenLifespan: 300,
  ssoSessionIdleTimeout: 1800,
  ssoSessionMaxLifespan: 36000,
  offlineSessionIdleTimeout: 2592000,
} as const;

export function realmFromRow(row: RealmRow): Realm {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    enabled: row.enabled === 1,
    accessTokenLifespan: row.access_token_lifespan,
    ssoSessionIdleTimeout: row.sso_session_idle_timeout,
    ssoSessionMaxLifespan: row.sso_session_max_lifespan,
    offlineSessionIdleTimeout: row.offline_session_idle_timeout,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    login: parseLoginSettings(row.login_settings),
    otpPolicy: parseOtpPolicy(row.otp_policy),
    requiredActionSettings: parseRequiredActionSettings(row.required_action_settings),
  };
}

export function clientFromRow(row: ClientTable): Client {
  return {
    id: row.id,
    realmId: row.realm_id,
    clientId: row.client_id,
    name: row.name,
    secret: row.secret,
    publicClient: row.public_client === 1,
    enabled: row.enabled === 1,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    webOrigins: JSON.parse(row.web_origins) as string[],
    rootUrl: row.root_url,
    adminUrl: row.admin_url,
    frontchannelLogout: row.frontchannel_logout === 1,
    standardFlowEnabled: row.standard_flow_enabled === 1,
    directAccessGrantsEnabled: row.direct_access_grants_enabled === 1,
    serviceAccountsEnabled: row.service_accounts_enabled === 1,
    fullScopeAllowed: row.full_scope_allowed === 1,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    protocol: row.protocol,
  };
}

export function userFromRow(row: UserRow): User {
  return {
    id: row.id,
    realmId: row.realm_id,
    username: row.username,
    email: row.email,
    emailVerified: row.email_verified === 1,
    firstName: row.first_name,
    lastName: row.last_name,
    enabled: row.enabled === 1,
    passwordHash: row.password_hash,
    requiredActions: JSON.parse(row.required_actions) as string[],
    attributes: JSON.parse(row.attributes) as Record<string, string[]>,
    serviceAccountClientId: row.service_account_client_id,
  };
}
