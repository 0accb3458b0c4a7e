// Regression: stopping the delivery worker while several deliveries are in flight used to
// hang forever — the first one to finish forgot the stop waiter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { OIDC } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

test('close() waits for every in-flight delivery and then returns', async () => {
  const fast = await Receiver.start();
  const slow = await Receiver.start();
  slow.answer = () => 'hang';
  const t = await startLogoutProvider(
    TEST_DATABASES[0]!,
    { rp1: fast.url, rp2: slow.url },
    { logout: { waitMs: 0, http: { connectTimeoutMs: 500, responseTimeoutMs: 800 } } },
  );
  const realm = (await t.provider.ctx.realms.realmByName('test'))!;
  const sids: string[] = [];
  for (const client of ['rp1', 'rp2', 'rp2']) {
    const res = await t.fetch(
      `${OIDC}/token`,
      form(
        { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
        { authorization: basic(client, `${client}-secret`) },
      ),
    );
    sids.push(decodeJwt(((await res.json()) as Record<string, string>).id_token!).payload.sid as string);
  }
  await t.provider.ctx.logout.endSessions(realm, sids, 'admin_all');
  await slow.waitFor(2);
  const started = Date.now();
  await t.close();
  assert.ok(Date.now() - started < 3000, 'close returned once the hanging attempts timed out');
  await fast.close();
  await slow.close();
});
