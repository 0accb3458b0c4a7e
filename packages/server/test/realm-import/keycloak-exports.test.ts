// Real realm exports committed by public projects (fixtures/keycloak-exports/README.md) import
// byte for byte, and their users sign in with the passwords those projects document — their
// Keycloak pbkdf2-sha256 hashes verified as imported, then replaced with argon2id; a required
// action keeps the password grant out ("Account is not fully set up", as Keycloak's direct
// grant answers) — on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createProvider, type Provider } from '../../src/provider.ts';
import { importRealmFiles } from '../../src/realm-import/import-realm.ts';
import { RealmRepository } from '../../src/realm/repository.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { decodeJwt, form } from '../helpers/oauth.ts';

const EXPORTS = new URL('../fixtures/keycloak-exports/', import.meta.url).pathname;
const BASE = 'https://sso.test';

interface Export {
  project: string;
  files: string[];
  realm: string;
  /** The users and passwords the project documents. */
  users: Array<{ username: string; password: string; signInAs?: string; pending?: string }>;
}

const EXPORT_CASES: Export[] = [
  {
    project: 'oauth2-proxy (directory export, Keycloak 10 → 25)',
    files: ['oauth2-proxy'],
    realm: 'oauth2-proxy',
    users: [{ username: 'admin@example.com', password: 'password' }],
  },
  {
    project: 'jhipster-sample-app-oauth2 (Keycloak 23.0.1)',
    files: ['jhipster/jhipster-realm.json'],
    realm: 'jhipster',
    users: [
      { username: 'admin', password: 'admin' },
      { username: 'user', password: 'user' },
      // loginWithEmailAllowed (the export's value, Keycloak's default): the email signs in too.
      { username: 'user', password: 'user', signInAs: 'user@localhost' },
    ],
  },
  {
    project: 'minder (Keycloak 22.0.3)',
    files: ['minder/stacklok-realm-with-user-and-client.json'],
    realm: 'stacklok',
    users: [{ username: 'root', password: 'root', pending: 'UPDATE_PASSWORD' }],
  },
];

for (const database of TEST_DATABASES) {
  describe(`real Keycloak exports on ${database.name}`, { skip: database.skip }, () => {
    let store: Store;
    let provider: Provider;
    let drop: () => Promise<void>;
    before(async () => {
      const created = await database.create();
      drop = created.drop;
      store = await openStore(created.config);
      provider = await createProvider(store, { publicUrl: BASE, background: false });
    });
    after(async () => {
      await provider.close();
      await store.close();
      await drop();
    });

    const grant = (realm: string, username: string, password: string) =>
      provider.fetch(
        new Request(
          `${BASE}/realms/${realm}/protocol/openid-connect/token`,
          form({ grant_type: 'password', client_id: 'admin-cli', username, password, scope: 'openid profile' }),
        ),
      );

    for (const ex of EXPORT_CASES) {
      describe(ex.project, () => {
        test('imports unedited', async () => {
          const [done] = await importRealmFiles(
            store.db,
            ex.files.map((f) => join(EXPORTS, f)),
          );
          assert.equal(done!.result.realm, ex.realm);
          assert.equal(
            done!.result.warnings.filter((w) => w.includes('password hash was not imported')).length,
            0,
            done!.report,
          );
        });

        for (const u of ex.users) {
          const name = u.signInAs ?? u.username;
          test(`${name} signs in with the documented password${u.pending ? `, then must ${u.pending}` : ''}`, async () => {
            const wrong = await grant(ex.realm, name, `${u.password}-wrong`);
            assert.equal(wrong.status, 400);
            assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_grant');
            const res = await grant(ex.realm, name, u.password);
            const body = (await res.json()) as Record<string, string>;
            if (u.pending) {
              // Keycloak's direct grant: the password was right, but a required action is pending.
              assert.equal(res.status, 400, JSON.stringify(body));
              assert.deepEqual(body, { error: 'invalid_grant', error_description: 'Account is not fully set up' });
              return;
            }
            assert.equal(res.status, 200, JSON.stringify(body));
            assert.equal(decodeJwt(body.id_token!).payload.preferred_username, u.username);
          });
        }
      });
    }

    test('a Keycloak hash is replaced with argon2id at sign-in, and importing the file again keeps it', async () => {
      const repo = new RealmRepository(store.db);
      const realm = await repo.realmByName('jhipster');
      const after = await repo.userByUsername(realm!.id, 'admin');
      assert.match(after!.passwordHash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      await importRealmFiles(store.db, [join(EXPORTS, 'jhipster/jhipster-realm.json')]);
      assert.equal((await repo.userByUsername(realm!.id, 'admin'))!.passwordHash, after!.passwordHash);
      assert.equal((await grant('jhipster', 'admin', 'admin')).status, 200);
    });
  });
}
