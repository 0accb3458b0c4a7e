// The signed-out page shows each application with its live state (issue 24): server-rendered, so
// it says what happened without scripts; a JSON status only the browser that signed out can read;
// the same states again after a receiver comes back; the redirect still taken. On every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson, RealmImportError } from '../../../src/realm-import/realm-json.ts';
import { Browser } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { type LogoutClients, logoutRealmJson, startLogoutProvider } from '../../helpers/logout-realm.ts';
import { logoutUrl, signInTo } from '../../helpers/logout-flow.ts';
import { OIDC, type TestProvider } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

const FAST = {
  retry: { baseDelayMs: 100, maxDelayMs: 200, maxAgeMs: 60_000 },
  http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000 },
  waitMs: 2000,
};

interface Status {
  logoutId: string;
  settled: boolean;
  done: boolean;
  outcome: string;
  apps: Array<{ clientId: string; name: string; state: string; label: string; why: string | null }>;
}

test('the realm attribute sundown.logout.page is "when-needed" or "always"', () => {
  assert.throws(
    () => parseRealmJson({ realm: 'x', attributes: { 'sundown.logout.page': 'sometimes' } }),
    (err: unknown) => err instanceof RealmImportError && /must be one of when-needed, always/.test(err.message),
  );
  parseRealmJson({ realm: 'x', attributes: { 'sundown.logout.page': 'always' } });
});

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const database of TEST_DATABASES) {
  describe(`the signed-out page's live status on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r1: Receiver;
    let r2: Receiver;
    let clients: LogoutClients;
    before(async () => {
      [r1, r2] = await Promise.all([Receiver.start(), Receiver.start()]);
      clients = {
        rp1: r1.url,
        rp2: r2.url,
        extraClients: [
          {
            clientId: 'named',
            name: 'The Named App',
            secret: 'named-secret',
            redirectUris: ['https://named.example/cb'],
            attributes: { 'backchannel.logout.url': r1.url, 'post.logout.redirect.uris': '+' },
          },
        ],
      };
      t = await startLogoutProvider(database, clients, { logout: FAST });
      r1.answer = () => ({ status: 200, body: '{"logged_out":true,"sessions_ended":1}' });
    });
    after(async () => {
      await t?.close();
      await Promise.all([r1?.close(), r2?.close()]);
    });

    const statusOf = async (browser: Browser, id: string) => {
      const res = await browser.get(`${OIDC}/logout/status?logout=${id}`);
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Status;
    };
    const logoutIdIn = (page: string) => /logout\/status\?logout=([0-9a-f-]{36})/.exec(page)![1]!;

    test('one receiver down: the page names every app with its state in words, a live outcome line, and reloads itself without scripts; the JSON status follows the receiver back to signed out', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      await signInTo(t, browser, 'rp2');
      await signInTo(t, browser, 'rp3');
      await signInTo(t, browser, 'named');
      await r2.stop();
      try {
        const res = await browser.get(logoutUrl({ id_token_hint: tokens.id_token! }));
        assert.equal(res.status, 200);
        const page = await res.text();
        // Server-rendered: each app by its display name, its state in words and a symbol.
        assert.match(
          page,
          /<li data-client="rp1" data-state="signed_out"><span class="icon" aria-hidden="true">✓<\/span><span class="name">rp1<\/span><span class="state">Signed out \(1 session ended\)<\/span><\/li>/,
        );
        assert.match(
          page,
          /<li data-client="named" data-state="signed_out">.*<span class="name">The Named App<\/span>/,
        );
        assert.match(
          page,
          /<li data-client="rp2" data-state="retrying">.*<span class="state">Not reached yet, trying again<\/span><span class="why">the application is not answering \(connection refused\)<\/span>/,
        );
        assert.match(page, /<li data-client="rp3" data-state="told_by_browser">/);
        assert.match(
          page,
          /<p class="outcome" id="logout-outcome" role="status" aria-live="polite">Signed out of 2 of 4 applications; 1 is still being retried; 1 was told through your browser, without confirming\.<\/p>/,
        );
        // Without scripts: a reload of the server-rendered status while a receiver is retried.
        const id = logoutIdIn(page);
        assert.match(
          page,
          new RegExp(
            `<noscript><meta http-equiv="refresh" content="15;url=[^"]*/logout/signed-out\\?logout=${id}"></noscript>`,
          ),
        );
        assert.match(res.headers.get('content-security-policy')!, /connect-src 'self'/);

        const first = await statusOf(browser, id);
        assert.equal(first.settled, true);
        assert.equal(first.done, false);
        assert.equal(first.apps.find((a) => a.clientId === 'rp2')!.state, 'retrying');

        // The status is this browser's alone.
        const stranger = new Browser(t.fetch);
        assert.equal((await stranger.get(`${OIDC}/logout/status?logout=${id}`)).status, 404);
        assert.equal((await stranger.get(`${OIDC}/logout/signed-out?logout=${id}`)).status, 404);
        assert.equal((await browser.get(`${OIDC}/logout/status?logout=not-a-logout`)).status, 404);
        assert.equal(
          (await browser.get(`${OIDC}/logout/status?logout=00000000-0000-4000-8000-000000000000`)).status,
          404,
        );
      } finally {
        await r2.listen();
      }
      const id = (
        await t.store.db.selectFrom('logout').select('id').orderBy('created_at', 'desc').executeTakeFirstOrThrow()
      ).id;
      await until(async () => (await statusOf(browser, id)).done);
      const done = await statusOf(browser, id);
      assert.equal(done.apps.find((a) => a.clientId === 'rp2')!.state, 'signed_out');
      assert.equal(
        done.outcome,
        'Signed out of 3 of 4 applications; 1 was told through your browser, without confirming.',
      );
      // The page without scripts shows the same states, and stops reloading once done.
      const again = await browser.get(`${OIDC}/logout/signed-out?logout=${id}`);
      assert.equal(again.status, 200);
      const html = await again.text();
      assert.match(html, /<li data-client="rp2" data-state="signed_out">/);
      assert.match(html, /<li data-client="rp3" data-state="told_by_browser">/);
      assert.doesNotMatch(html, /http-equiv="refresh"/);
    });

    test('everything confirmed and a post_logout_redirect_uri: straight on (302), as before; the browser can still read the outcome', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      await signInTo(t, browser, 'rp2');
      const res = await browser.get(
        logoutUrl({
          id_token_hint: tokens.id_token!,
          post_logout_redirect_uri: 'https://rp1.example/after',
          state: 's1',
        }),
      );
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), 'https://rp1.example/after?state=s1');
      const key = browser.cookie('SUNDOWN_LOGOUT_STATUS');
      assert.ok(key, 'the browser got its status key');
    });

    test('realm attribute sundown.logout.page=always: the page with every outcome even when all are confirmed, then on', async () => {
      const json = logoutRealmJson({ ...clients, realmAttributes: { 'sundown.logout.page': 'always' } });
      await importRealm(t.store.db, parseRealmJson(json));
      try {
        const browser = new Browser(t.fetch);
        const tokens = await signInTo(t, browser, 'rp1');
        const res = await browser.get(
          logoutUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp1.example/after' }),
        );
        assert.equal(res.status, 200);
        const page = await res.text();
        assert.match(page, /role="status" aria-live="polite">Signed out of 1 of 1 application\.<\/p>/);
        assert.match(page, /<a id="continue" href="https:\/\/rp1\.example\/after">Continue<\/a>/);
        // With a script it continues after the outcome could be read; without, a refresh does.
        assert.match(page, /<script nonce="[^"]+">/);
        assert.match(
          page,
          /<noscript><meta http-equiv="refresh" content="3;url=https:\/\/rp1\.example\/after"><\/noscript>/,
        );
      } finally {
        await importRealm(t.store.db, parseRealmJson(logoutRealmJson(clients)));
      }
    });

    test('an app not confirmed yet and a redirect: the page says so and offers the way on (a link; the script continues)', async () => {
      await r2.stop();
      try {
        const browser = new Browser(t.fetch);
        const tokens = await signInTo(t, browser, 'rp1');
        await signInTo(t, browser, 'rp2');
        const res = await browser.get(
          logoutUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp1.example/after' }),
        );
        assert.equal(res.status, 200);
        const page = await res.text();
        assert.match(page, /<a id="continue" href="https:\/\/rp1\.example\/after">Continue<\/a>/);
        assert.match(page, /data-client="rp2" data-state="retrying"/);
        // The no-script page keeps the way on, read from the logout.
        const again = await (await browser.get(`${OIDC}/logout/signed-out?logout=${logoutIdIn(page)}`)).text();
        assert.match(again, /<a id="continue" href="https:\/\/rp1\.example\/after">Continue<\/a>/);
      } finally {
        await r2.listen();
      }
    });
  });
}
