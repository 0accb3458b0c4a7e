// store/prepared.ts: a hot query compiled once runs with each call's own arguments, keeps the
// constants Kysely compiled (LIMIT), works inside a transaction, and refuses a build function
// that does not use every argument as a parameter (its SQL could differ between calls).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { openStore } from '../../src/store/database.ts';
import { prepareQuery } from '../../src/store/prepared.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { TEST_REALM_JSON } from '../helpers/provider.ts';

/** Plain objects (node:sqlite's rows have a null prototype). */
const rows = (r: { rows: object[] }) => r.rows.map((row) => ({ ...row }));

for (const database of TEST_DATABASES) {
  describe(`prepared queries on ${database.name}`, { skip: database.skip }, () => {
    test('each call binds its own arguments; constants stay; a transaction is used when given', async () => {
      const created = await database.create();
      const store = await openStore(created.config);
      try {
        await importRealm(store.db, parseRealmJson(TEST_REALM_JSON));
        const byName = prepareQuery(
          (db, realmId: string, clientId: string) =>
            db
              .selectFrom('client')
              .select(['client_id', 'enabled'])
              .where('realm_id', '=', realmId)
              .where('client_id', '=', clientId)
              .limit(1),
          2,
        );
        const setEnabled = prepareQuery(
          (db, id: string, enabled: 0 | 1) => db.updateTable('client').set({ enabled }).where('client_id', '=', id),
          2,
        );
        const realmId = (
          await store.db.selectFrom('realm').select('id').where('name', '=', 'test').executeTakeFirstOrThrow()
        ).id;
        assert.deepEqual(rows(await byName(store.db, realmId, 'web')), [{ client_id: 'web', enabled: 1 }]);
        assert.deepEqual(rows(await byName(store.db, realmId, 'service')), [{ client_id: 'service', enabled: 1 }]);
        assert.deepEqual(rows(await byName(store.db, realmId, 'nobody')), []);
        await assert.rejects(
          store.db.transaction().execute(async (tx) => {
            assert.equal(Number((await setEnabled(tx, 'web', 0)).numAffectedRows), 1);
            assert.deepEqual(rows(await byName(tx, realmId, 'web')), [{ client_id: 'web', enabled: 0 }]);
            throw new Error('roll back');
          }),
          /roll back/,
        );
        assert.deepEqual(
          rows(await byName(store.db, realmId, 'web')),
          [{ client_id: 'web', enabled: 1 }],
          'the update was rolled back with its transaction',
        );
      } finally {
        await store.close();
        await created.drop();
      }
    });
  });
}

test('a build function that leaves an argument out of the parameters is refused', async () => {
  const created = await TEST_DATABASES[0]!.create();
  const store = await openStore(created.config);
  try {
    const bad = prepareQuery<[string], { id: string }>(
      (db) => db.selectFrom('realm').select('id').where('name', '=', 'test'),
      1,
    );
    await assert.rejects(bad(store.db, 'x'), /uses 0 of its 1 arguments/);
  } finally {
    await store.close();
    await created.drop();
  }
});
