// Logout events are persisted and queryable (by type, client, user, session, time), and
// logout tokens are signed with the current key right after a rotation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import { logoutUrl } from '../../helpers/logout-flow.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { OIDC } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

for (const database of TEST_DATABASES) {
  test(
    `events on ${database.name}: LOGOUT and delivery outcomes with realm, client, user, session, attempt`,
    { skip: database.skip },
    async () => {
      const r = await Receiver.start();
      const t = await startLogoutProvider(database, { rp1: r.url, rp2: r.url });
      try {
        const started = Date.now();
        const res = await t.fetch(
          `${OIDC}/token`,
          form(
            { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
            { authorization: basic('rp1', 'rp1-secret') },
          ),
        );
        const tokens = (await res.json()) as Record<string, string>;
        const sid = decodeJwt(tokens.id_token!).payload.sid as string;
        const realm = (await t.provider.ctx.realms.realmByName('test'))!;
        const key = await t.provider.ctx.keys.activeKey(realm.id, 'RS256');
        const rotated = await t.provider.ctx.keys.rotate(realm.id, 'RS256');
        assert.notEqual(rotated, key.kid);
        await t.fetch(logoutUrl({ id_token_hint: tokens.id_token! }));
        await r.waitFor(1);
        assert.equal(decodeProtectedHeader(r.received[0]!.token).kid, rotated, 'logout token signed with the new key');

        const events = t.provider.ctx.events;
        const [logout] = await events.list(realm.id, { type: 'LOGOUT', sessionId: sid });
        assert.equal(logout!.client_id, 'rp1');
        assert.equal(logout!.user_id, decodeJwt(tokens.id_token!).payload.sub);
        for (
          let i = 0;
          i < 50 && (await events.list(realm.id, { type: 'BACKCHANNEL_LOGOUT_DELIVERED' })).length === 0;
          i++
        )
          await new Promise((x) => setTimeout(x, 50));
        const [delivered] = await events.list(realm.id, {
          type: 'BACKCHANNEL_LOGOUT_DELIVERED',
          clientId: 'rp1',
          from: started,
          to: Date.now(),
        });
        assert.equal(delivered!.session_id, sid);
        assert.equal(JSON.parse(delivered!.details!).attempt, 1);
        assert.equal(
          (await events.list(realm.id, { types: ['LOGOUT', 'BACKCHANNEL_LOGOUT_DELIVERED'], from: started })).length,
          2,
        );
        assert.equal((await events.list(realm.id, { type: 'LOGOUT', to: started - 1 })).length, 0);
        assert.equal(
          (await events.list(realm.id, { types: ['LOGOUT', 'BACKCHANNEL_LOGOUT_DELIVERED'], first: 1, max: 1 })).length,
          1,
        );
      } finally {
        await t.close();
        await r.close();
      }
    },
  );
}
