// Signing keys of processes sharing one store: one active key per realm and algorithm, enforced
// by the database; every process publishes every key in the store and verifies tokens signed
// with a key it has not cached yet; stores with duplicate active keys migrate cleanly.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type SigningAlg, SigningKeys, SUPPORTED_SIGNING_ALGS } from '../../src/crypto/signing-keys.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { openStore, type StoreConfig } from '../../src/store/database.ts';
import { migrateTo } from '../../src/store/migrations.ts';
import type { Database } from '../../src/store/schema.ts';
import { createNodeSqliteDialect } from '../../src/store/sqlite-dialect.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { TEST_REALM_JSON } from '../helpers/provider.ts';

async function sign(keys: SigningKeys, realmId: string, alg: SigningAlg): Promise<string> {
  const key = await keys.activeKey(realmId, alg);
  return new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.key);
}

/** Two stores on one database stand for two server processes. */
async function twoProcesses(config: StoreConfig) {
  const a = await openStore(config);
  const b = await openStore(config);
  const { realmId } = await importRealm(a.db, parseRealmJson(TEST_REALM_JSON));
  return { a, b, realmId, close: () => Promise.all([a.close(), b.close()]) };
}

for (const database of TEST_DATABASES) {
  test(
    `first-key race (${database.name}): two processes creating a realm's first key at once sign with the same one`,
    { skip: database.skip },
    async () => {
      for (let round = 0; round < 3; round++) {
        const created = await database.create();
        const p = await twoProcesses(created.config);
        try {
          const ka = new SigningKeys(p.a.db);
          const kb = new SigningKeys(p.b.db);
          for (const alg of SUPPORTED_SIGNING_ALGS) {
            const [fromA, fromB] = await Promise.all([ka.activeKey(p.realmId, alg), kb.activeKey(p.realmId, alg)]);
            assert.equal(fromA.kid, fromB.kid, `round ${round}: both processes sign ${alg} with one key`);
          }
          const rows = await p.a.db
            .selectFrom('signing_key')
            .select(['alg', 'status'])
            .where('realm_id', '=', p.realmId)
            .execute();
          assert.deepEqual(
            rows.map((r) => `${r.alg}:${r.status}`).sort(),
            SUPPORTED_SIGNING_ALGS.map((alg) => `${alg}:active`).sort(),
            'one key per algorithm, nothing else',
          );
        } finally {
          await p.close();
          await created.drop();
        }
      }
    },
  );

  test(
    `key rotated in another process (${database.name}): published and verified at once, not after the cache expires`,
    { skip: database.skip },
    async () => {
      const created = await database.create();
      const p = await twoProcesses(created.config);
      try {
        const ka = new SigningKeys(p.a.db);
        const kb = new SigningKeys(p.b.db);
        const before = (await kb.jwks(p.realmId)).keys.map((k) => k.kid);
        await sign(kb, p.realmId, 'RS256');
        const kid = await ka.rotate(p.realmId, 'RS256');
        const es256 = await sign(ka, p.realmId, 'ES256');
        const rs256 = await sign(ka, p.realmId, 'RS256');
        const published = (await kb.jwks(p.realmId)).keys.map((k) => k.kid);
        assert.ok(
          !before.includes(kid) && published.includes(kid),
          'the rotated-to key is published by the other process',
        );
        assert.deepEqual(new Set(published), new Set([...before, kid, (await ka.activeKey(p.realmId, 'ES256')).kid]));
        for (const token of [rs256, es256]) await jwtVerify(token, await kb.verificationKeys(p.realmId));
        assert.equal(
          (await kb.activeKey(p.realmId, 'RS256')).kid,
          kid,
          'the other process signs with the new key once it has seen it',
        );
      } finally {
        await p.close();
        await created.drop();
      }
    },
  );

  test(`retired key (${database.name}): no longer published nor accepted`, { skip: database.skip }, async () => {
    const created = await database.create();
    const p = await twoProcesses(created.config);
    try {
      const keys = new SigningKeys(p.a.db);
      const old = await sign(keys, p.realmId, 'RS256');
      const oldKid = (await keys.activeKey(p.realmId, 'RS256')).kid;
      await keys.rotate(p.realmId, 'RS256');
      await p.a.db.updateTable('signing_key').set({ status: 'retired' }).where('kid', '=', oldKid).execute();
      const fresh = new SigningKeys(p.b.db);
      assert.ok(!(await fresh.jwks(p.realmId)).keys.some((k) => k.kid === oldKid));
      await assert.rejects(jwtVerify(old, await fresh.verificationKeys(p.realmId)), {
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      });
    } finally {
      await p.close();
      await created.drop();
    }
  });

  test(
    `upgrade (${database.name}): a store holding two active keys of one algorithm migrates; the newest stays active, the other still verifies`,
    { skip: database.skip },
    async () => {
      const created = await database.create();
      const config = created.config;
      const db =
        config.kind === 'sqlite'
          ? new Kysely<Database>({ dialect: createNodeSqliteDialect(join(config.dataDir, 'sundown.db')) })
          : new Kysely<Database>({
              dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: config.url }) }),
            });
      let realmId: string;
      const tokens: string[] = [];
      const kids: string[] = [];
      try {
        // The schema of the release before this migration, with the duplicate the key race left.
        await migrateTo(db as Kysely<unknown>, config.kind, '0004_roles');
        // The realm row as that schema has it (today's import writes tables it lacks).
        realmId = 'realm-0004';
        await db
          .insertInto('realm')
          .values({
            id: realmId,
            name: 'test',
            display_name: null,
            enabled: 1,
            access_token_lifespan: 300,
            sso_session_idle_timeout: 1800,
            sso_session_max_lifespan: 36000,
            offline_session_idle_timeout: 2592000,
            attributes: '{}',
            created_at: Date.now(),
          })
          .execute();
        for (let i = 0; i < 2; i++) {
          const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
          const kid = `dup-${i}`;
          kids.push(kid);
          await db
            .insertInto('signing_key')
            .values({
              kid,
              realm_id: realmId,
              alg: 'RS256',
              status: 'active',
              private_jwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'RS256' }),
              public_jwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }),
              created_at: 1000 + i,
            })
            .execute();
          tokens.push(
            await new SignJWT({ sub: 'alice' })
              .setProtectedHeader({ alg: 'RS256', kid })
              .setExpirationTime('5m')
              .sign(privateKey),
          );
        }
      } finally {
        await db.destroy();
      }
      const store = await openStore(config);
      try {
        const rows = await store.db
          .selectFrom('signing_key')
          .select(['kid', 'status'])
          .where('realm_id', '=', realmId)
          .orderBy('kid')
          .execute();
        assert.deepEqual(
          rows.map((r) => `${r.kid}:${r.status}`),
          ['dup-0:passive', 'dup-1:active'],
        );
        const keys = new SigningKeys(store.db);
        assert.equal((await keys.activeKey(realmId, 'RS256')).kid, 'dup-1');
        assert.deepEqual((await keys.jwks(realmId)).keys.map((k) => k.kid).sort(), kids);
        for (const token of tokens) await jwtVerify(token, await keys.verificationKeys(realmId));
        await assert.rejects(
          store.db.updateTable('signing_key').set({ status: 'active' }).where('kid', '=', 'dup-0').execute(),
          'the database refuses a second active key',
        );
      } finally {
        await store.close();
        await created.drop();
      }
    },
  );
}

test('first key after an emptied cache: a view read before the key was inserted is not trusted (a 500 "No RS256 signing key" under connection faults)', async () => {
  const database = TEST_DATABASES[0]!;
  const created = await database.create();
  const store = await openStore(created.config);
  try {
    const { realmId } = await importRealm(store.db, parseRealmJson(TEST_REALM_JSON));
    // Holds the results of signing_key reads while `hold` is set: the query has run (so it saw
    // the store as it was), its answer arrives later — a slow read racing a key's insert.
    let hold: Promise<void> | null = null;
    const gated = store.db.withPlugin({
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        if (hold) await hold;
        return args.result;
      },
    });
    const keys = new SigningKeys(gated);
    const first = keys.activeKey(realmId, 'RS256'); // reads (nothing), then generates a key pair
    await new Promise((r) => setImmediate(r));
    // A failed read or invalidation empties the cache while the key is generated; another
    // request's read starts now, before the insert, and answers after it.
    keys.invalidate(realmId);
    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    const early = keys.verificationKeys(realmId);
    for (let i = 0; i < 500; i++) {
      const rows = await store.db.selectFrom('signing_key').select('kid').where('realm_id', '=', realmId).execute();
      if (rows.length > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    hold = null;
    release();
    await early;
    const key = await first;
    assert.equal(key.alg, 'RS256', 'the key that was just inserted');
  } finally {
    await store.close();
    await created.drop();
  }
});
