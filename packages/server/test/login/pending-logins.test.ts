// Regression tests: unauthenticated GETs of the authorization endpoint cannot grow the
// auth_request table without bound — expired rows go, and a realm keeps only its newest
// sign-in forms (the oldest then answer "expired") — on every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, parseLoginForm } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl } from '../helpers/oauth.ts';
import { startTestProvider, type TestProvider } from '../helpers/provider.ts';

const MAX = 5;
const AUTH = authUrl({ client_id: 'web', redirect_uri: 'https://web.example/callback' });

for (const database of TEST_DATABASES) {
  describe(`pending sign-in forms on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database, { maxPendingLogins: MAX });
    });
    after(() => t?.close());
    const rows = () => t.store.db.selectFrom('auth_request').select('id').execute();

    test('auth_request rows stay bounded under unauthenticated GETs of the authorization endpoint', async () => {
      const forms: Array<{ browser: Browser; action: string; authRequest: string }> = [];
      for (let i = 0; i < 3 * MAX; i++) {
        const browser = new Browser(t.fetch);
        const page = await browser.get(AUTH);
        assert.equal(page.status, 200);
        forms.push({ browser, ...parseLoginForm(await page.text(), AUTH) });
      }
      const kept = (await rows()).map((r) => r.id).sort();
      assert.equal(kept.length, MAX);
      assert.deepEqual(
        kept,
        forms
          .slice(-MAX)
          .map((f) => f.authRequest)
          .sort(),
        'the newest forms are kept',
      );

      const oldest = forms[0]!;
      const stale = await oldest.browser.post(oldest.action, {
        auth_request: oldest.authRequest,
        username: 'alice',
        password: 'alice-pw',
      });
      assert.equal(stale.status, 400);
      assert.match(await stale.text(), /expired/);
      const newest = forms.at(-1)!;
      const fresh = await newest.browser.post(newest.action, {
        auth_request: newest.authRequest,
        username: 'alice',
        password: 'alice-pw',
      });
      assert.equal(fresh.status, 303);
    });

    test('an expired sign-in form is deleted by the next authorization request', async () => {
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const now = Date.now();
      await t.store.db
        .insertInto('auth_request')
        .values({
          id: 'expired-form',
          realm_id: realm.id,
          client_id: 'web',
          params: '{}',
          csrf_hash: 'x',
          created_at: now - 7_200_000,
          expires_at: now - 3_600_000,
        })
        .execute();
      assert.equal((await new Browser(t.fetch).get(AUTH)).status, 200);
      assert.equal(
        (await rows()).some((r) => r.id === 'expired-form'),
        false,
      );
    });
  });
}
