// The pre-2022 Keycloak logout parameter `redirect_uri` (standards §2), as old app code sends it
// (the Django view of Keycloak's guides: `…/logout?redirect_uri=…`, nothing else). With the
// realm's opt-in: a registered redirect URI of any client, a CSRF-protected confirmation, every
// RP told, then the redirect. Without it: the 400 page, which also says the SSO session is alive
// and offers to end it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import { logoutUrl, signInTo } from '../../helpers/logout-flow.ts';
import { authUrl, decodeJwt } from '../../helpers/oauth.ts';
import { OIDC, type TestProvider } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

const LEGACY_APP = {
  clientId: 'legacy-app',
  secret: 'legacy-app-secret',
  redirectUris: ['https://legacy.example/app/*'],
};

/** The confirmation form on a page: its action and hidden request id. */
function form(html: string): { action: string; id: string } {
  return {
    id: /name="logout_request" value="([^"]+)"/.exec(html)![1]!,
    action: new URL(/action="([^"]+)"/.exec(html)![1]!, OIDC).toString(),
  };
}

for (const database of TEST_DATABASES) {
  describe(`legacy logout redirect_uri on ${database.name}`, { skip: database.skip }, () => {
    let optIn: TestProvider;
    let plain: TestProvider;
    let r1: Receiver;
    let r2: Receiver;
    before(async () => {
      [r1, r2] = await Promise.all([Receiver.start(), Receiver.start()]);
      optIn = await startLogoutProvider(database, {
        rp1: r1.url,
        rp2: r2.url,
        realmAttributes: { legacyLogoutRedirectUri: 'true' },
        extraClients: [LEGACY_APP],
      });
      plain = await startLogoutProvider(database, { rp1: r1.url, rp2: r2.url, extraClients: [LEGACY_APP] });
    });
    after(async () => {
      await optIn?.close();
      await plain?.close();
      await Promise.all([r1?.close(), r2?.close()]);
    });

    const prompted = async (browser: Browser) => {
      const res = await browser.get(
        authUrl({ client_id: 'rp1', redirect_uri: 'https://rp1.example/cb', prompt: 'none' }),
      );
      return new URL(res.headers.get('location')!).searchParams.get('error');
    };
    const liveSessions = async (t: TestProvider, sid: string) => {
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      return (await t.provider.ctx.sessions.findLive(realm, sid)) !== undefined;
    };

    test("opt-in: redirect_uri alone matching any client's redirect URI → confirmation, every RP told, then the redirect", async () => {
      const browser = new Browser(optIn.fetch);
      const tokens = await signInTo(optIn, browser, 'rp1');
      await signInTo(optIn, browser, 'rp2');
      const sid = decodeJwt(tokens.id_token!).payload.sid as string;
      const n1 = r1.received.length;
      const n2 = r2.received.length;

      // The URI is a redirect URI of legacy-app (a wildcard registration), which the session never used.
      const page = await browser.get(logoutUrl({ redirect_uri: 'https://legacy.example/app/logged-out' }));
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('location'), null, 'nothing redirects before the click');
      const html = await page.text();
      assert.match(html, /Sign out\?/);
      assert.ok(await liveSessions(optIn, sid), 'nothing ended before the click');

      const { action, id } = form(html);
      const done = await browser.post(action, { logout_request: id });
      assert.equal(done.status, 302);
      assert.equal(done.headers.get('location'), 'https://legacy.example/app/logged-out');
      // Both RPs had their logout token before the redirect.
      assert.equal(r1.received.length, n1 + 1);
      assert.equal(r2.received.length, n2 + 1);
      for (const r of [r1, r2]) assert.equal(decodeJwt(r.received.at(-1)!.token).payload.sid, sid);
      assert.equal(await liveSessions(optIn, sid), false);
      assert.equal(browser.cookie('SUNDOWN_SESSION'), undefined);
      assert.equal(await prompted(browser), 'login_required');
    });

    test("opt-in: the confirmation is CSRF-protected — another browser's POST is refused and nothing ends or redirects", async () => {
      const browser = new Browser(optIn.fetch);
      const tokens = await signInTo(optIn, browser, 'rp1');
      const sid = decodeJwt(tokens.id_token!).payload.sid as string;
      const { action, id } = form(
        await (await browser.get(logoutUrl({ redirect_uri: 'https://rp2.example/cb' }))).text(),
      );
      for (const attempt of [
        new Browser(optIn.fetch).post(action, { logout_request: id }),
        browser.post(action, { logout_request: 'forged' }),
      ]) {
        const res = await attempt;
        assert.equal(res.status, 400);
        assert.equal(res.headers.get('location'), null);
      }
      assert.ok(await liveSessions(optIn, sid));
      assert.equal(await prompted(browser), null, 'still signed in');
      // The real form still works once, and only once.
      assert.equal(
        (await browser.post(action, { logout_request: id })).headers.get('location'),
        'https://rp2.example/cb',
      );
      assert.equal((await browser.post(action, { logout_request: id })).status, 400);
    });

    test('opt-in: redirect_uri registered for no client is an error page, nothing ends', async () => {
      const browser = new Browser(optIn.fetch);
      const tokens = await signInTo(optIn, browser, 'rp1');
      for (const uri of [
        'https://evil.example/cb',
        'https://rp1.example/cb/../../evil',
        'https://rp1.example/cbx',
        'https://legacy.example/application',
      ]) {
        const res = await browser.get(logoutUrl({ redirect_uri: uri }));
        assert.equal(res.status, 400, uri);
        assert.equal(res.headers.get('location'), null, uri);
        assert.match(await res.text(), /Invalid redirect uri/, uri);
      }
      assert.ok(await liveSessions(optIn, decodeJwt(tokens.id_token!).payload.sid as string));
    });

    test("opt-in: with client_id, redirect_uri must be that client's own redirect URI", async () => {
      const browser = new Browser(optIn.fetch);
      await signInTo(optIn, browser, 'rp1');
      const other = await browser.get(logoutUrl({ client_id: 'rp1', redirect_uri: 'https://rp2.example/cb' }));
      assert.equal(other.status, 400);
      assert.match(await other.text(), /Invalid redirect uri/);
      const own = await browser.get(
        logoutUrl({ client_id: 'rp1', redirect_uri: 'https://rp1.example/cb', state: 'l' }),
      );
      assert.equal(own.status, 200);
      const { action, id } = form(await own.text());
      assert.equal(
        (await browser.post(action, { logout_request: id })).headers.get('location'),
        'https://rp1.example/cb?state=l',
      );
    });

    test("opt-in: with a valid hint for the browser's user, the legacy redirect is immediate", async () => {
      const browser = new Browser(optIn.fetch);
      const tokens = await signInTo(optIn, browser, 'rp1');
      const n = r1.received.length;
      const res = await browser.get(
        logoutUrl({ id_token_hint: tokens.id_token!, redirect_uri: 'https://rp1.example/cb' }),
      );
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), 'https://rp1.example/cb');
      assert.equal(r1.received.length, n + 1);
    });

    test('opt-in: without a browser session the legacy redirect still waits for the click', async () => {
      const browser = new Browser(optIn.fetch);
      const page = await browser.get(logoutUrl({ redirect_uri: 'https://rp2.example/cb' }));
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('location'), null);
      const { action, id } = form(await page.text());
      assert.equal(
        (await browser.post(action, { logout_request: id })).headers.get('location'),
        'https://rp2.example/cb',
      );
    });

    test('no opt-in: the 400 page keeps the developer message, says the SSO session is still alive, and its CSRF-protected button signs out everywhere', async () => {
      const browser = new Browser(plain.fetch);
      const tokens = await signInTo(plain, browser, 'rp1');
      await signInTo(plain, browser, 'rp2');
      const sid = decodeJwt(tokens.id_token!).payload.sid as string;
      const res = await browser.get(logoutUrl({ redirect_uri: 'https://rp1.example/cb' }));
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      const html = await res.text();
      assert.match(html, /Invalid parameter: redirect_uri/);
      assert.match(html, /post_logout_redirect_uri together with id_token_hint/, 'the developer message stays');
      assert.match(html, /You are still signed in/);
      assert.match(html, /single sign-on session at [^<]+ is still active/);
      assert.match(html, /<button[^>]*>Sign out everywhere<\/button>/);
      assert.ok(await liveSessions(plain, sid), 'the error ends nothing');
      const realm = (await plain.provider.ctx.realms.realmByName('test'))!;
      assert.ok(
        (await plain.provider.ctx.events.list(realm.id, { type: 'LOGOUT_ERROR' })).some(
          (e) => e.error === 'invalid_request',
        ),
      );

      const { action, id } = form(html);
      assert.equal(
        (await new Browser(plain.fetch).post(action, { logout_request: id })).status,
        400,
        'cross-site POST refused',
      );
      assert.ok(await liveSessions(plain, sid));

      const n1 = r1.received.length;
      const n2 = r2.received.length;
      const done = await browser.post(action, { logout_request: id });
      assert.equal(done.status, 200);
      assert.equal(done.headers.get('location'), null, 'no redirect: the legacy URI was never accepted');
      assert.match(await done.text(), /You are signed out/);
      assert.equal(r1.received.length, n1 + 1);
      assert.equal(r2.received.length, n2 + 1);
      assert.equal(await liveSessions(plain, sid), false);
      assert.equal(await prompted(browser), 'login_required');
    });

    test('no opt-in, no browser session: the plain 400 page, no "still signed in" and no button', async () => {
      const res = await new Browser(plain.fetch).get(logoutUrl({ redirect_uri: 'https://rp1.example/cb' }));
      assert.equal(res.status, 400);
      const html = await res.text();
      assert.match(html, /post_logout_redirect_uri together with id_token_hint/);
      assert.doesNotMatch(html, /still signed in|<form/);
    });
  });
}
