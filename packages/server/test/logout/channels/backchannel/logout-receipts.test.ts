// Receipts (issue 24): a receiver that answers a logout token with @sundown/rp's receipt
// (`{"logged_out":true,"sessions_ended":n}`, a 200 body BCL §2.8 allows) has it recorded on the
// delivery and its event; any other body is ignored, as before. On every store.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { readReceipt } from '../../../../src/logout/channels/backchannel/receipt.ts';
import { TEST_DATABASES } from '../../../helpers/databases.ts';
import { startLogoutProvider } from '../../../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../../../helpers/oauth.ts';
import { OIDC, type TestProvider } from '../../../helpers/provider.ts';
import { type Answer, Receiver } from '../../../helpers/receiver.ts';

const FAST = {
  retry: { baseDelayMs: 50, maxDelayMs: 300, maxAgeMs: 60_000 },
  http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000 },
  waitMs: 2000,
};

test('readReceipt: only a 200 JSON object with logged_out true; a count only when it is a sane integer', () => {
  const json = 'application/json; charset=utf-8';
  const r = (status: number, body: string, contentType: string | null = json) =>
    readReceipt({ status, body, contentType });
  assert.equal(r(200, '{"logged_out":true,"sessions_ended":2}'), '{"sessionsEnded":2}');
  assert.equal(r(200, '{"logged_out":true}'), '{"sessionsEnded":null}');
  assert.equal(r(200, '{"logged_out":true,"sessions_ended":-1}'), '{"sessionsEnded":null}');
  assert.equal(r(200, '{"logged_out":true,"sessions_ended":"7"}'), '{"sessionsEnded":null}');
  assert.equal(r(200, '{"logged_out":true,"sessions_ended":1.5}'), '{"sessionsEnded":null}');
  assert.equal(r(200, '{"ok":true}'), null, 'another JSON body');
  assert.equal(r(200, '[true]'), null);
  assert.equal(r(200, 'not json'), null);
  assert.equal(r(200, '{"logged_out":true}', 'text/plain'), null, 'not JSON by its type');
  assert.equal(r(204, ''), null);
  assert.equal(r(201, '{"logged_out":true}'), null);
});

for (const database of TEST_DATABASES) {
  describe(`logout receipts on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r1: Receiver;
    let r2: Receiver;
    before(async () => {
      [r1, r2] = await Promise.all([Receiver.start(), Receiver.start()]);
      t = await startLogoutProvider(database, { rp1: r1.url, rp2: r2.url }, { logout: FAST });
    });
    after(async () => {
      await t?.close();
      await Promise.all([r1?.close(), r2?.close()]);
    });
    afterEach(() => {
      r1.answer = () => ({ status: 200 });
      r2.answer = () => ({ status: 200 });
    });

    async function logoutWith(a1: Answer, a2: Answer) {
      r1.answer = () => a1;
      r2.answer = () => a2;
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
          { authorization: basic('rp1', 'rp1-secret') },
        ),
      );
      const sid = decodeJwt(((await res.json()) as Record<string, string>).id_token!).payload.sid as string;
      const other = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
          { authorization: basic('rp2', 'rp2-secret') },
        ),
      );
      const sid2 = decodeJwt(((await other.json()) as Record<string, string>).id_token!).payload.sid as string;
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const ended = await t.provider.ctx.logout.endSessions(realm, [sid, sid2], 'admin_session');
      await t.provider.ctx.deliveries.waitForFirstAttempts(ended.deliveryIds, 5000);
      const rows = await t.store.db
        .selectFrom('logout_delivery')
        .innerJoin('client', 'client.id', 'logout_delivery.client_id')
        .select(['client.client_id as client', 'logout_delivery.status', 'logout_delivery.receipt'])
        .where('logout_id', '=', ended.logoutId)
        .execute();
      return { rows: new Map(rows.map((r) => [r.client, r])), logoutId: ended.logoutId! };
    }

    test("an @sundown/rp receipt is recorded on the delivery and in its event; another receiver's body is ignored", async () => {
      const { rows, logoutId } = await logoutWith(
        { status: 200, body: '{"logged_out":true,"sessions_ended":2}' },
        { status: 200, body: '{"whatever":1}' },
      );
      assert.equal(rows.get('rp1')!.status, 'delivered');
      assert.deepEqual(JSON.parse(rows.get('rp1')!.receipt!), { sessionsEnded: 2 });
      assert.equal(rows.get('rp2')!.status, 'delivered');
      assert.equal(rows.get('rp2')!.receipt, null);
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const events = await t.provider.ctx.events.list(realm.id, { type: 'BACKCHANNEL_LOGOUT_DELIVERED' });
      const mine = events
        .map((e) => JSON.parse(e.details!) as { logoutId?: string; receipt?: unknown })
        .filter((d) => d.logoutId === logoutId);
      assert.equal(mine.length, 2);
      assert.ok(mine.some((d) => JSON.stringify(d.receipt) === '{"sessionsEnded":2}'));
    });

    test('two deliveries of one round with different receipts each keep their own (the round writes them in groups)', async () => {
      const { rows } = await logoutWith(
        { status: 200, body: '{"logged_out":true,"sessions_ended":1}' },
        { status: 200, body: '{"logged_out":true}' },
      );
      assert.deepEqual(JSON.parse(rows.get('rp1')!.receipt!), { sessionsEnded: 1 });
      assert.deepEqual(JSON.parse(rows.get('rp2')!.receipt!), { sessionsEnded: null });
    });

    test('a receipt on a refusal or a retry is not a receipt', async () => {
      const { rows } = await logoutWith(
        { status: 400, body: '{"logged_out":true,"sessions_ended":1}' },
        { status: 503, body: '{"logged_out":true,"sessions_ended":1}' },
      );
      assert.equal(rows.get('rp1')!.status, 'rejected');
      assert.equal(rows.get('rp1')!.receipt, null);
      assert.equal(rows.get('rp2')!.status, 'retrying');
      assert.equal(rows.get('rp2')!.receipt, null);
    });
  });
}
