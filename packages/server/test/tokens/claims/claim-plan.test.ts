// A client's claim plan is compiled once per realm configuration version, not per token: the
// realm's access model is cached until any access table changes (from this process or another),
// and the plan is memoized on it. The mapper types the import warns about are exactly the ones
// the engine lacks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AccessModelCache } from '../../../src/access/access-model-cache.ts';
import { accessStoresOver } from '../../../src/access/access-stores.ts';
import { SUPPORTED_OIDC_MAPPERS } from '../../../src/access/supported-mappers.ts';
import { newId } from '../../../src/crypto/random.ts';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { RealmRepository } from '../../../src/realm/repository.ts';
import { openStore } from '../../../src/store/database.ts';
import { claimPlan } from '../../../src/tokens/claims/claim-plan.ts';
import { OIDC_MAPPER_KINDS } from '../../../src/tokens/claims/mappers/index.ts';
import { requestScopes } from '../../../src/tokens/scopes.ts';
import { ACCESS_REALM_JSON } from '../../helpers/access-realm.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';

test('the supported OpenID Connect mapper types are the ones the claims engine implements', () => {
  assert.deepEqual([...OIDC_MAPPER_KINDS.keys()].sort(), [...SUPPORTED_OIDC_MAPPERS].sort());
});

for (const database of TEST_DATABASES) {
  describe(`claim plans on ${database.name}`, { skip: database.skip }, () => {
    test('compiled once per configuration version; a role written by another store instance is seen next time', async () => {
      const created = await database.create();
      const store = await openStore(created.config);
      try {
        const { realmId } = await importRealm(store.db, parseRealmJson(ACCESS_REALM_JSON));
        const realms = new RealmRepository(store.db);
        const stores = accessStoresOver(store.db);
        const cache = new AccessModelCache(realms, stores);
        const app = (await realms.clientByClientId(realmId, 'app'))!;
        const model = await cache.of(realmId);
        const request = requestScopes(model, app, ['openid']);
        const plan = claimPlan(model, app, request);
        assert.equal(await cache.of(realmId), model, 'the same model while nothing changed');
        assert.equal(claimPlan(await cache.of(realmId), app, requestScopes(model, app, ['openid'])), plan);
        assert.notEqual(claimPlan(model, app, requestScopes(model, app, ['openid', 'phone'])), plan);
        // 6 own mappers (one unsupported) + the default scopes' mappers, role mappers last.
        assert.equal(plan.mappers.at(-1)!.kind.priority, 40);
        assert.equal(plan.mappers[0]!.kind.type, 'oidc-sub-mapper');

        // Another writer (a second process, an admin call): the version moves, the model is rebuilt.
        await accessStoresOver(store.db).roles.insert(newId(), realmId, null, {
          name: 'late',
          description: null,
          attributes: '{}',
        });
        const next = await cache.of(realmId);
        assert.notEqual(next, model);
        assert.ok(next.realmRole('late'));
        assert.notEqual(claimPlan(next, app, requestScopes(next, app, ['openid'])), plan);
      } finally {
        await store.close();
        await created.drop();
      }
    });
  });
}
