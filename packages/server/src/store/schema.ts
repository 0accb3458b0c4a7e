// Table shapes for the typed query layer. Times are epoch milliseconds, booleans are
// 0/1 integers and lists are JSON text, so that SQLite and PostgreSQL store the same values.
import type { Generated, Selectable } from 'kysely';

export type Flag = 0 | 1;

export interface RealmTable {
  id: string;
  name: string;
  display_name: string | null;
  enabled: Flag;
  access_token_lifespan: number;
  sso_session_idle_timeout: number;
  sso_session_max_lifespan: number;
  offline_session_idle_timeout: number;
  /** JSON object of realm attributes (e.g. legacy logout redirect opt-in). */
  attributes: string;
  created_at: number;
  /** JSON of the realm's sign-in settings (realm/login-settings.ts); '{}' is Keycloak's defaults. */
  login_settings: Generated<string>;
  /** JSON of Keycloak's otpPolicy* settings (realm/otp-policy.ts); '{}' is Keycloak's defaults. */
  otp_policy: Generated<string>;
  /** JSON of Keycloak's `requiredActions` providers (realm/required-actions.ts); '[]' is Keycloak's defaults. */
  required_action_settings: Generated<string>;
}

export interface ClientTable {
  id: string;
  realm_id: string;
  client_id: string;
  name: string | null;
  secret: string | null;
  public_client: Flag;
  enabled: Flag;
  /** JSON string[] */
  redirect_uris: string;
  /** JSON string[] */
  web_origins: string;
  root_url: string | null;
  admin_url: string | null;
  frontchannel_logout: Flag;
  standard_flow_enabled: Flag;
  direct_access_grants_enabled: Flag;
  service_accounts_enabled: Flag;
  /** JSON Record<string,string>, Keycloak client attributes. */
  attributes: string;
  /** Keycloak's `protocol`: 'openid-connect' or 'saml' (migration 0012). */
  protocol: ClientProtocol;
  /** Keycloak's `fullScopeAllowed`: every role of the user may be in its tokens (migration 0015). */
  full_scope_allowed: Flag;
  created_at: number;
}

export type ClientProtocol = 'openid-connect' | 'saml';

export interface UserTable {
  id: string;
  realm_id: string;
  username: string;
  email: string | null;
  email_verified: Flag;
  first_name: string | null;
  last_name: string | null;
  enabled: Flag;
  password_hash: string | null;
  created_at: number;
  /** JSON string[] of pending required actions (Keycloak `requiredActions`), e.g. ["UPDATE_PASSWORD"]. */
  required_actions: Generated<string>;
  /** The Keycloak password hash (PHC form) last imported for the user; the next import compares it. */
  imported_password: Generated<string | null>;
  /** JSON Record<string, string[]>: Keycloak's user attributes (migration 0015). */
  attributes: string;
  /** The client whose service account this user is (Keycloak's serviceAccountClientId), or null. */
  service_account_client_id: string | null;
}

/** A user's one-time-code credential, as Keycloak's OTPCredentialModel keeps it (login/otp/). */
export interface OtpCredentialTable {
  id: string;
  realm_id: string;
  user_id: string;
  type: 'totp' | 'hotp';
  /** Keycloak's secretData value: the raw secret; its UTF-8 bytes are the HMAC key unless secret_encoding says BASE32. */
  secret: string;
  secret_encoding: string | null;
  /** HmacSHA1, HmacSHA256 or HmacSHA512 (Keycloak's names). */
  algorithm: string;
  digits: number;
  /** TOTP: seconds per step. */
  period: number;
  /** HOTP: the next counter value expected. */
  counter: number;
  /** TOTP: the last time step a code was accepted for (RFC 6238 §5.2: a code is used once). */
  last_step: number | null;
  user_label: string | null;
  created_at: number;
}

export interface SigningKeyTable {
  kid: string;
  realm_id: string;
  alg: string;
  /**
   * 'active' signs new tokens (at most one per realm and alg); 'passive' is still published for
   * verification; 'retired' is kept for the record but no longer published.
   */
  status: 'active' | 'passive' | 'retired';
  private_jwk: string;
  public_jwk: string;
  created_at: number;
}

export interface AuthRequestTable {
  id: string;
  realm_id: string;
  client_id: string;
  /** JSON of the validated authorization request. */
  params: string;
  csrf_hash: string;
  created_at: number;
  expires_at: number;
  /** The user who gave the right password while required actions are pending (login/required-actions/). */
  user_id: Generated<string | null>;
  /** The user who gave the right password and still owes a one-time code (login/otp/). */
  otp_user_id: Generated<string | null>;
}

export interface SsoSessionTable {
  id: string;
  realm_id: string;
  user_id: string;
  cookie_hash: string;
  auth_time: number;
  started_at: number;
  last_seen_at: number;
  ip_address: string | null;
  ended_at: number | null;
  end_reason: string | null;
  /** The browser's User-Agent at sign-in (first 256 characters), for the user's own account page. */
  user_agent: string | null;
}

export interface ClientSessionTable {
  id: string;
  realm_id: string;
  sso_session_id: string;
  client_id: string;
  user_id: string;
  scope: string;
  offline: Flag;
  first_token_at: number;
  last_token_at: number;
  ended_at: number | null;
  /** A SAML participant's NameID, its Format URI and the AuthnStatement SessionIndex (0012). */
  saml_name_id: string | null;
  saml_name_id_format: string | null;
  saml_session_index: string | null;
}

export interface AuthorizationCodeTable {
  code_hash: string;
  realm_id: string;
  client_id: string;
  user_id: string;
  sso_session_id: string;
  redirect_uri: string;
  scope: string;
  nonce: string | null;
  code_challenge: string | null;
  auth_time: number;
  expires_at: number;
  used_at: number | null;
}

export interface RefreshTokenTable {
  token_hash: string;
  family_id: string;
  realm_id: string;
  client_id: string;
  user_id: string;
  sso_session_id: string;
  client_session_id: string;
  scope: string;
  offline: Flag;
  /** The authorization code that started the family, so a replayed code can revoke it. */
  code_hash: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

export interface RevokedAccessTokenTable {
  jti: string;
  expires_at: number;
}

export interface LoginFailureTable {
  realm_id: string;
  /** 'ip-user:<address> <username>', 'user:<username>' or 'ip:<address>' (see login/throttle.ts) */
  subject: string;
  failures: number;
  last_failure_at: number;
  locked_until: number;
  /** Verifications reserved and not yet finished, counted until in_flight_until. */
  in_flight: number;
  in_flight_until: number;
}

export interface EventTable {
  id: Generated<number>;
  realm_id: string;
  type: string;
  time: number;
  client_id: string | null;
  user_id: string | null;
  session_id: string | null;
  ip_address: string | null;
  error: string | null;
  /** JSON object */
  details: string | null;
}

/**
 * One message to deliver to one client (the outbox): a back-channel logout token for an ended
 * session, or one of Keycloak's admin-URL actions. `skipped`: recorded but never sent (an
 * admin-URL logout without adapter session ids, as Keycloak sends nothing then).
 */
export const DELIVERY_STATUSES = [
  'pending',
  'retrying',
  'delivered',
  'rejected',
  'failed',
  'skipped',
  /** Handed to the user's browser (an OIDC front-channel iframe): the channel has no answer (FCL §3). */
  'unconfirmed',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What a delivery sends; each kind is a channel in logout/channels/. */
export const DELIVERY_KINDS = ['backchannel', 'k_logout', 'k_push_not_before', 'saml_soap', 'frontchannel'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export interface LogoutDeliveryTable {
  id: string;
  realm_id: string;
  /** Internal client id. */
  client_id: string;
  /** '' for realm- or client-wide actions (k_push_not_before, logout-all's LOGOUT). */
  sso_session_id: string;
  /** '' for realm- or client-wide actions. */
  user_id: string;
  revoke_offline: Flag;
  kind: DeliveryKind;
  /** JSON of the kind's inputs (see its sender), or null. */
  payload: string | null;
  status: DeliveryStatus;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  /** A worker's claim on the row; another worker may take it after this time. */
  locked_until: number;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  finished_at: number | null;
  /** The logout this delivery tells of (logout/logout-store.ts); null for actions no session end caused (push revocation). */
  logout_id: string | null;
  /**
   * What the receiver said it did, as JSON (`{"sessionsEnded":n}` from @sundown/rp's receivers,
   * BCL §2.8 allows a body); null when it said nothing this version reads.
   */
  receipt: string | null;
}

/**
 * The adapter's own session id (`client_session_state`) and host (`client_session_host`) sent in
 * a code-to-token request, per client session: Keycloak's admin-URL logout names them in
 * `adapterSessionIds` (sessions/adapter-sessions.ts owns this table).
 */
export interface AdapterSessionTable {
  client_session_id: string;
  adapter_session_id: string;
  adapter_host: string | null;
  created_at: number;
}

/**
 * Keycloak's not-before time (seconds): tokens issued before it are refused. client_id '' is the
 * realm's value, otherwise the client's internal id (tokens/not-before.ts owns this table).
 */
export interface NotBeforeTable {
  realm_id: string;
  client_id: string;
  not_before: number;
}

/** A logout waiting for the user's confirmation (no valid id_token_hint). */
export interface LogoutRequestTable {
  id: string;
  realm_id: string;
  /** JSON of the validated logout request. */
  params: string;
  csrf_hash: string;
  expires_at: number;
}

/** A realm's symmetric secret for one purpose ('refresh_token'), base64url. */
export interface RealmSecretTable {
  realm_id: string;
  purpose: string;
  kid: string;
  secret: string;
  created_at: number;
}

/**
 * One row (id 1): a counter that triggers bump on every write to `realm`, `client` or
 * `not_before` (migration 0013); cached rows are trusted while it is unchanged
 * (realm/repository.ts).
 */
export interface RealmConfigVersionTable {
  id: number;
  version: number;
}

/** A front-channel SAML LogoutRequest Sundown sent (logout/saml/sent-logout-requests.ts owns it). */
export interface SamlLogoutRequestTable {
  /** The LogoutRequest's ID, which the LogoutResponse names in InResponseTo. */
  id: string;
  realm_id: string;
  /** Internal client id of the SP it was sent to. */
  client_id: string;
  sso_session_id: string;
  created_at: number;
  expires_at: number;
  answered_at: number | null;
  /** The LogoutResponse's top-level status URI, once answered. */
  status: string | null;
  /** The logout whose signed-out page sent it (logout/logout-store.ts). */
  logout_id: string | null;
}

/** A LogoutRequest ID an SP sent (logout/saml/seen-logout-requests.ts owns it): replays are refused. */
export interface SamlSeenLogoutRequestTable {
  realm_id: string;
  /** Internal client id. */
  client_id: string;
  request_id: string;
  expires_at: number;
}

/** An AuthnRequest ID a SAML client sent, kept until the request could no longer be fresh. */
export interface SamlSeenAuthnRequestTable {
  realm_id: string;
  /** Internal client id. */
  client_id: string;
  request_id: string;
  expires_at: number;
}

/** What ended sessions: a sign-out, an administrator, expiry, … (logout/logout-trigger.ts). */
export interface LogoutTable {
  id: string;
  realm_id: string;
  /** A LogoutTrigger. */
  trigger: string;
  /** Who started it: 'user', 'client', 'admin', 'system', 'cli' or 'import' (a LogoutStarter). */
  started_by: string;
  /** The administrator's username, the client's client_id, …; null when the kind says it all. */
  actor: string | null;
  ip_address: string | null;
  /** The user whose sessions ended, when they are one user's; null when several users' (logout-all, expiry). */
  user_id: string | null;
  session_count: number;
  created_at: number;
  /**
   * SHA-256 of the key the signed-out page's browser holds in a cookie: only that browser may
   * read the logout's live status (logout/status/); null for logouts without a browser.
   */
  browser_key_hash: string | null;
  /**
   * Where the browser's signed-out page continues (JSON: a URL, or a POST form to a SAML
   * requester), so a reload of that page still offers it; null: nowhere.
   */
  continue_to: string | null;
}

/** One SSO session a logout ended (logout/logout-store.ts owns it with `logout`). */
export interface LogoutSessionTable {
  logout_id: string;
  sso_session_id: string;
  realm_id: string;
  user_id: string;
}

// Issue 23: Keycloak's authorization model (migration 0015). Lists and maps are JSON text, as above.

/** A realm role (client_id null) or a client role (client_id: the client's internal id). */
export interface RoleTable {
  id: string;
  realm_id: string;
  client_id: string | null;
  name: string;
  description: string | null;
  /** JSON Record<string, string[]> */
  attributes: string;
  created_at: number;
}

/** A composite role's direct child. */
export interface RoleCompositeTable {
  role_id: string;
  child_role_id: string;
}

/** The realm's default role (Keycloak's `default-roles-{realm}`), given to new users. */
export interface RealmDefaultRoleTable {
  realm_id: string;
  role_id: string;
}

export interface UserRoleTable {
  user_id: string;
  role_id: string;
}

/** A group; `parent_id` null for a top-level group. */
export interface GroupTable {
  id: string;
  realm_id: string;
  parent_id: string | null;
  name: string;
  /** JSON Record<string, string[]> */
  attributes: string;
  created_at: number;
}

export interface GroupRoleTable {
  group_id: string;
  role_id: string;
}

export interface UserGroupTable {
  user_id: string;
  group_id: string;
}

export interface ClientScopeTable {
  id: string;
  realm_id: string;
  name: string;
  description: string | null;
  protocol: ClientProtocol;
  /** JSON Record<string, string>, e.g. `include.in.token.scope`. */
  attributes: string;
  created_at: number;
}

/** A client's default (1) or optional (0) client scope. */
export interface ClientScopeLinkTable {
  client_id: string;
  scope_id: string;
  default_scope: Flag;
}

/** A realm's `defaultDefaultClientScopes` (1) and `defaultOptionalClientScopes` (0). */
export interface RealmDefaultScopeTable {
  realm_id: string;
  scope_id: string;
  default_scope: Flag;
}

/** A protocol mapper of a client (client_id) or of a client scope (client_scope_id). */
export interface ProtocolMapperTable {
  id: string;
  realm_id: string;
  client_id: string | null;
  client_scope_id: string | null;
  name: string;
  protocol: ClientProtocol;
  /** Keycloak's `protocolMapper`, e.g. `oidc-usermodel-attribute-mapper`. */
  mapper_type: string;
  /** JSON Record<string, string> */
  config: string;
  created_at: number;
}

/** A role a client (client_id) or a client scope (client_scope_id) may put in tokens. */
export interface ScopeMappingTable {
  client_id: string | null;
  client_scope_id: string | null;
  role_id: string;
}

/** A realm created before migration 0015, waiting for its built-in scopes and default role. */
export interface AccessUpgradeTable {
  realm_id: string;
}

/** A user's earlier password hashes (Keycloak's passwordHistory policy; realm/password-history.ts). */
export interface PasswordHistoryTable {
  user_id: string;
  password_hash: string;
  created_at: number;
}

/** Action tokens (links by email) already used, kept until they expire (login/action-tokens/). */
export interface ActionTokenUseTable {
  jti: string;
  realm_id: string;
  expires_at: number;
}

export interface Database {
  password_history: PasswordHistoryTable;
  action_token_use: ActionTokenUseTable;
  realm: RealmTable;
  client: ClientTable;
  app_user: UserTable;
  otp_credential: OtpCredentialTable;
  signing_key: SigningKeyTable;
  saml_seen_authn_request: SamlSeenAuthnRequestTable;
  realm_secret: RealmSecretTable;
  auth_request: AuthRequestTable;
  sso_session: SsoSessionTable;
  client_session: ClientSessionTable;
  authorization_code: AuthorizationCodeTable;
  refresh_token: RefreshTokenTable;
  revoked_access_token: RevokedAccessTokenTable;
  login_failure: LoginFailureTable;
  event: EventTable;
  logout_delivery: LogoutDeliveryTable;
  logout_request: LogoutRequestTable;
  adapter_session: AdapterSessionTable;
  not_before: NotBeforeTable;
  realm_config_version: RealmConfigVersionTable;
  saml_logout_request: SamlLogoutRequestTable;
  saml_seen_logout_request: SamlSeenLogoutRequestTable;
  logout: LogoutTable;
  logout_session: LogoutSessionTable;
  role: RoleTable;
  role_composite: RoleCompositeTable;
  realm_default_role: RealmDefaultRoleTable;
  user_role: UserRoleTable;
  app_group: GroupTable;
  group_role: GroupRoleTable;
  user_group: UserGroupTable;
  client_scope: ClientScopeTable;
  client_scope_link: ClientScopeLinkTable;
  realm_default_scope: RealmDefaultScopeTable;
  protocol_mapper: ProtocolMapperTable;
  scope_mapping: ScopeMappingTable;
  access_upgrade: AccessUpgradeTable;
}

/** Rows as read (generated columns filled in). */
export type RealmRow = Selectable<RealmTable>;
export type UserRow = Selectable<UserTable>;
