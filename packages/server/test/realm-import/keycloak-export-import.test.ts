// What Keycloak exports imports unedited: every problem of a file at once, the built-in clients
// with `${authBaseUrl}` resolved at run time, bearer-only clients, the directory form (a users
// file adds users and never resets the realm's settings), and the import report grouped once
// per kind of field — on every store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { runImportCommand } from '../../src/commands/import-command.ts';
import { createProvider } from '../../src/provider.ts';
import { importRealmFiles } from '../../src/realm-import/import-realm.ts';
import { groupNotUsed } from '../../src/realm-import/import-report.ts';
import { parseRealmJson, RealmImportError } from '../../src/realm-import/realm-json.ts';
import { RealmRepository } from '../../src/realm/repository.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';

const EXPORTS = new URL('../fixtures/keycloak-exports/', import.meta.url).pathname;

describe('a realm file with several problems', () => {
  test('reports every problem at once, each with its JSON path', () => {
    const json = {
      realm: 'x',
      accessTokenLifespan: 'long',
      clients: [
        { clientId: 'a', publicClient: 'yes' },
        { clientId: 'b', redirectUris: ['https://b.example/cb#frag', 'https://b.example/../x'] },
        { clientId: 'a' },
      ],
      users: [{ username: 'u', enabled: 'no' }, { email: 'no-username@example.com' }],
    };
    assert.throws(
      () => parseRealmJson(json),
      (err: unknown) => {
        assert.ok(err instanceof RealmImportError);
        assert.deepEqual(
          err.problems.map((p) => p.path),
          [
            '$.accessTokenLifespan',
            '$.clients[0].publicClient',
            '$.clients[1].redirectUris[0]',
            '$.clients[1].redirectUris[1]',
            '$.clients[2].clientId',
            '$.users[0].enabled',
            '$.users[1].username',
          ],
        );
        assert.match(err.message, /^7 problems:\n {2}\$\.accessTokenLifespan: must be a positive whole number/);
        return true;
      },
    );
  });

  test('one problem reads as before: "path: message"', () => {
    assert.throws(() => parseRealmJson({ realm: 'x', clients: [{ clientId: 'a', protocol: 'cas' }] }), {
      message: '$.clients[0].protocol: only "openid-connect" and "saml" are supported, not "cas"',
    });
  });
});

describe("Keycloak's built-in clients", () => {
  const json = {
    realm: 'demo',
    clients: [
      {
        clientId: 'account-console',
        rootUrl: '${authBaseUrl}',
        baseUrl: '/realms/demo/account/',
        redirectUris: ['/realms/demo/account/*'],
        publicClient: true,
        attributes: { 'post.logout.redirect.uris': '+' },
      },
      { clientId: 'security-admin-console', rootUrl: '${authAdminUrl}', redirectUris: ['/admin/demo/console/*'] },
      { clientId: 'realm-management', bearerOnly: true, standardFlowEnabled: true },
    ],
  };

  test('import with ${authBaseUrl} rootUrl; their relative URIs stay relative for the run time', () => {
    const { realm, warnings } = parseRealmJson(json);
    assert.equal(realm.clients[0]!.rootUrl, '${authBaseUrl}');
    assert.deepEqual(realm.clients[0]!.redirectUris, ['/realms/demo/account/*']);
    assert.ok(warnings.some((w) => w.includes('built-in clients account-console, security-admin-console')));
  });

  test('a bearer-only client gets no flow (Keycloak: it only accepts tokens)', () => {
    const client = parseRealmJson(json).realm.clients[2]!;
    assert.equal(client.standardFlowEnabled, false);
    assert.equal(client.directAccessGrantsEnabled, false);
  });
});

test('the report lists each kind of unused field once, with how many objects had it', () => {
  const groups = groupNotUsed([
    '$.roles',
    '$.bruteForceProtected',
    '$.clients[0].protocolMappers',
    '$.clients[1].protocolMappers',
    '$.clients[1].fullScopeAllowed',
    '$.users[0].credentials[0].userLabel',
    '$.users[1].credentials[0].userLabel',
  ]);
  assert.deepEqual(groups, [
    {
      kind: 'realm',
      objects: 1,
      fields: [
        { name: 'bruteForceProtected', count: 1 },
        { name: 'roles', count: 1 },
      ],
    },
    {
      kind: 'clients[]',
      objects: 2,
      fields: [
        { name: 'fullScopeAllowed', count: 1 },
        { name: 'protocolMappers', count: 2 },
      ],
    },
    { kind: 'users[].credentials[]', objects: 2, fields: [{ name: 'userLabel', count: 2 }] },
  ]);
});

test('sundown import --check prints the report of a directory export and writes nothing', async () => {
  let out = '';
  const code = await runImportCommand(
    {
      files: [join(EXPORTS, 'oauth2-proxy')],
      check: true,
      store: { kind: 'sqlite', dataDir: join(tmpdir(), 'never-created') },
      httpRelativePath: '',
      publicUrl: null,
      logLevel: 'silent',
    } as Parameters<typeof runImportCommand>[0],
    pino({ level: 'silent' }),
    (s) => (out += s),
  );
  assert.equal(code, 0);
  const lines = out.split('\n');
  assert.match(
    lines[0]!,
    /^Realm "oauth2-proxy" checked \(not written\) from oauth2-proxy-realm\.json \+ oauth2-proxy-users-0\.json \(exported by Keycloak 10\.0\.0\): 7 clients, 1 user\.$/,
  );
  // Once per kind of field: the seven clients' consentRequired is one word on one line.
  assert.equal(out.match(/consentRequired/g)?.length, 1);
  assert.ok(
    lines.slice(1).every((l) => l.length <= 100),
    'lists wrap to fit a terminal',
  );
});

for (const database of TEST_DATABASES) {
  describe(`directory exports on ${database.name}`, { skip: database.skip }, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let dir: string;
    before(async () => {
      const created = await database.create();
      store = await openStore(created.config);
      drop = created.drop;
      dir = mkdtempSync(join(tmpdir(), 'sundown-export-'));
    });
    after(async () => {
      await store.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('realm file and users file are one realm', async () => {
      const [imported] = await importRealmFiles(store.db, [join(EXPORTS, 'oauth2-proxy')]);
      assert.equal(imported!.result.realm, 'oauth2-proxy');
      assert.equal(imported!.result.users, 1);
      assert.equal(imported!.files.length, 2);
      const repo = new RealmRepository(store.db);
      const realm = await repo.realmByName('oauth2-proxy');
      assert.ok(await repo.userByUsername(realm!.id, 'admin@example.com'));
    });

    test('a users file alone adds its users and never resets the realm settings', async () => {
      writeFileSync(
        join(dir, 'shop-realm.json'),
        JSON.stringify({
          realm: 'shop',
          displayName: 'The Shop',
          accessTokenLifespan: 900,
          users: [{ username: 'a' }],
        }),
      );
      await importRealmFiles(store.db, [join(dir, 'shop-realm.json')]);
      const usersFile = join(dir, 'shop-users-0.json');
      writeFileSync(usersFile, JSON.stringify({ realm: 'shop', users: [{ username: 'b', email: 'b@example.com' }] }));
      const [imported] = await importRealmFiles(store.db, [usersFile]);
      assert.equal(imported!.result.usersOnly, true);
      assert.match(imported!.report, /^1 user of realm "shop" imported from shop-users-0\.json; the realm's settings/);
      const repo = new RealmRepository(store.db);
      const realm = (await repo.allRealms()).find((r) => r.name === 'shop')!;
      assert.equal(realm.displayName, 'The Shop');
      assert.equal(realm.accessTokenLifespan, 900);
      assert.ok(await repo.userByUsername(realm.id, 'a'), 'the users already there stay');
      assert.ok(await repo.userByUsername(realm.id, 'b'));
    });

    test('a users file of a realm that does not exist says which file to import first', async () => {
      const usersFile = join(dir, 'nowhere-users-0.json');
      writeFileSync(usersFile, JSON.stringify({ realm: 'nowhere', users: [{ username: 'x' }] }));
      await assert.rejects(importRealmFiles(store.db, [usersFile]), /import its nowhere-realm\.json first/);
    });

    test("built-in clients' relative redirect URIs resolve against this server at run time", async () => {
      await importRealmFiles(store.db, [join(EXPORTS, 'jhipster', 'jhipster-realm.json')]);
      const provider = await createProvider(store, { publicUrl: 'https://sso.test', background: false });
      try {
        const authorize = (redirectUri: string) =>
          provider.fetch(
            new Request(
              `https://sso.test/realms/jhipster/protocol/openid-connect/auth?${new URLSearchParams({
                client_id: 'account-console',
                redirect_uri: redirectUri,
                response_type: 'code',
                scope: 'openid',
                code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
                code_challenge_method: 'S256',
              })}`,
            ),
          );
        assert.equal((await authorize('https://sso.test/realms/jhipster/account/')).status, 200);
        assert.equal((await authorize('https://evil.example/realms/jhipster/account/')).status, 400);
      } finally {
        await provider.close();
      }
    });
  });
}
