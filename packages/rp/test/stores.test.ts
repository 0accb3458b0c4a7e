// One store suite, run against every LogoutStore implementation with a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isLoggedOut } from '../src/index.ts';
import { namespace, STORES } from './helpers/stores.ts';

const ISS = 'https://op.test/realms/r';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const factory of STORES) {
  describe(`${factory.name} store`, { skip: factory.skip }, () => {
    async function withStores(
      fn: (
        a: Awaited<ReturnType<typeof factory.open>>['store'],
        b: Awaited<ReturnType<typeof factory.open>>['store'],
      ) => Promise<void>,
    ) {
      const ns = namespace();
      // Two handles on one backend: two instances of the same app.
      const a = await factory.open(ns);
      const b = factory.name === 'memory' ? a : await factory.open(ns);
      try {
        await fn(a.store, b.store);
      } finally {
        await a.close();
        if (b !== a) await b.close();
        await factory.cleanup(ns);
      }
    }

    test('a jti is accepted once, per issuer, across instances', async () => {
      await withStores(async (a, b) => {
        assert.equal(await a.rememberJti(ISS, 'j1', 60), true);
        assert.equal(await b.rememberJti(ISS, 'j1', 60), false);
        assert.equal(await b.rememberJti('https://other', 'j1', 60), true);
      });
    });

    test('concurrent deliveries of one jti: exactly one wins', async () => {
      await withStores(async (a, b) => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).rememberJti(ISS, 'race', 60)),
        );
        assert.equal(results.filter(Boolean).length, 1);
      });
    });

    test('forgetJti: a jti whose token could not be applied is accepted again, on any instance', async () => {
      await withStores(async (a, b) => {
        assert.equal(await a.rememberJti(ISS, 'half-way', 60), true);
        await a.forgetJti!(ISS, 'half-way');
        assert.equal(await b.rememberJti(ISS, 'half-way', 60), true);
        assert.equal(await a.rememberJti(ISS, 'half-way', 60), false);
      });
    });

    test('publishLogout reaches subscribers on every instance', async () => {
      await withStores(async (a, b) => {
        const got: unknown[] = [];
        const unsubscribe = await b.subscribeLogouts!((m) => void got.push(m));
        try {
          await a.publishLogout!({ iss: ISS, sid: 'pub-1', at: 42 });
          for (let i = 0; i < 100 && got.length === 0; i++) await sleep(20);
          assert.deepEqual(got, [{ iss: ISS, sid: 'pub-1', at: 42 }]);
        } finally {
          await unsubscribe();
        }
      });
    });

    test('a remembered jti is forgotten after its TTL', async () => {
      await withStores(async (a) => {
        assert.equal(await a.rememberJti(ISS, 'short', 0.2), true);
        await sleep(350);
        assert.equal(await a.rememberJti(ISS, 'short', 60), true);
      });
    });

    test('a sid marker written by one instance logs that session out on the other', async () => {
      await withStores(async (a, b) => {
        const session = { iss: ISS, sid: 's1', sub: 'u1', createdAt: Date.now() - 1000 };
        assert.equal(await isLoggedOut(b, session), false);
        await a.markLoggedOut({ iss: ISS, sid: 's1', at: Date.now() }, 60);
        assert.equal(await isLoggedOut(b, session), true);
        assert.equal(await isLoggedOut(b, { ...session, sid: 's2' }), false);
        assert.equal(await isLoggedOut(b, { ...session, iss: 'https://other' }), false);
      });
    });

    test('a sub marker ends earlier sessions of the user; a later sign-in stays valid; the latest time wins', async () => {
      await withStores(async (a, b) => {
        const at = Date.now();
        await a.markLoggedOut({ iss: ISS, sub: 'u1', at }, 60);
        await a.markLoggedOut({ iss: ISS, sub: 'u1', at: at - 5000 }, 60);
        assert.equal(await isLoggedOut(b, { iss: ISS, sub: 'u1', sid: 'x', createdAt: at - 1000 }), true);
        assert.equal(await isLoggedOut(b, { iss: ISS, sub: 'u1', sid: 'y', createdAt: at + 1000 }), false);
        assert.deepEqual(await b.markersFor({ iss: ISS, sub: 'u1' }), { sub: at });
      });
    });

    test('markers expire after their TTL', async () => {
      await withStores(async (a) => {
        await a.markLoggedOut({ iss: ISS, sid: 'gone', at: Date.now() }, 0.2);
        await sleep(350);
        assert.deepEqual(await a.markersFor({ iss: ISS, sid: 'gone' }), {});
      });
    });

    test('the session index finds app sessions by sid, or all of a user by sub, once', async () => {
      await withStores(async (a, b) => {
        await a.indexSession({ iss: ISS, sid: 's1', sub: 'u1' }, 'app-1', 60);
        await a.indexSession({ iss: ISS, sid: 's2', sub: 'u1' }, 'app-2', 60);
        assert.deepEqual(await b.takeIndexedSessions({ iss: ISS, sid: 's1' }), ['app-1']);
        assert.deepEqual(await b.takeIndexedSessions({ iss: ISS, sid: 's1' }), []);
        assert.deepEqual((await b.takeIndexedSessions({ iss: ISS, sub: 'u1' })).sort(), ['app-1', 'app-2']);
      });
    });
  });
}
