// Regression: the redirect URI attacks of issue 11 against the real endpoints. A browser with a
// live SSO session (so no login prompt would stop a stolen code) presents attack URIs to the
// authorization endpoint and the logout endpoint; each ends on Sundown's error page (400, no
// Location), never a redirect and never a 500.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, signIn } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { startLogoutProvider } from '../helpers/logout-realm.ts';
import { logoutUrl } from '../helpers/logout-flow.ts';
import { authUrl, basic, form, pkce } from '../helpers/oauth.ts';
import { OIDC, type TestProvider } from '../helpers/provider.ts';
import { Receiver } from '../helpers/receiver.ts';

const WILD_CB = 'https://wild.example/app/cb';
const STAR_CB = 'http://127.0.0.1:4202/cb';

/** Attack URIs against the registration `https://wild.example/app/*`. */
const WILD_ATTACKS = [
  'https://wild.example/app/../admin',
  'https://wild.example/app/%2e%2e/admin',
  'https://wild.example/app/.%2E/admin',
  'https://wild.example/app/..%5cadmin',
  'https://wild.example/app\\..\\admin',
  'https://evil.example@wild.example/app/cb',
  `${WILD_CB}?code=attacker-code`,
  `${WILD_CB}?state=forged`,
  `${WILD_CB}?iss=https%3A%2F%2Fevil.example`,
  `${WILD_CB}#fragment`,
];

/**
 * Attack URIs against a stored Keycloak-style `http://127.0.0.1:4202*` (import now refuses it;
 * rows written before may still hold it): user information sends the code to another host, and
 * a longer port is no URL at all (it used to give a 500).
 */
const STAR_ATTACKS = [
  'http://127.0.0.1:4202@127.0.0.1:4299/steal',
  'http://127.0.0.1:42021/cb',
  'http://127.0.0.1:4202999999/cb',
];

for (const database of TEST_DATABASES) {
  describe(`redirect URI attacks on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let receiver: Receiver;
    before(async () => {
      receiver = await Receiver.start();
      t = await startLogoutProvider(database, {
        rp1: receiver.url,
        rp2: receiver.url,
        realmAttributes: { legacyLogoutRedirectUri: 'true' },
        extraClients: [
          {
            clientId: 'wild',
            secret: 'wild-secret',
            redirectUris: ['https://wild.example/app/*'],
            attributes: { 'post.logout.redirect.uris': '+' },
          },
          { clientId: 'star', secret: 'star-secret', redirectUris: ['http://127.0.0.1:4202/*'] },
        ],
      });
      // A row as an older Sundown stored it, before import refused a `*` not after a `/`.
      await t.store.db
        .updateTable('client')
        .set({ redirect_uris: JSON.stringify(['http://127.0.0.1:4202*']) })
        .where('client_id', '=', 'star')
        .execute();
    });
    after(async () => {
      await t?.close();
      await receiver?.close();
    });

    /** Signs the browser in to a client through the code flow; returns its ID token. */
    async function signedIn(browser: Browser, clientId: string, redirectUri: string): Promise<string> {
      const { verifier, challenge } = pkce();
      const back = await signIn(
        browser,
        authUrl({
          client_id: clientId,
          redirect_uri: redirectUri,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      assert.equal(back.origin + back.pathname, redirectUri);
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          {
            grant_type: 'authorization_code',
            code: back.searchParams.get('code')!,
            redirect_uri: redirectUri,
            code_verifier: verifier,
          },
          { authorization: basic(clientId, `${clientId}-secret`) },
        ),
      );
      assert.equal(res.status, 200);
      return ((await res.json()) as { id_token: string }).id_token;
    }

    async function assertErrorPage(res: Response, message: RegExp, uri: string): Promise<void> {
      assert.equal(res.status, 400, `${uri}: status ${res.status}`);
      assert.equal(res.headers.get('location'), null, `${uri}: must not redirect`);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await res.text(), message, uri);
    }

    test('authorization endpoint: wildcard attack URIs with a live SSO session get the error page, no code', async () => {
      const browser = new Browser(t.fetch);
      await signedIn(browser, 'wild', WILD_CB);
      const legit = await browser.get(
        authUrl({ client_id: 'wild', redirect_uri: 'https://wild.example/app/other', state: 's' }),
      );
      assert.equal(legit.status, 302, 'SSO: a registered URI gets a code without a prompt');
      for (const uri of WILD_ATTACKS) {
        await assertErrorPage(
          await browser.get(authUrl({ client_id: 'wild', redirect_uri: uri, state: 's' })),
          /Invalid parameter: redirect_uri/,
          uri,
        );
      }
    });

    test('authorization endpoint: http://host:4202@attacker:4299/steal against a stored http://host:4202* is refused, never a 500', async () => {
      const browser = new Browser(t.fetch);
      await signedIn(browser, 'star', STAR_CB);
      for (const uri of STAR_ATTACKS) {
        await assertErrorPage(
          await browser.get(authUrl({ client_id: 'star', redirect_uri: uri })),
          /Invalid parameter: redirect_uri/,
          uri,
        );
        // Without a session, prompt=none would redirect its error to the URI: also refused first.
        await assertErrorPage(
          await new Browser(t.fetch).get(authUrl({ client_id: 'star', redirect_uri: uri, prompt: 'none' })),
          /Invalid parameter: redirect_uri/,
          uri,
        );
      }
    });

    test('logout endpoint: post_logout_redirect_uri through "+" refuses the wildcard attack URIs', async () => {
      const browser = new Browser(t.fetch);
      const idToken = await signedIn(browser, 'wild', WILD_CB);
      for (const uri of WILD_ATTACKS) {
        await assertErrorPage(
          await browser.get(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: uri })),
          /Invalid redirect uri/,
          uri,
        );
      }
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const events = await t.provider.ctx.events.list(realm.id, { type: 'LOGOUT_ERROR' });
      assert.ok(events.some((e) => e.error === 'invalid_redirect_uri'));
      // The session survived every refusal; a wildcard redirect URI under "+" is a valid target.
      const done = await browser.get(
        logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: 'https://wild.example/app/bye', state: 'z' }),
      );
      assert.equal(done.status, 302);
      assert.equal(done.headers.get('location'), 'https://wild.example/app/bye?state=z');
    });

    test('logout endpoint: the legacy redirect_uri refuses the attack URIs, never a 500', async () => {
      const wildBrowser = new Browser(t.fetch);
      const wildToken = await signedIn(wildBrowser, 'wild', WILD_CB);
      for (const uri of WILD_ATTACKS) {
        await assertErrorPage(
          await wildBrowser.get(logoutUrl({ id_token_hint: wildToken, redirect_uri: uri })),
          /Invalid redirect uri/,
          uri,
        );
      }
      const starBrowser = new Browser(t.fetch);
      const starToken = await signedIn(starBrowser, 'star', STAR_CB);
      for (const uri of STAR_ATTACKS) {
        await assertErrorPage(
          await starBrowser.get(logoutUrl({ id_token_hint: starToken, redirect_uri: uri })),
          /Invalid redirect uri/,
          uri,
        );
      }
    });

    test("logout endpoint: the legacy redirect_uri alone (any client's redirect URIs) refuses the attack URIs before any confirmation", async () => {
      const browser = new Browser(t.fetch);
      await signedIn(browser, 'wild', WILD_CB);
      for (const uri of [...WILD_ATTACKS, ...STAR_ATTACKS]) {
        const res = await browser.get(logoutUrl({ redirect_uri: uri }));
        assert.doesNotMatch(await res.clone().text(), /logout_request/, `${uri}: no confirmation form`);
        await assertErrorPage(res, /Invalid redirect uri/, uri);
      }
      // A registered URI of a client this session never used gets the confirmation.
      const page = await browser.get(logoutUrl({ redirect_uri: 'http://127.0.0.1:4202/cb' }));
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Sign out\?/);
    });
  });
}
