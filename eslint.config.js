// Lint: ESLint's recommended rules plus typescript-eslint's type-aware strict rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The modules that own the tables, each named after what it keeps (packages/server/src). */
const TABLE_OWNERS = [
  'store/**/*.ts', // the connection, schema, migrations and the transaction helper
  'realm/repository.ts', // realm, client, app_user: the protocol's reads; realm_config_version (its cache's check)
  'realm/realm-writer.ts', // realm, client, app_user: their one writer (realm import and the admin API)
  'admin/admin-store.ts', // the admin API's lists and counts (reads)
  'crypto/signing-keys.ts', // signing_key
  'tokens/refresh-token-key.ts', // realm_secret: the realm's refresh-token HMAC secret
  'sessions/sso-session-store.ts', // sso_session
  'sessions/client-session-store.ts', // client_session
  'sessions/adapter-sessions.ts', // adapter_session
  'sessions/session-liveness.ts', // "is this session live", in JS and as SQL
  'tokens/authorization-code-store.ts', // authorization_code
  'tokens/refresh-token-store.ts', // refresh_token
  'tokens/revoked-access-tokens.ts', // revoked_access_token
  'tokens/not-before.ts', // not_before
  'pending/pending-requests.ts', // auth_request, logout_request
  'login/throttle.ts', // login_failure
  'login/login-attempt-store.ts', // login_attempt (one lease per in-flight sign-in)
  'login/known-device.ts', // login_device_key (the known-device cookie's key)
  'login/otp/otp-credential-store.ts', // otp_credential (users' one-time-code credentials)
  'events/event-log.ts', // event
  'logout/delivery/delivery-store.ts', // logout_delivery
  'logout/logout-store.ts', // logout, logout_session (what ended sessions, and which)
  'logout/saml/sent-logout-requests.ts', // saml_logout_request (front-channel LogoutRequests sent)
  'logout/saml/seen-logout-requests.ts', // saml_seen_logout_request (replayed LogoutRequest IDs)
  'saml/login/seen-authn-requests.ts', // saml_seen_authn_request (AuthnRequest replay)
  'access/role-store.ts', // role, role_composite, realm_default_role
  'access/group-store.ts', // app_group, group_role
  'access/user-access-store.ts', // user_role, user_group (a user's roles and groups, read per token)
  'access/client-scope-store.ts', // client_scope, client_scope_link, realm_default_scope
  'access/protocol-mapper-store.ts', // protocol_mapper
  'access/scope-mapping-store.ts', // scope_mapping
  'access/access-upgrade.ts', // access_upgrade (realms stored before migration 0015)
  'realm/password-history.ts', // password_history (earlier password hashes, passwordHistory policy)
  'login/action-tokens/used-action-tokens.ts', // action_token_use (single-use links by email)
].map((f) => `packages/server/src/${f}`);

const DB_ACCESS = [
  {
    selector: "MemberExpression[property.name='db']",
    message: 'No database handle outside the table owners (eslint.config.js): call the store that owns the table.',
  },
];
const QUERY_BUILDER = [
  {
    selector:
      'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|selectNoFrom|transaction|executeQuery)$/]',
    message: 'Queries belong to the table owners (eslint.config.js); add a method to the owner instead.',
  },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.sundown/**', 'bench/results/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  // One owner per table (issue 13): only the modules below query the database; everything else
  // calls them. Kysely is not imported, and neither `.db` nor a query builder is touched,
  // anywhere else in the server.
  {
    files: ['packages/server/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'kysely',
              message:
                'Only table owners import Kysely (see the owner list in eslint.config.js); call the owner instead.',
            },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...DB_ACCESS, ...QUERY_BUILDER],
    },
  },
  {
    // The composition roots hand the store's connection to the owners they construct.
    files: [
      'packages/server/src/provider.ts',
      'packages/server/src/server.ts',
      'packages/server/src/commands/import-command.ts',
    ],
    rules: { 'no-restricted-syntax': ['error', ...QUERY_BUILDER] },
  },
  {
    files: TABLE_OWNERS,
    rules: { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    // node:test's test() and describe() return promises the runner itself awaits.
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The admin console runs in the browser; `tsc -p packages/server/console` checks its names
    // against the DOM types, which is what no-undef would do without knowing the globals.
    files: ['packages/server/console/**/*.js'],
    rules: { 'no-undef': 'off' },
  },
);
