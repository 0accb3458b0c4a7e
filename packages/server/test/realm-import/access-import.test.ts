// Realm import of Keycloak's authorization model (issue 23): roles with attributes and composites,
// the default role, groups with subgroups, users' role mappings, groups and attributes, service
// accounts, Keycloak's built-in client scopes and the realm's defaults, clients' mappers, scope
// links and scope mappings — idempotent, with unknown names reported by JSON path, on every store.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { AccessModelCache } from '../../src/access/access-model-cache.ts';
import { accessStoresOver } from '../../src/access/access-stores.ts';
import { runAccessUpgrade } from '../../src/access/access-upgrade.ts';
import { UserAccessStore } from '../../src/access/user-access-store.ts';
import { newId } from '../../src/crypto/random.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson, RealmImportError } from '../../src/realm-import/realm-json.ts';
import { RealmRepository } from '../../src/realm/repository.ts';
import { RealmWriter } from '../../src/realm/realm-writer.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { migrateTo } from '../../src/store/migrations.ts';
import { createNodeSqliteDialect } from '../../src/store/sqlite-dialect.ts';
import { join } from 'node:path';
import { Kysely as K, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ACCESS_REALM_JSON } from '../helpers/access-realm.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';

const ACCESS_TABLES = [
  'role',
  'role_composite',
  'realm_default_role',
  'user_role',
  'app_group',
  'group_role',
  'user_group',
  'client_scope',
  'client_scope_link',
  'realm_default_scope',
  'protocol_mapper',
  'scope_mapping',
] as const;

async function snapshot(store: Store): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of ACCESS_TABLES) {
    const rows = (await (store.db as unknown as Kysely<Record<string, Record<string, unknown>>>)
      .selectFrom(table)
      .selectAll()
      .execute()) as Array<Record<string, unknown>>;
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

describe('authorization model in realm JSON', () => {
  test('an unknown client in roles, a user or a group is an error with its path', () => {
    const json = structuredClone(ACCESS_REALM_JSON);
    (json.roles as { client: Record<string, unknown> }).client.ghost = [{ name: 'x' }];
    assert.ok(parseRealmJson(json), 'names are resolved when the import is written, not parsed');
  });

  test('composites, groups, scope mappings and mappers are read with their paths', () => {
    const { realm } = parseRealmJson(ACCESS_REALM_JSON);
    assert.deepEqual(realm.access.realmRoles[1]!.composites, { realm: ['user'], client: { app: ['app-admin'] } });
    assert.equal(realm.access.groups[0]!.subGroups[0]!.path, '/staff/leads');
    assert.deepEqual(realm.access.scopeMappings[0]!.owner, { client: 'limited' });
    assert.equal(realm.clients[0]!.protocolMappers!.length, 6);
    assert.equal(realm.clients[2]!.fullScopeAllowed, false);
    assert.equal(realm.access.clientScopes, null, 'absent: the built-in scopes');
    assert.deepEqual(realm.users[1]!.realmRoles, null, 'absent: a new user gets the default role');
  });

  test('a group name with "/" and a scope mapping naming neither client nor scope are refused', () => {
    assert.throws(
      () => parseRealmJson({ realm: 'x', groups: [{ name: 'a/b' }] }),
      (err: unknown) => err instanceof RealmImportError && err.path === '$.groups[0].name',
    );
    assert.throws(
      () => parseRealmJson({ realm: 'x', scopeMappings: [{ roles: ['r'] }] }),
      (err: unknown) => err instanceof RealmImportError && err.path === '$.scopeMappings[0]',
    );
  });
});

for (const database of TEST_DATABASES) {
  describe(`authorization model import on ${database.name}`, { skip: database.skip }, () => {
    test('roles, composites, groups, users, service accounts, scopes and mappers; a second import changes nothing', async () => {
      const created = await database.create();
      const store = await openStore(created.config);
      try {
        const result = await importRealm(store.db, parseRealmJson(ACCESS_REALM_JSON));
        assert.deepEqual(result.unsupportedMappers, [
          '$.clients[0].protocolMappers[5] "script" (oidc-script-based-protocol-mapper)',
        ]);
        assert.deepEqual(result.warnings, [
          '$.clients[3].defaultClientScopes: client scope "nope" is not in the realm; left out',
          // The import report's "needs attention" names the mapper types that add nothing.
          'protocol mappers of types Sundown does not evaluate (kept, but they add nothing to tokens; see docs/keycloak.md): $.clients[0].protocolMappers[5] "script" (oidc-script-based-protocol-mapper)',
        ]);
        const realms = new RealmRepository(store.db);
        const model = await new AccessModelCache(realms, accessStoresOver(store.db)).of(result.realmId);
        const app = (await realms.clientByClientId(result.realmId, 'app'))!;
        const api = (await realms.clientByClientId(result.realmId, 'api'))!;

        // Roles: composites expand transitively, across realm and client roles.
        const names = (ids: Iterable<string>) =>
          [...ids].map((id) => {
            const r = model.role(id)!;
            return r.clientId ? `${model.clientIdOf(r.clientId)}/${r.name}` : r.name;
          });
        assert.deepEqual(names(model.expandRole(model.realmRole('team-lead')!.id)).sort(), [
          'admin',
          'app/app-admin',
          'team-lead',
          'user',
        ]);
        assert.deepEqual(model.realmRole('auditor')!.attributes, { level: ['2'] });
        assert.equal(model.clientRole(app.id, 'app-admin')!.description, 'Administers the app');

        // The default role: default-roles-shop with offline_access and uma_authorization.
        const defaultRole = model.role(model.defaultRoleId!)!;
        assert.equal(defaultRole.name, 'default-roles-shop');
        assert.deepEqual(names(defaultRole.composites).sort(), ['offline_access', 'uma_authorization']);

        // Groups: paths, attributes, and the roles of the group and its parents.
        const leads = model.groupByPath('/staff/leads')!;
        assert.equal(model.group(leads.parentId!)!.name, 'staff');
        assert.deepEqual(leads.attributes, { dept: ['lead-eng'] });
        assert.deepEqual(names(model.groupRoleIds(leads.id)).sort(), ['api/read', 'team-lead', 'user']);

        // Users: direct roles, groups, attributes; bob (no roles in the file) has the default role.
        const users = new UserAccessStore(store.db);
        const alice = (await realms.userByUsername(result.realmId, 'alice'))!;
        assert.deepEqual(alice.attributes, { dept: ['sales'], phoneNumber: ['+1 555 0100'] });
        const aliceGrants = await users.grantsOf(alice.id);
        assert.deepEqual(names(aliceGrants.roleIds).sort(), ['app/app-user', 'user']);
        assert.deepEqual(aliceGrants.groupIds, [leads.id]);
        const bob = (await realms.userByUsername(result.realmId, 'bob'))!;
        assert.deepEqual(names((await users.grantsOf(bob.id)).roleIds), ['default-roles-shop']);

        // Service accounts: the file's for svc, a new one (with the default role) for api.
        const svc = (await realms.clientByClientId(result.realmId, 'svc'))!;
        const svcUser = (await realms.serviceAccountOf(svc.id))!;
        assert.equal(svcUser.username, 'service-account-svc');
        assert.deepEqual(names((await users.grantsOf(svcUser.id)).roleIds).sort(), [
          'api/read',
          'auditor',
          'default-roles-shop',
        ]);
        const apiUser = (await realms.serviceAccountOf(api.id))!;
        assert.equal(apiUser.username, 'service-account-api');
        assert.deepEqual(names((await users.grantsOf(apiUser.id)).roleIds), ['default-roles-shop']);

        // Keycloak's built-in client scopes and the realm's defaults; a new client got them.
        assert.deepEqual(
          model
            .scopes()
            .map((s) => s.name)
            .sort(),
          [
            'acr',
            'address',
            'basic',
            'email',
            'microprofile-jwt',
            'offline_access',
            'phone',
            'profile',
            'role_list',
            'roles',
            'web-origins',
          ],
        );
        const links = model.clientScopes(app.id, 'openid-connect');
        assert.deepEqual(
          links.defaultScopes.map((s) => s.name),
          ['acr', 'basic', 'email', 'profile', 'roles', 'web-origins'],
        );
        assert.deepEqual(
          links.optionalScopes.map((s) => s.name),
          ['address', 'microprofile-jwt', 'offline_access', 'phone'],
        );
        assert.deepEqual(
          model.clientScopes(svc.id, 'openid-connect').defaultScopes.map((s) => s.name),
          ['basic', 'profile', 'roles'],
        );
        assert.deepEqual(names(model.scopeByName('offline_access')!.scopeRoleIds), ['offline_access']);
        assert.equal(model.scopeByName('roles')!.mappers.length, 3);
        assert.equal(model.clientMappers(app.id).length, 6, 'an unsupported mapper is kept');

        // Scope mappings of a client without full scope.
        const limited = (await realms.clientByClientId(result.realmId, 'limited'))!;
        assert.equal(limited.fullScopeAllowed, false);
        assert.deepEqual(names(model.clientScopeRoleIds(limited.id)).sort(), ['api/read', 'user']);

        const first = await snapshot(store);
        await importRealm(store.db, parseRealmJson(ACCESS_REALM_JSON));
        assert.deepEqual(await snapshot(store), first, 'a second import of the same file changes nothing');
      } finally {
        await store.close();
        await created.drop();
      }
    });

    test('an unknown client, composite or group path stops the import with its path; nothing is written', async () => {
      const created = await database.create();
      const store = await openStore(created.config);
      try {
        const cases: Array<[(json: Record<string, unknown>) => void, string, RegExp]> = [
          [
            (json) => ((json.users as Array<Record<string, unknown>>)[0]!.clientRoles = { ghost: ['x'] }),
            '$.users[0].clientRoles',
            /client "ghost" is not in the realm/,
          ],
          [
            (json) =>
              ((json.roles as { realm: Array<Record<string, unknown>> }).realm[0]!.composites = { realm: ['nope'] }),
            '$.roles.realm[0].composites.realm',
            /role "nope" is not in the realm/,
          ],
          [
            (json) => ((json.users as Array<Record<string, unknown>>)[0]!.groups = ['/staff/nobody']),
            '$.users[0].groups[0]',
            /group "\/staff\/nobody" is not in the realm/,
          ],
        ];
        for (const [change, path, message] of cases) {
          const json = structuredClone(ACCESS_REALM_JSON);
          change(json);
          await assert.rejects(
            importRealm(store.db, parseRealmJson(json)),
            (err: unknown) => err instanceof RealmImportError && err.path === path && message.test(err.message),
          );
          const realm = await store.db.selectFrom('realm').select('id').where('name', '=', 'shop').execute();
          assert.deepEqual(realm, [], 'the whole import rolled back');
        }
      } finally {
        await store.close();
        await created.drop();
      }
    });

    test('a store from before migration 0015: realm roles become role mappings; the realm gets the built-in scopes and default role', async () => {
      // A store at the schema of the release before this one.
      const fresh = await database.create();
      const cfg = fresh.config;
      const db =
        cfg.kind === 'sqlite'
          ? new K<unknown>({ dialect: createNodeSqliteDialect(join(cfg.dataDir, 'sundown.db')) })
          : new K<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: cfg.url }) }) });
      try {
        await migrateTo(db, cfg.kind, '0014_saml_logout_request');
        const raw = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
        const realmId = newId();
        const clientId = newId();
        await raw
          .insertInto('realm')
          .values({
            id: realmId,
            name: 'old',
            display_name: null,
            enabled: 1,
            access_token_lifespan: 300,
            sso_session_idle_timeout: 1800,
            sso_session_max_lifespan: 36000,
            offline_session_idle_timeout: 2592000,
            attributes: '{}',
            created_at: 1,
          })
          .execute();
        await raw
          .insertInto('client')
          .values({
            id: clientId,
            realm_id: realmId,
            client_id: 'worker',
            name: null,
            secret: 's',
            public_client: 0,
            enabled: 1,
            redirect_uris: '[]',
            web_origins: '[]',
            root_url: null,
            admin_url: null,
            frontchannel_logout: 0,
            standard_flow_enabled: 0,
            direct_access_grants_enabled: 0,
            service_accounts_enabled: 1,
            attributes: '{}',
            protocol: 'openid-connect',
            created_at: 1,
          })
          .execute();
        await raw
          .insertInto('app_user')
          .values({
            id: 'u1',
            realm_id: realmId,
            username: 'root',
            email: null,
            email_verified: 0,
            first_name: null,
            last_name: null,
            enabled: 1,
            password_hash: null,
            created_at: 1,
            realm_roles: '["admin","ops"]',
          })
          .execute();
      } finally {
        await db.destroy();
      }
      const upgraded = await openStore(cfg);
      try {
        const writer = new RealmWriter(upgraded.db, newId);
        assert.deepEqual(await runAccessUpgrade(upgraded.db, writer), ['old']);
        assert.deepEqual(await runAccessUpgrade(upgraded.db, writer), [], 'once');
        const realms = new RealmRepository(upgraded.db);
        const realm = (await realms.realmByName('old'))!;
        const model = await new AccessModelCache(realms, accessStoresOver(upgraded.db)).of(realm.id);
        const grants = await new UserAccessStore(upgraded.db).grantsOf('u1');
        assert.deepEqual(grants.roleIds.map((id) => model.role(id)!.name).sort(), [
          'admin',
          'default-roles-old',
          'ops',
        ]);
        const worker = (await realms.clientByClientId(realm.id, 'worker'))!;
        assert.deepEqual(
          model.clientScopes(worker.id, 'openid-connect').defaultScopes.map((s) => s.name),
          ['acr', 'basic', 'email', 'profile', 'roles', 'web-origins'],
        );
        assert.equal((await realms.serviceAccountOf(worker.id))!.username, 'service-account-worker');
      } finally {
        await upgraded.close();
        await fresh.drop();
      }
    });
  });
}
