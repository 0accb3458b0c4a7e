// An outbox row of a kind this version has no sender for (written by a newer version, or by
// hand) is failed with a named cause, like any other failure, and never sent: it once fell back
// to the back-channel sender, which POSTed a logout token for it to the client's back-channel URL.
// On both stores, with a real receiver on loopback.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { insertDeliveries } from '../../../src/logout/delivery/delivery-store.ts';
import { outboxRow } from '../../../src/logout/delivery/outbox-row.ts';
import type { DeliveryKind } from '../../../src/store/schema.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import type { TestProvider } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

/** Waits until `cond` holds or `ms` have passed; the assertions after it say what went wrong. */
async function awhile(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

for (const database of TEST_DATABASES) {
  describe(`an outbox row of an unknown kind on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r1: Receiver;
    before(async () => {
      r1 = await Receiver.start();
      t = await startLogoutProvider(
        database,
        { rp1: r1.url, rp2: r1.url },
        { logout: { waitMs: 2000, http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000 } } },
      );
    });
    after(async () => {
      await t?.close();
      await r1?.close();
    });

    test('an outbox row of an unknown kind is failed with its cause, not retried, and nothing is sent to the back-channel URL', async () => {
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const rp1 = (await t.provider.ctx.realms.clientByClientId(realm.id, 'rp1'))!;
      // "constructor": a name every plain object answers to, so a lookup by key alone finds a "sender".
      const kinds = ['sms', 'constructor'];
      const rows = kinds.map((kind, i) =>
        outboxRow(
          {
            realmId: realm.id,
            clientId: rp1.id,
            ssoSessionId: `sid-${i}`,
            userId: 'alice-id',
            logoutId: null,
            now: Date.now(),
          },
          kind as DeliveryKind,
          null,
        ),
      );
      await insertDeliveries(rows, t.store.db);
      t.provider.ctx.deliveries.wake();

      const ids = rows.map((d) => d.id);
      await awhile(async () =>
        [...(await t.provider.deliveryStore.statuses(ids)).values()].every((s) => s !== 'pending'),
      );
      // Long enough for a retry of the retry policy's first delay, were there one.
      await new Promise((r) => setTimeout(r, 1500));
      const recorded = await t.store.db.selectFrom('logout_delivery').selectAll().where('id', 'in', ids).execute();
      for (const [i, kind] of kinds.entries()) {
        const d = recorded.find((x) => x.id === ids[i])!;
        assert.equal(d.status, 'failed', kind);
        assert.equal(d.last_error, `unknown delivery kind '${kind}'`);
        assert.equal(d.attempts, 1, 'one attempt, no retry');
        assert.equal(d.last_status, null);
        assert.ok(d.finished_at, 'finished');
      }
      assert.equal(r1.connections, 0, 'nothing sent to the back-channel URL');
      assert.equal(r1.received.length, 0);

      const events = await t.provider.ctx.events.list(realm.id, { type: 'BACKCHANNEL_LOGOUT_FAILED' });
      for (const kind of kinds) {
        const event = events.find((e) => (JSON.parse(e.details ?? '{}') as { kind?: string }).kind === kind);
        assert.equal(event?.error, `unknown delivery kind '${kind}'`, `event of ${kind}`);
      }
      assert.equal((await t.provider.ctx.events.list(realm.id, { type: 'BACKCHANNEL_LOGOUT_DELIVERED' })).length, 0);
    });
  });
}
