// Rules that live below the endpoints: per-IP login throttling, event retention, cleanup of
// expired housekeeping rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TooManyRequests } from '../../src/errors.ts';
import { LoginThrottle } from '../../src/login/throttle.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { startTestProvider } from '../helpers/provider.ts';

for (const database of TEST_DATABASES) {
  test(
    `one address failing for many usernames locks out only those (address, username) pairs, on ${database.name}`,
    { skip: database.skip },
    async () => {
      const t = await startTestProvider(database);
      try {
        const throttle = new LoginThrottle(t.store.db, t.store.dialect, {
          userFailures: 2,
          userFailuresAnyAddress: 100,
        });
        const realm = (await t.provider.ctx.realms.realmByName('test'))!;
        const attempt = async (user: string, ip: string) =>
          (await throttle.reserve(realm.id, user, ip)).finish('failure');
        for (const user of ['a', 'b', 'c']) for (let i = 0; i < 2; i++) await attempt(user, '203.0.113.7');
        await assert.rejects(throttle.reserve(realm.id, 'a', '203.0.113.7'), TooManyRequests);
        await assert.rejects(
          throttle.reserve(realm.id, 'A', '203.0.113.7'),
          TooManyRequests,
          'usernames are case-insensitive',
        );
        await (await throttle.reserve(realm.id, 'someone-else', '203.0.113.7')).finish('success');
        await (await throttle.reserve(realm.id, 'a', '198.51.100.1')).finish('success');
        // IPv6 addresses count per /64: another address of the same subscriber is the same client.
        for (let i = 0; i < 2; i++) await attempt('d', '2001:db8:1:2::1');
        await assert.rejects(throttle.reserve(realm.id, 'd', '2001:db8:1:2::ffff'), TooManyRequests);
        await (await throttle.reserve(realm.id, 'd', '2001:db8:1:3::1')).finish('success');
      } finally {
        await t.close();
      }
    },
  );
}

test('the sweeper deletes events past their retention and expired housekeeping rows', async () => {
  const t = await startTestProvider(TEST_DATABASES[0]!, { logout: { eventsRetentionDays: 7 } });
  try {
    const realm = (await t.provider.ctx.realms.realmByName('test'))!;
    const now = Date.now();
    await t.provider.ctx.events.record({ realmId: realm.id, type: 'LOGIN' });
    await t.store.db
      .insertInto('event')
      .values({
        realm_id: realm.id,
        type: 'LOGIN',
        time: now - 8 * 86_400_000,
        client_id: null,
        user_id: null,
        session_id: null,
        ip_address: null,
        error: null,
        details: null,
      })
      .execute();
    await t.store.db
      .insertInto('auth_request')
      .values({
        id: 'old',
        realm_id: realm.id,
        client_id: 'web',
        params: '{}',
        csrf_hash: 'x',
        created_at: now - 7_200_000,
        expires_at: now - 3_600_000,
      })
      .execute();
    await t.provider.sweeper.sweepOnce(now);
    const events = await t.store.db.selectFrom('event').select('time').execute();
    assert.equal(events.length, 1, 'only the recent event stays');
    assert.equal((await t.store.db.selectFrom('auth_request').select('id').execute()).length, 0);
  } finally {
    await t.close();
  }
});

for (const database of TEST_DATABASES) {
  test(
    `login-failure-cleanup: the sweeper deletes login_failure rows past their window, on ${database.name}`,
    { skip: database.skip },
    async () => {
      const t = await startTestProvider(database);
      try {
        const realm = (await t.provider.ctx.realms.realmByName('test'))!;
        const now = Date.now();
        const window = t.provider.ctx.throttle.policy.windowMs;
        const row = (subject: string, lastFailureAt: number, lockedUntil: number, inFlightUntil: number) => ({
          realm_id: realm.id,
          subject,
          failures: 3,
          last_failure_at: lastFailureAt,
          locked_until: lockedUntil,
          in_flight: 1,
          in_flight_until: inFlightUntil,
        });
        await t.store.db
          .insertInto('login_failure')
          .values([
            row('user:forgotten', now - window - 1, now - window + 30_000, now - window + 30_000),
            row('user:recent', now - 1000, 0, 0),
            row('ip-user:203.0.113.7 still-locked', now - window - 1, now + 60_000, 0),
            row('ip:203.0.113.8', 0, 0, now + 10_000),
          ])
          .execute();
        await t.provider.sweeper.sweepOnce(now);
        const left = await t.store.db
          .selectFrom('login_failure')
          .select('subject')
          .where('realm_id', '=', realm.id)
          .orderBy('subject')
          .execute();
        assert.deepEqual(
          left.map((r) => r.subject),
          ['ip-user:203.0.113.7 still-locked', 'ip:203.0.113.8', 'user:recent'],
        );
      } finally {
        await t.close();
      }
    },
  );
}
