// Regression tests: live SSO sessions per user are capped (realm attribute
// `sundown.sessions.max.per.user`, default 20); signing in once more ends the oldest session
// through the normal logout path, so its clients get a logout token — on every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { DEFAULT_SESSIONS_PER_USER } from '../../src/realm/attributes.ts';
import { parseRealmJson, RealmImportError } from '../../src/realm-import/realm-json.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { logoutRealmJson, startLogoutProvider } from '../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../helpers/oauth.ts';
import { OIDC, type TestProvider } from '../helpers/provider.ts';
import { Receiver } from '../helpers/receiver.ts';

const LIMIT = 'sundown.sessions.max.per.user';

for (const database of TEST_DATABASES) {
  describe(`sessions per user on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r: Receiver;
    before(async () => {
      r = await Receiver.start();
      t = await startLogoutProvider(
        database,
        { rp1: r.url, rp2: r.url, realmAttributes: { [LIMIT]: '3' } },
        { logout: { waitMs: 0 } },
      );
    });
    after(async () => {
      await t?.close();
      await r?.close();
    });

    async function login(username: string): Promise<{ access: string; sid: string; sub: string }> {
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username, password: `${username}-pw`, scope: 'openid' },
          { authorization: basic('rp1', 'rp1-secret') },
        ),
      );
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as Record<string, string>;
      const claims = decodeJwt(body.id_token!).payload;
      return { access: body.access_token!, sid: claims.sid as string, sub: claims.sub as string };
    }
    const liveSessions = async (userId: string) =>
      (
        await t.store.db
          .selectFrom('sso_session')
          .select('id')
          .where('user_id', '=', userId)
          .where('ended_at', 'is', null)
          .execute()
      ).map((s) => s.id);

    test('signing in beyond the cap ends the oldest session with a logout token', async () => {
      const first = await login('alice');
      const rest = [await login('alice'), await login('alice')];
      assert.equal((await liveSessions(first.sub)).length, 3);
      const fourth = await login('alice');
      assert.deepEqual((await liveSessions(first.sub)).sort(), [...rest.map((s) => s.sid), fourth.sid].sort());
      const ended = await t.store.db
        .selectFrom('sso_session')
        .select('end_reason')
        .where('id', '=', first.sid)
        .executeTakeFirstOrThrow();
      assert.equal(ended.end_reason, 'session_limit');
      await r.waitFor(1);
      const tokens = r.tokens().map((tok) => decodeJwt(tok).payload);
      assert.deepEqual(
        tokens.map((p) => [p.aud, p.sid, p.sub]),
        [['rp1', first.sid, first.sub]],
      );
      assert.equal(
        (await t.fetch(`${OIDC}/userinfo`, { headers: { authorization: `Bearer ${first.access}` } })).status,
        401,
      );
      assert.equal(
        (await t.fetch(`${OIDC}/userinfo`, { headers: { authorization: `Bearer ${fourth.access}` } })).status,
        200,
      );
    });

    test(`without the attribute a user keeps at most ${DEFAULT_SESSIONS_PER_USER} live sessions`, async () => {
      await importRealm(t.store.db, parseRealmJson(logoutRealmJson({ rp1: r.url, rp2: r.url })), {
        logout: t.provider.ctx.logout,
      });
      let bob = await login('bob');
      for (let i = 0; i < DEFAULT_SESSIONS_PER_USER; i++) bob = await login('bob');
      assert.equal((await liveSessions(bob.sub)).length, DEFAULT_SESSIONS_PER_USER);
    });
  });
}

test('the sessions-per-user attribute is validated at import ("0" means no limit)', () => {
  for (const bad of ['-1', 'ten', '1.5', '', '100001']) {
    assert.throws(
      () => parseRealmJson({ realm: 'x', attributes: { [LIMIT]: bad } }),
      (err: unknown) => err instanceof RealmImportError && err.path === `$.attributes["${LIMIT}"]`,
      bad,
    );
  }
  for (const good of ['0', '1', '500']) parseRealmJson({ realm: 'x', attributes: { [LIMIT]: good } });
});
