// One set of migrations for both dialects. Only portable column types are used (text,
// integer, bigint), so the schema is identical on SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely/migration';
import type { DialectName } from './dialect-name.ts';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('realm')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text')
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('access_token_lifespan', 'integer', (c) => c.notNull())
      .addColumn('sso_session_idle_timeout', 'integer', (c) => c.notNull())
      .addColumn('sso_session_max_lifespan', 'integer', (c) => c.notNull())
      .addColumn('offline_session_idle_timeout', 'integer', (c) => c.notNull())
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('client')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('secret', 'text')
      .addColumn('public_client', 'integer', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('redirect_uris', 'text', (c) => c.notNull())
      .addColumn('web_origins', 'text', (c) => c.notNull())
      .addColumn('root_url', 'text')
      .addColumn('admin_url', 'text')
      .addColumn('frontchannel_logout', 'integer', (c) => c.notNull())
      .addColumn('standard_flow_enabled', 'integer', (c) => c.notNull())
      .addColumn('direct_access_grants_enabled', 'integer', (c) => c.notNull())
      .addColumn('service_accounts_enabled', 'integer', (c) => c.notNull())
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('client_realm_client_id_uq', ['realm_id', 'client_id'])
      .execute();

    await db.schema
      .createTable('app_user')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('email_verified', 'integer', (c) => c.notNull())
      .addColumn('first_name', 'text')
      .addColumn('last_name', 'text')
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('app_user_realm_username_uq', ['realm_id', 'username'])
      .execute();

    await db.schema
      .createTable('signing_key')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('private_jwk', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('signing_key_realm_idx').on('signing_key').columns(['realm_id']).execute();

    await db.schema
      .createTable('auth_request')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('params', 'text', (c) => c.notNull())
      .addColumn('csrf_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('auth_request_expires_idx').on('auth_request').columns(['expires_at']).execute();

    await db.schema
      .createTable('sso_session')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('cookie_hash', 'text', (c) => c.notNull().unique())
      .addColumn('auth_time', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('ip_address', 'text')
      .addColumn('ended_at', 'bigint')
      .addColumn('end_reason', 'text')
      .execute();
    // "All sessions of user U" (logout of a user) and "all live sessions of a realm" (expiry sweeps).
    await db.schema.createIndex('sso_session_user_idx').on('sso_session').columns(['realm_id', 'user_id']).execute();
    await db.schema
      .createIndex('sso_session_realm_live_idx')
      .on('sso_session')
      .columns(['realm_id', 'ended_at', 'last_seen_at'])
      .execute();

    await db.schema
      .createTable('client_session')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull())
      .addColumn('sso_session_id', 'text', (c) => c.notNull().references('sso_session.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.notNull().references('client.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('offline', 'integer', (c) => c.notNull())
      .addColumn('first_token_at', 'bigint', (c) => c.notNull())
      .addColumn('last_token_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .addUniqueConstraint('client_session_uq', ['sso_session_id', 'client_id', 'offline'])
      .execute();
    // "All client sessions of session S" is what a logout fans out to.
    await db.schema.createIndex('client_session_sso_idx').on('client_session').columns(['sso_session_id']).execute();
    await db.schema
      .createIndex('client_session_client_idx')
      .on('client_session')
      .columns(['client_id', 'ended_at'])
      .execute();

    await db.schema
      .createTable('authorization_code')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('sso_session_id', 'text', (c) => c.notNull())
      .addColumn('redirect_uri', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text')
      .addColumn('code_challenge', 'text')
      .addColumn('auth_time', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();

    await db.schema
      .createTable('refresh_token')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('family_id', 'text', (c) => c.notNull())
      .addColumn('realm_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('sso_session_id', 'text', (c) => c.notNull())
      .addColumn('client_session_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('offline', 'integer', (c) => c.notNull())
      .addColumn('code_hash', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('refresh_token_family_idx').on('refresh_token').columns(['family_id']).execute();
    await db.schema.createIndex('refresh_token_session_idx').on('refresh_token').columns(['sso_session_id']).execute();
    await db.schema.createIndex('refresh_token_code_idx').on('refresh_token').columns(['code_hash']).execute();

    await db.schema
      .createTable('revoked_access_token')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('login_failure')
      .addColumn('realm_id', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
      .addColumn('locked_until', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('login_failure_pk', ['realm_id', 'subject'])
      .execute();
  },
};

const events = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('event')
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('realm_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addColumn('client_id', 'text')
      .addColumn('user_id', 'text')
      .addColumn('session_id', 'text')
      .addColumn('ip_address', 'text')
      .addColumn('error', 'text')
      .addColumn('details', 'text')
      .execute();
    await db.schema.createIndex('event_realm_time_idx').on('event').columns(['realm_id', 'time']).execute();
  },
});

const logout: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('logout_delivery')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('sso_session_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('revoke_offline', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('locked_until', 'bigint', (c) => c.notNull())
      .addColumn('last_attempt_at', 'bigint')
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('finished_at', 'bigint')
      .execute();
    // Workers look for due, unfinished deliveries.
    await db.schema
      .createIndex('logout_delivery_due_idx')
      .on('logout_delivery')
      .columns(['status', 'next_attempt_at'])
      .execute();
    await db.schema
      .createIndex('logout_delivery_realm_idx')
      .on('logout_delivery')
      .columns(['realm_id', 'created_at'])
      .execute();

    await db.schema
      .createTable('logout_request')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull())
      .addColumn('params', 'text', (c) => c.notNull())
      .addColumn('csrf_hash', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('logout_request_expires_idx').on('logout_request').columns(['expires_at']).execute();
    await db.schema.createIndex('event_realm_type_idx').on('event').columns(['realm_id', 'type', 'time']).execute();
  },
};

const roles: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('app_user')
      .addColumn('realm_roles', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
  },
};

// The cap on pending sign-in forms deletes a realm's oldest rows (oidc/authorize/pending-logins.ts).
const authRequestAge: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('auth_request_realm_created_idx')
      .on('auth_request')
      .columns(['realm_id', 'created_at'])
      .execute();
  },
};

/**
 * One active signing key per realm and algorithm, enforced by the database: two processes that
 * create a realm's first key at once cannot both succeed (the loser reads the winner's key).
 * Stores written before this may already hold several active keys of one algorithm; all but the
 * newest become passive first, so every token they signed still verifies.
 */
const oneActiveSigningKey: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      UPDATE signing_key SET status = 'passive'
      WHERE status = 'active' AND EXISTS (
        SELECT 1 FROM signing_key newer
        WHERE newer.realm_id = signing_key.realm_id AND newer.alg = signing_key.alg AND newer.status = 'active'
          AND (newer.created_at > signing_key.created_at OR (newer.created_at = signing_key.created_at AND newer.kid > signing_key.kid))
      )`.execute(db);
    await db.schema
      .createIndex('signing_key_one_active_uq')
      .on('signing_key')
      .columns(['realm_id', 'alg'])
      .unique()
      .where(sql.ref('status'), '=', 'active')
      .execute();
  },
};

// Issue 11 (login throttling): attempts in flight per counter, with a lease so that a slot held
// by a process that died lapses on its own.
const loginInFlight: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('login_failure')
      .addColumn('in_flight', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('login_failure')
      .addColumn('in_flight_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

// Fixes to issue 11's throttling: one lease row per in-flight login verification, each with its
// own expiry (see login/login-attempt-store.ts), instead of one shared in_flight_until.
const loginAttemptLeases: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('login_attempt')
      .addColumn('realm_id', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('attempt_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('login_attempt_pk', ['realm_id', 'subject', 'attempt_id'])
      .execute();
    await db.schema
      .createIndex('login_attempt_attempt_idx')
      .on('login_attempt')
      .columns(['realm_id', 'attempt_id'])
      .execute();
    await db.schema.createIndex('login_attempt_expires_idx').on('login_attempt').column('expires_at').execute();
  },
};

// Fixes to issue 11's throttling: the per-realm HMAC key of known-device cookies
// (login/known-device.ts).
const loginDeviceKey: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('login_device_key')
      .addColumn('realm_id', 'text', (c) => c.primaryKey().references('realm.id').onDelete('cascade'))
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

// Issue 15 (admin-URL logout): delivery kinds in the outbox, the adapters' session ids per client
// session, and Keycloak's not-before times of realms and clients.
const adminUrlLogout: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('logout_delivery')
      .addColumn('kind', 'text', (c) => c.notNull().defaultTo('backchannel'))
      .execute();
    await db.schema.alterTable('logout_delivery').addColumn('payload', 'text').execute();
    await db.schema
      .createTable('adapter_session')
      .addColumn('client_session_id', 'text', (c) => c.notNull().references('client_session.id').onDelete('cascade'))
      .addColumn('adapter_session_id', 'text', (c) => c.notNull())
      .addColumn('adapter_host', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('adapter_session_pk', ['client_session_id', 'adapter_session_id'])
      .execute();
    await db.schema
      .createTable('not_before')
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('not_before', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('not_before_pk', ['realm_id', 'client_id'])
      .execute();
  },
};

// Issue 14 (browser apps): the realm's HMAC secret that signs refresh tokens (Keycloak's
// "hmac-generated" key); one row per realm and purpose, the first writer wins.
const realmSecret: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('realm_secret')
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('kid', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('realm_secret_pk', ['realm_id', 'purpose'])
      .execute();
  },
};

// Issue 13 (token endpoint speed): realm and client rows and not-before times are cached per
// process (realm/repository.ts, tokens/not-before.ts). Every write to `realm`, `client` or
// `not_before` — admin API, realm import, "log out all", another process, a hand-run SQL
// statement — bumps one counter through a trigger, and a cached row is used only while the
// counter is unchanged, so no write can leave a process serving a stale client (a disabled
// client, a rotated secret) or accepting a token its not-before time refuses after it committed.
const CONFIG_TABLES = ['realm', 'client', 'not_before'];
const realmConfigVersion = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('realm_config_version')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .execute();
    await sql`INSERT INTO realm_config_version (id, version) VALUES (1, 0)`.execute(db);
    if (dialect === 'postgres') {
      await sql`
        CREATE FUNCTION sundown_bump_realm_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE realm_config_version SET version = version + 1 WHERE id = 1;
          RETURN NULL;
        END $$`.execute(db);
      for (const table of CONFIG_TABLES) {
        await sql`CREATE TRIGGER ${sql.id(`${table}_config_version`)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${sql.table(table)} FOR EACH STATEMENT EXECUTE FUNCTION sundown_bump_realm_config_version()`.execute(
          db,
        );
      }
      return;
    }
    for (const table of CONFIG_TABLES) {
      for (const op of ['insert', 'update', 'delete']) {
        await sql`CREATE TRIGGER ${sql.id(`${table}_config_version_${op}`)} AFTER ${sql.raw(op.toUpperCase())} ON ${sql.table(table)} BEGIN UPDATE realm_config_version SET version = version + 1 WHERE id = 1; END`.execute(
          db,
        );
      }
    }
  },
});
// Issue 16 (SAML 2.0): a client's protocol, and the SAML participant of an SSO session — its
// client_session row for the SAML client — with the NameID, its Format and the SessionIndex
// that a LogoutRequest names (Core §3.7.1) and a SessionIndex lookup needs (saml.md §8.8).
const saml: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('client')
      .addColumn('protocol', 'text', (c) => c.notNull().defaultTo('openid-connect'))
      .execute();
    await db.schema.alterTable('client_session').addColumn('saml_name_id', 'text').execute();
    await db.schema.alterTable('client_session').addColumn('saml_name_id_format', 'text').execute();
    await db.schema.alterTable('client_session').addColumn('saml_session_index', 'text').execute();
    await db.schema
      .createIndex('client_session_saml_session_index')
      .on('client_session')
      .columns(['client_id', 'saml_session_index'])
      .execute();
  },
};

// Issue 16: the IDs of AuthnRequests already answered, per client, until they could no longer be
// fresh (saml.md §8.8: a replayed request is refused). Its own step so a store that ran
// 0012_saml gets it too.
const samlAuthnReplay: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('saml_seen_authn_request')
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('saml_seen_authn_request_pk', ['realm_id', 'client_id', 'request_id'])
      .execute();
    await db.schema
      .createIndex('saml_seen_authn_request_expiry')
      .on('saml_seen_authn_request')
      .columns(['expires_at'])
      .execute();
  },
};

// Issue 16 (SAML logout): the front-channel LogoutRequests sent, to check the LogoutResponses.
const samlLogoutRequests: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('saml_logout_request')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('sso_session_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('answered_at', 'bigint')
      .addColumn('status', 'text')
      .execute();
    await db.schema
      .createIndex('saml_logout_request_expiry')
      .on('saml_logout_request')
      .columns(['realm_id', 'expires_at'])
      .execute();
    // And the IDs of LogoutRequests SPs sent, to refuse replays (saml.md §8.8).
    await db.schema
      .createTable('saml_seen_logout_request')
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('saml_seen_logout_request_pk', ['realm_id', 'client_id', 'request_id'])
      .execute();
  },
};

// Issue 22 (Keycloak realms move over): a user's pending required actions (Keycloak's
// `requiredActions`), and the Keycloak password hash last imported, so that importing the same
// file again keeps the argon2id hash the user's sign-in replaced it with.
const keycloakUserCredentials: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('app_user')
      .addColumn('required_actions', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema.alterTable('app_user').addColumn('imported_password', 'text').execute();
    // The realm's sign-in settings (realm/login-settings.ts), Keycloak's defaults when absent.
    await db.schema
      .alterTable('realm')
      .addColumn('login_settings', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    // The user a pending sign-in has authenticated while required actions are still to be done.
    await db.schema.alterTable('auth_request').addColumn('user_id', 'text').execute();
  },
};

// Issue 24 (sign-out you can see and prove): every end of a session is one logout, with its
// trigger, who started it and the sessions it ended; every delivery of every channel names it,
// and a delivery keeps what the receiver said it did (its receipt).
const logoutRecords: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('logout')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('started_by', 'text', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('ip_address', 'text')
      .addColumn('user_id', 'text')
      .addColumn('session_count', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('browser_key_hash', 'text')
      .addColumn('continue_to', 'text')
      .execute();
    await db.schema.createIndex('logout_realm_created_idx').on('logout').columns(['realm_id', 'created_at']).execute();
    await db.schema
      .createTable('logout_session')
      .addColumn('logout_id', 'text', (c) => c.notNull().references('logout.id').onDelete('cascade'))
      .addColumn('sso_session_id', 'text', (c) => c.notNull())
      .addColumn('realm_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('logout_session_pk', ['logout_id', 'sso_session_id'])
      .execute();
    await db.schema
      .createIndex('logout_session_user_idx')
      .on('logout_session')
      .columns(['realm_id', 'user_id'])
      .execute();
    await db.schema.alterTable('logout_delivery').addColumn('logout_id', 'text').execute();
    await db.schema.alterTable('logout_delivery').addColumn('receipt', 'text').execute();
    await db.schema.createIndex('logout_delivery_logout_idx').on('logout_delivery').columns(['logout_id']).execute();
    await db.schema.alterTable('saml_logout_request').addColumn('logout_id', 'text').execute();
    // The account page names each session's browser.
    await db.schema.alterTable('sso_session').addColumn('user_agent', 'text').execute();
    await db.schema
      .createIndex('saml_logout_request_logout_idx')
      .on('saml_logout_request')
      .columns(['logout_id'])
      .execute();
  },
};
// Issue 23 (Keycloak's authorization model): roles with composites, the realm's default role,
// groups, user and group role mappings, client scopes with their protocol mappers, the scope
// links of clients and realms, scope mappings; user attributes and service-account users;
// clients' fullScopeAllowed. Configuration tables bump realm_config_version like realm and client
// (migration 0013), so the cached access model of every process follows each write; a user's own
// role mappings and groups are read per token and bump nothing. The realm roles users had in
// app_user.realm_roles become role rows and mappings; realms that existed before are marked for
// the start-up upgrade (access/access-upgrade.ts) that gives them Keycloak's built-in client
// scopes and default role.
const ACCESS_CONFIG_TABLES = [
  'role',
  'role_composite',
  'realm_default_role',
  'app_group',
  'group_role',
  'client_scope',
  'client_scope_link',
  'realm_default_scope',
  'protocol_mapper',
  'scope_mapping',
];
const accessModel = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('role')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.references('client.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // A role's name is unique among the realm's roles, or among its client's.
    await db.schema
      .createIndex('role_realm_name_uq')
      .on('role')
      .columns(['realm_id', 'name'])
      .unique()
      .where(sql.ref('client_id'), 'is', null)
      .execute();
    await db.schema
      .createIndex('role_client_name_uq')
      .on('role')
      .columns(['client_id', 'name'])
      .unique()
      .where(sql.ref('client_id'), 'is not', null)
      .execute();
    await db.schema
      .createTable('role_composite')
      .addColumn('role_id', 'text', (c) => c.notNull().references('role.id').onDelete('cascade'))
      .addColumn('child_role_id', 'text', (c) => c.notNull().references('role.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('role_composite_pk', ['role_id', 'child_role_id'])
      .execute();
    await db.schema.createIndex('role_composite_child_idx').on('role_composite').column('child_role_id').execute();
    await db.schema
      .createTable('realm_default_role')
      .addColumn('realm_id', 'text', (c) => c.primaryKey().references('realm.id').onDelete('cascade'))
      .addColumn('role_id', 'text', (c) => c.notNull().references('role.id').onDelete('cascade'))
      .execute();
    await db.schema
      .createTable('user_role')
      .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
      .addColumn('role_id', 'text', (c) => c.notNull().references('role.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('user_role_pk', ['user_id', 'role_id'])
      .execute();
    await db.schema.createIndex('user_role_role_idx').on('user_role').column('role_id').execute();

    await db.schema
      .createTable('app_group')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('parent_id', 'text', (c) => c.references('app_group.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('app_group_top_name_uq')
      .on('app_group')
      .columns(['realm_id', 'name'])
      .unique()
      .where(sql.ref('parent_id'), 'is', null)
      .execute();
    await db.schema
      .createIndex('app_group_child_name_uq')
      .on('app_group')
      .columns(['parent_id', 'name'])
      .unique()
      .where(sql.ref('parent_id'), 'is not', null)
      .execute();
    await db.schema
      .createTable('group_role')
      .addColumn('group_id', 'text', (c) => c.notNull().references('app_group.id').onDelete('cascade'))
      .addColumn('role_id', 'text', (c) => c.notNull().references('role.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('group_role_pk', ['group_id', 'role_id'])
      .execute();
    await db.schema
      .createTable('user_group')
      .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
      .addColumn('group_id', 'text', (c) => c.notNull().references('app_group.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('user_group_pk', ['user_id', 'group_id'])
      .execute();
    await db.schema.createIndex('user_group_group_idx').on('user_group').column('group_id').execute();

    await db.schema
      .createTable('client_scope')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('protocol', 'text', (c) => c.notNull())
      .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('client_scope_realm_name_uq', ['realm_id', 'name'])
      .execute();
    await db.schema
      .createTable('client_scope_link')
      .addColumn('client_id', 'text', (c) => c.notNull().references('client.id').onDelete('cascade'))
      .addColumn('scope_id', 'text', (c) => c.notNull().references('client_scope.id').onDelete('cascade'))
      .addColumn('default_scope', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('client_scope_link_pk', ['client_id', 'scope_id'])
      .execute();
    await db.schema.createIndex('client_scope_link_scope_idx').on('client_scope_link').column('scope_id').execute();
    await db.schema
      .createTable('realm_default_scope')
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('scope_id', 'text', (c) => c.notNull().references('client_scope.id').onDelete('cascade'))
      .addColumn('default_scope', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('realm_default_scope_pk', ['realm_id', 'scope_id'])
      .execute();
    await db.schema
      .createTable('protocol_mapper')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.references('client.id').onDelete('cascade'))
      .addColumn('client_scope_id', 'text', (c) => c.references('client_scope.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('protocol', 'text', (c) => c.notNull())
      .addColumn('mapper_type', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('protocol_mapper_realm_idx').on('protocol_mapper').column('realm_id').execute();
    await db.schema
      .createTable('scope_mapping')
      .addColumn('client_id', 'text', (c) => c.references('client.id').onDelete('cascade'))
      .addColumn('client_scope_id', 'text', (c) => c.references('client_scope.id').onDelete('cascade'))
      .addColumn('role_id', 'text', (c) => c.notNull().references('role.id').onDelete('cascade'))
      .execute();
    await db.schema
      .createIndex('scope_mapping_client_uq')
      .on('scope_mapping')
      .columns(['client_id', 'role_id'])
      .unique()
      .where(sql.ref('client_id'), 'is not', null)
      .execute();
    await db.schema
      .createIndex('scope_mapping_scope_uq')
      .on('scope_mapping')
      .columns(['client_scope_id', 'role_id'])
      .unique()
      .where(sql.ref('client_scope_id'), 'is not', null)
      .execute();
    await db.schema
      .createTable('access_upgrade')
      .addColumn('realm_id', 'text', (c) => c.primaryKey().references('realm.id').onDelete('cascade'))
      .execute();

    await db.schema
      .alterTable('client')
      .addColumn('full_scope_allowed', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .alterTable('app_user')
      .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema
      .alterTable('app_user')
      .addColumn('service_account_client_id', 'text', (c) => c.references('client.id').onDelete('cascade'))
      .execute();
    await db.schema
      .createIndex('app_user_service_account_idx')
      .on('app_user')
      .column('service_account_client_id')
      .execute();

    // app_user.realm_roles (migration 0004) becomes role rows and user_role mappings.
    const users = await sql<{ id: string; realm_id: string; realm_roles: string }>`
      SELECT id, realm_id, realm_roles FROM app_user WHERE realm_roles <> '[]'`.execute(db);
    const roleIds = new Map<string, string>();
    for (const user of users.rows) {
      let names: unknown;
      try {
        names = JSON.parse(user.realm_roles);
      } catch {
        names = [];
      }
      if (!Array.isArray(names)) continue;
      for (const name of new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))) {
        const key = `${user.realm_id}\u0000${name}`;
        let roleId = roleIds.get(key);
        if (!roleId) {
          roleId = randomUUID();
          roleIds.set(key, roleId);
          await sql`INSERT INTO role (id, realm_id, client_id, name, description, attributes, created_at)
            VALUES (${roleId}, ${user.realm_id}, NULL, ${name}, NULL, '{}', ${Date.now()})`.execute(db);
        }
        await sql`INSERT INTO user_role (user_id, role_id) VALUES (${user.id}, ${roleId})`.execute(db);
      }
    }
    await db.schema.alterTable('app_user').dropColumn('realm_roles').execute();
    await sql`INSERT INTO access_upgrade (realm_id) SELECT id FROM realm`.execute(db);

    if (dialect === 'postgres') {
      for (const table of ACCESS_CONFIG_TABLES) {
        await sql`CREATE TRIGGER ${sql.id(`${table}_config_version`)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${sql.table(table)} FOR EACH STATEMENT EXECUTE FUNCTION sundown_bump_realm_config_version()`.execute(
          db,
        );
      }
      return;
    }
    for (const table of ACCESS_CONFIG_TABLES) {
      for (const op of ['insert', 'update', 'delete']) {
        await sql`CREATE TRIGGER ${sql.id(`${table}_config_version_${op}`)} AFTER ${sql.raw(op.toUpperCase())} ON ${sql.table(table)} BEGIN UPDATE realm_config_version SET version = version + 1 WHERE id = 1; END`.execute(
          db,
        );
      }
    }
  },
});

// Issue 22 (one-time codes and required actions): users' OTP credentials as Keycloak keeps them
// (login/otp/otp-credential-store.ts), the realm's OTP policy and required-action settings (JSON,
// Keycloak's defaults when '{}' / '[]'), and the user a pending sign-in has checked the password
// of while a one-time code is still owed.
const otpCredentials: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('otp_credential')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('secret_encoding', 'text')
      .addColumn('algorithm', 'text', (c) => c.notNull())
      .addColumn('digits', 'integer', (c) => c.notNull())
      .addColumn('period', 'integer', (c) => c.notNull())
      .addColumn('counter', 'integer', (c) => c.notNull())
      .addColumn('last_step', 'integer')
      .addColumn('user_label', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('otp_credential_user_idx').on('otp_credential').column('user_id').execute();
    await db.schema
      .alterTable('realm')
      .addColumn('otp_policy', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema
      .alterTable('realm')
      .addColumn('required_action_settings', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema.alterTable('auth_request').addColumn('otp_user_id', 'text').execute();
  },
};

// Issue 22 (mail, password policy, registration): a user's earlier password hashes for Keycloak's
// passwordHistory policy, and the action-token ids already used (single-use links by email).
const mail: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('password_history')
      .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('password_history_user_idx')
      .on('password_history')
      .columns(['user_id', 'created_at'])
      .execute();
    await db.schema
      .createTable('action_token_use')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('realm_id', 'text', (c) => c.notNull().references('realm.id').onDelete('cascade'))
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

class StaticMigrationProvider implements MigrationProvider {
  readonly #dialect: DialectName;
  constructor(dialect: DialectName) {
    this.#dialect = dialect;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '0001_initial': initial,
      '0002_events': events(this.#dialect),
      '0003_logout': logout,
      '0004_roles': roles,
      '0005_users_auth_request_age': authRequestAge,
      '0006_pgrel_one_active_signing_key': oneActiveSigningKey,
      '0007_login_throttle_in_flight': loginInFlight,
      '0008_fixes_login_attempt_leases': loginAttemptLeases,
      '0009_fixes_login_device_key': loginDeviceKey,
      '0010_klogout_admin_url_logout': adminUrlLogout,
      '0011_web_realm_secret': realmSecret,
      '0013_perf_realm_config_version': realmConfigVersion(this.#dialect),
      '0012_saml': saml,
      '0012_saml_authn_replay': samlAuthnReplay,
      '0014_saml_logout_request': samlLogoutRequests,
      '0015_i22_keycloak_user_credentials': keycloakUserCredentials,
      '0015_i23_roles': accessModel(this.#dialect),
      '0015_i24_logout_records': logoutRecords,
      '0016_i22_mail': mail,
      '0016_i22_otp': otpCredentials,
    };
  }
}

/** Brings the schema up to date; safe to run on every start and from several processes. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(dialect) });
  check(await migrator.migrateToLatest());
}

/** Brings the schema up to migration `name` only, as an older release left it (upgrade tests). */
export async function migrateTo(db: Kysely<unknown>, dialect: DialectName, name: string): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(dialect) });
  check(await migrator.migrateTo(name));
}

function check({ error, results }: MigrationResultSet): void {
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
