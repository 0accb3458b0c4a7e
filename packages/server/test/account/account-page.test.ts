// The account page (issue 24): the signed-in user's sessions, "sign out of this session", "sign
// out everywhere else" (CSRF-protected, trigger `account`, every client told), and their recent
// logouts with each application's outcome for their own sessions only. On every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { describeUserAgent } from '../../src/account/user-agent.ts';
import { Browser } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { startLogoutProvider } from '../helpers/logout-realm.ts';
import { logoutUrl, signInTo } from '../helpers/logout-flow.ts';
import { decodeJwt } from '../helpers/oauth.ts';
import { ISSUER, type TestProvider } from '../helpers/provider.ts';
import { Receiver } from '../helpers/receiver.ts';

const ACCOUNT = `${ISSUER}/account/`;
const FAST = {
  retry: { baseDelayMs: 50, maxDelayMs: 300, maxAgeMs: 60_000 },
  http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000 },
  waitMs: 2000,
};

test('a User-Agent in words', () => {
  assert.equal(
    describeUserAgent(
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
    ),
    'Chrome on Linux',
  );
  assert.equal(
    describeUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0'),
    'Firefox on macOS',
  );
  assert.equal(
    describeUserAgent(
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    ),
    'Safari on iOS',
  );
  assert.equal(describeUserAgent(null), 'an unknown browser');
  assert.equal(describeUserAgent('something'), 'a browser');
});

for (const database of TEST_DATABASES) {
  describe(`the account page on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r1: Receiver;
    let r2: Receiver;
    before(async () => {
      [r1, r2] = await Promise.all([Receiver.start(), Receiver.start()]);
      r2.answer = () => ({ status: 200, body: '{"logged_out":true,"sessions_ended":1}' });
      t = await startLogoutProvider(database, { rp1: r1.url, rp2: r2.url }, { logout: FAST });
    });
    after(async () => {
      await t?.close();
      await Promise.all([r1?.close(), r2?.close()]);
    });

    const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const sidOf = (tokens: Record<string, string>) => decodeJwt(tokens.id_token!).payload.sid as string;
    const endReason = async (sid: string) =>
      (await t.store.db.selectFrom('sso_session').select('end_reason').where('id', '=', sid).executeTakeFirstOrThrow())
        .end_reason;

    test('without a session: the page says so', async () => {
      const res = await new Browser(t.fetch).get(ACCOUNT);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /You are not signed in to Test Realm in this browser/);
    });

    test('the sessions with their apps; "sign out everywhere else" ends the others (every client told) and shows the outcome; "sign out of this session" ends this one', async () => {
      const here = new Browser(t.fetch);
      const there = new Browser(t.fetch);
      const mine = sidOf(await signInTo(t, here, 'rp1', 'bob', 'bob-pw'));
      const theirs = sidOf(await signInTo(t, there, 'rp2', 'bob', 'bob-pw'));

      const page = await (await here.get(ACCOUNT)).text();
      assert.match(page, /Signed in to Test Realm as <strong>bob<\/strong>/);
      assert.match(
        page,
        new RegExp(`<li data-session="${mine}" data-current="1"><span class="name">[^<]* — this browser</span>`),
      );
      assert.match(page, new RegExp(`<li data-session="${theirs}">[\\s\\S]*?Signed in to rp2</span>`));
      assert.match(page, /Sign out everywhere else \(1 other session\)/);

      // A form from elsewhere (no token, or another browser's) is refused; nothing ends.
      assert.equal((await here.post(ACCOUNT, { action: 'others' })).status, 400);
      const otherCsrf = csrfOf(await (await there.get(ACCOUNT)).text());
      assert.equal((await here.post(ACCOUNT, { action: 'others', csrf: otherCsrf })).status, 400);
      assert.equal(await endReason(theirs), null);

      const received = r2.received.length;
      const res = await here.post(ACCOUNT, { action: 'others', csrf: csrfOf(page) });
      assert.equal(res.status, 303);
      assert.equal(await endReason(theirs), 'account');
      assert.equal(await endReason(mine), null, 'this browser stays signed in');
      await r2.waitFor(received + 1);
      assert.equal(decodeJwt(r2.received.at(-1)!.token).payload.sid, theirs);

      const after = await (await here.get(ACCOUNT)).text();
      assert.match(after, /No other session is signed in\./);
      assert.match(
        after,
        /<h3>You signed out on this page<\/h3>[\s\S]*?<li data-client="rp2" data-state="signed_out">[\s\S]*?Signed out \(1 session ended\)/,
      );

      const out = await here.post(ACCOUNT, { action: 'this', csrf: csrfOf(after) });
      assert.equal(out.status, 200);
      assert.match(
        await out.text(),
        /<h1>You are signed out<\/h1>[\s\S]*<li data-client="rp1" data-state="signed_out">/,
      );
      assert.equal(await endReason(mine), 'account');
      assert.match(await (await here.get(ACCOUNT)).text(), /You are not signed in/);
    });

    test("recent sign-outs show each app's outcome for the user's own sessions only", async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1', 'alice', 'alice-pw');
      await signInTo(t, browser, 'rp2', 'alice', 'alice-pw');
      // Someone else's session in the same logout (an admin's logout of both) must not show.
      const carolLike = new Browser(t.fetch);
      const bobSid = sidOf(await signInTo(t, carolLike, 'rp2', 'bob', 'bob-pw'));
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      await t.provider.ctx.logout.endSessions(realm, [sidOf(tokens), bobSid], 'admin_session');
      await browser.get(logoutUrl({ id_token_hint: tokens.id_token! }));
      const again = new Browser(t.fetch);
      await signInTo(t, again, 'rp1', 'alice', 'alice-pw');
      const page = await (await again.get(ACCOUNT)).text();
      const section = /<section data-logout="[^"]+"><h3>An administrator signed you out<\/h3>[\s\S]*?<\/section>/.exec(
        page,
      )![0];
      assert.match(section, /Signed out of 2 of 2 applications\./);
      assert.match(section, /data-client="rp1" data-state="signed_out"/);
      assert.match(section, /data-client="rp2" data-state="signed_out"/);
      assert.equal((section.match(/data-client="rp2"/g) ?? []).length, 1, "bob's rp2 session is not alice's");
    });
  });
}
