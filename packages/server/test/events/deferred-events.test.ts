// Client-credentials grants record CLIENT_LOGIN through the event log's deferred batch
// (events/event-log.ts): the events are an audit log, so none may be lost on a clean shutdown,
// and the admin event list shows every one of them at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProvider } from '../../src/provider.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { openStore } from '../../src/store/database.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { basic, form } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, TEST_REALM_JSON } from '../helpers/provider.ts';

const GRANTS = 40;

for (const database of TEST_DATABASES) {
  describe(`deferred events on ${database.name}`, { skip: database.skip }, () => {
    test('every CLIENT_LOGIN of concurrent grants is listed at once, and stored after a clean shutdown right after them', async () => {
      const created = await database.create();
      try {
        let store = await openStore(created.config);
        await importRealm(store.db, parseRealmJson(TEST_REALM_JSON));
        let provider = await createProvider(store, { publicUrl: ISSUER_BASE });
        const grant = () =>
          provider.fetch(
            new Request(
              `${OIDC}/token`,
              form({ grant_type: 'client_credentials' }, { authorization: basic('service', 'service-secret') }),
            ),
          );
        // One grant first creates the realm's signing key (concurrent first grants would each generate one).
        assert.equal((await grant()).status, 200);
        const statuses = await Promise.all(Array.from({ length: GRANTS }, async () => (await grant()).status));
        assert.deepEqual(statuses, Array(GRANTS).fill(200));
        const realm = (await provider.ctx.realms.realmByName('test'))!;
        assert.equal(
          (await provider.ctx.events.list(realm.id, { type: 'CLIENT_LOGIN', max: 1000 })).length,
          GRANTS + 1,
          'the list writes the queue first',
        );

        // A second round, then shutdown at once: close() writes what the batch still holds.
        await Promise.all(Array.from({ length: GRANTS }, () => grant()));
        await provider.close();
        await store.close();
        store = await openStore(created.config);
        provider = await createProvider(store, { publicUrl: ISSUER_BASE, background: false });
        const rows = await provider.ctx.events.list(realm.id, { type: 'CLIENT_LOGIN', max: 1000 });
        assert.equal(rows.length, 2 * GRANTS + 1);
        assert.ok(rows.every((r) => r.client_id === 'service' && r.realm_id === realm.id));
        await provider.close();
        await store.close();
      } finally {
        await created.drop();
      }
    });
  });
}
