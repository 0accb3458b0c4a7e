// The delivery worker's rounds (logout/delivery/delivery-worker.ts): a claim takes per client
// only its free in-flight slots (nothing claimed is handed back), the rows a session end writes
// are sent without a claim query (inserted already leased), a session end that rolls back
// sends nothing, and a round records its successes together — with real receivers on
// loopback, on both stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '../../../src/crypto/random.ts';
import type { LogoutDeliveryTable } from '../../../src/store/schema.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { OIDC, type TestProvider } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

function row(realmId: string, clientId: string, at: number, sid = newId()): LogoutDeliveryTable {
  return {
    id: newId(),
    realm_id: realmId,
    client_id: clientId,
    sso_session_id: sid,
    user_id: 'user-of-' + sid,
    revoke_offline: 0,
    kind: 'backchannel',
    payload: null,
    status: 'pending',
    attempts: 0,
    created_at: at,
    next_attempt_at: at,
    locked_until: 0,
    last_attempt_at: null,
    last_status: null,
    last_error: null,
    finished_at: null,
    logout_id: null,
    receipt: null,
  };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const database of TEST_DATABASES) {
  describe(`delivery rounds on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r1: Receiver;
    let r2: Receiver;
    before(async () => {
      [r1, r2] = await Promise.all([Receiver.start(), Receiver.start()]);
      t = await startLogoutProvider(
        database,
        { rp1: r1.url, rp2: r2.url },
        { logout: { waitMs: 2000, http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000 } } },
      );
    });
    after(async () => {
      await t?.close();
      await Promise.all([r1?.close(), r2?.close()]);
    });

    const realm = async () => (await t.provider.ctx.realms.realmByName('test'))!;
    const clientRow = async (clientId: string) =>
      (await t.provider.ctx.realms.clientByClientId((await realm()).id, clientId))!;

    test('a claim takes at most each client its free slots and skips full clients', async () => {
      // Due only at a time the running worker never reaches, so only these claims see them.
      const later = Date.now() + 3_600_000;
      const rows = [
        ...Array.from({ length: 10 }, () => row('realm-x', 'client-a', later)),
        ...Array.from({ length: 10 }, () => row('realm-x', 'client-b', later)),
      ];
      await t.store.db.insertInto('logout_delivery').values(rows).execute();
      try {
        const store = t.provider.deliveryStore;
        // client-a has 1 free slot of 3, client-b (not in flight) all 3.
        const first = await store.claimDue(8, 60_000, [], later + 1, new Map([['client-a', 1]]), 3);
        assert.deepEqual(first.map((d) => d.client_id).sort(), ['client-a', 'client-b', 'client-b', 'client-b']);
        assert.ok(first.every((d) => d.attempts === 1 && d.locked_until === later + 1 + 60_000));
        // Full clients are skipped: nothing of client-a, even though 9 of its rows are due.
        const second = await store.claimDue(8, 60_000, ['client-a'], later + 1, new Map(), 3);
        assert.deepEqual(
          second.map((d) => d.client_id),
          ['client-b', 'client-b', 'client-b'],
        );
        assert.equal(new Set([...first, ...second].map((d) => d.id)).size, 7, 'no row claimed twice');
      } finally {
        await t.store.db.deleteFrom('logout_delivery').where('realm_id', '=', 'realm-x').execute();
      }
    });

    test('the deliveries of a session end are sent without a claim, and successes are recorded per round (one UPDATE for all answered since the last), never one by one', async () => {
      const store = t.provider.deliveryStore;
      const claimed = new Set<string>();
      const single: string[] = [];
      const batched: string[][] = [];
      const { claimDue, record, recordMany } = store;
      store.claimDue = async (...args) => {
        const rows = await claimDue.apply(store, args);
        for (const d of rows) claimed.add(d.id);
        return rows;
      };
      store.record = async (...args) => (single.push(args[0]), record.apply(store, args));
      store.recordMany = async (...args) => (batched.push(args[0].map((a) => a.id)), recordMany.apply(store, args));
      try {
        const sids: string[] = [];
        for (let i = 0; i < 3; i++) {
          for (const clientId of ['rp1', 'rp2']) {
            const res = await t.fetch(
              `${OIDC}/token`,
              form(
                { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
                { authorization: basic(clientId, `${clientId}-secret`) },
              ),
            );
            assert.equal(res.status, 200);
            sids.push(decodeJwt(((await res.json()) as { id_token: string }).id_token).payload.sid as string);
          }
        }
        const n1 = r1.received.length;
        const n2 = r2.received.length;
        const ended = await t.provider.ctx.logout.endSessions(await realm(), sids, 'admin_session');
        assert.equal(ended.deliveryIds.length, 6);
        await until(() => r1.received.length === n1 + 3 && r2.received.length === n2 + 3);
        const rows = await until(async () =>
          (
            await t.store.db
              .selectFrom('logout_delivery')
              .select('status')
              .where('id', 'in', ended.deliveryIds)
              .execute()
          ).every((d) => d.status === 'delivered'),
        ).then(() =>
          t.store.db.selectFrom('logout_delivery').selectAll().where('id', 'in', ended.deliveryIds).execute(),
        );
        assert.ok(rows.every((d) => d.attempts === 1 && d.locked_until === 0 && d.last_status === 200));
        assert.deepEqual(
          ended.deliveryIds.filter((id) => claimed.has(id)),
          [],
          'handed to the worker by the transaction that wrote them',
        );
        assert.deepEqual(
          single.filter((id) => ended.deliveryIds.includes(id)),
          [],
          'no success recorded on its own',
        );
        const recorded = batched.filter((ids) => ids.some((id) => ended.deliveryIds.includes(id)));
        assert.deepEqual(recorded.flat().sort(), [...ended.deliveryIds].sort(), 'each success recorded exactly once');
        const events = await t.store.db
          .selectFrom('event')
          .select('details')
          .where('type', '=', 'BACKCHANNEL_LOGOUT_DELIVERED')
          .execute();
        const withEvent = new Set(
          events.map((e) => (JSON.parse(e.details ?? '{}') as { deliveryId?: string }).deliveryId),
        );
        assert.ok(
          ended.deliveryIds.every((id) => withEvent.has(id)),
          'every success has its event',
        );
      } finally {
        // The spies were own properties; the class's methods show through again.
        delete (store as Partial<typeof store>).claimDue;
        delete (store as Partial<typeof store>).record;
        delete (store as Partial<typeof store>).recordMany;
      }
    });

    test('a reserved delivery whose transaction rolls back is never sent; a committed one is sent at once', async () => {
      const { id: realmId } = await realm();
      const rp1 = await clientRow('rp1');
      const n = r1.received.length;
      const gone = row(realmId, rp1.id, Date.now());
      t.provider.ctx.deliveries.reserve([gone]).rolledBack();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(r1.received.length, n, 'nothing sent for a row that was never written');

      const kept = row(realmId, rp1.id, Date.now());
      const reservation = t.provider.ctx.deliveries.reserve([kept]);
      assert.deepEqual(reservation.rest, [], 'a free slot: the worker takes it');
      assert.equal(kept.attempts, 1, 'written already claimed');
      await t.store.db.insertInto('logout_delivery').values(kept).execute();
      reservation.committed();
      await until(() => r1.received.length === n + 1);
      assert.equal(decodeJwt(r1.received[n]!.token).payload.sid, kept.sso_session_id);
      await until(
        async () =>
          (
            await t.store.db
              .selectFrom('logout_delivery')
              .select('status')
              .where('id', '=', kept.id)
              .executeTakeFirstOrThrow()
          ).status === 'delivered',
      );
    });
  });
}
