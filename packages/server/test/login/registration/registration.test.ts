// Self-registration (registrationAllowed, off by default): the "Register" link, Keycloak's field
// names and messages, errors tied to their fields, the password policy, unique username and
// email, registrationEmailAsUsername, then signed in with the default role — on SQLite and
// PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, parseLoginForm } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { authUrl, basic, decodeJwt, form, pkce } from '../../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../../helpers/provider.ts';

const client = { clientId: 'web', secret: 'web-secret', redirectUris: ['https://web.example/callback'] };
const REALMS = [
  {
    realm: 'reg',
    registrationAllowed: true,
    passwordPolicy: 'length(12) and digits(1) and notUsername',
    clients: [client],
    users: [{ username: 'taken', email: 'taken@example.com' }],
  },
  { realm: 'reg-email', registrationAllowed: true, registrationEmailAsUsername: true, clients: [client] },
  { realm: 'closed', clients: [client] },
];

for (const db of TEST_DATABASES) {
  describe(`self-registration (${db.name})`, { skip: db.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(db, { background: false }, REALMS);
    });
    after(() => t?.close());

    async function openRegistration(realm: string, browser = new Browser(t.fetch)) {
      const { challenge, verifier } = pkce();
      const oidc = `${ISSUER_BASE}/realms/${realm}/protocol/openid-connect`;
      const loginHtml = await (
        await browser.get(
          authUrl(
            {
              client_id: 'web',
              redirect_uri: 'https://web.example/callback',
              code_challenge: challenge,
              code_challenge_method: 'S256',
            },
            oidc,
          ),
        )
      ).text();
      const href = /<a class="link" href="([^"]+)">Register<\/a>/.exec(loginHtml)?.[1];
      return {
        browser,
        href: href && new URL(href.replace(/&amp;/g, '&'), ISSUER_BASE).toString(),
        loginHtml,
        verifier,
        oidc,
      };
    }

    test('registrationAllowed off (the default): no link, and the page is refused', async () => {
      const { href, loginHtml, browser } = await openRegistration('closed');
      assert.equal(href, undefined);
      const id = parseLoginForm(loginHtml, ISSUER_BASE).authRequest;
      const res = await browser.get(`${ISSUER_BASE}/realms/closed/login-actions/registration?auth_request=${id}`);
      assert.equal(res.status, 400);
      assert.match(await res.text(), /Registration not allowed/);
    });

    test('a policy violation, missing fields and taken names: 400, every error tied to its field', async () => {
      const { href, browser } = await openRegistration('reg');
      assert.ok(href);
      const pageHtml = await (await browser.get(href)).text();
      for (const [name, label] of [
        ['username', 'Username'],
        ['email', 'Email'],
        ['firstName', 'First name'],
        ['lastName', 'Last name'],
        ['password', 'Password'],
        ['password-confirm', 'Confirm password'],
      ])
        assert.match(pageHtml, new RegExp(`<label for="${name}">${label}</label>`));
      const f = parseLoginForm(pageHtml, ISSUER_BASE);
      const weak = await browser.post(f.action, {
        auth_request: f.authRequest,
        username: 'newbie',
        email: 'newbie@example.com',
        firstName: 'New',
        lastName: 'Bie',
        password: 'short',
        'password-confirm': 'short',
      });
      assert.equal(weak.status, 400);
      const weakHtml = await weak.text();
      assert.match(weakHtml, /id="password"[^>]*aria-invalid="true" aria-describedby="password-error"/);
      assert.match(weakHtml, /id="password-error" role="alert">Invalid password: minimum length 12\.</);
      assert.match(weakHtml, /id="username" name="username" value="newbie"/, 'what was typed stays');

      const missing = await (await browser.post(f.action, { auth_request: f.authRequest })).text();
      for (const message of [
        'Please specify username.',
        'Please specify email.',
        'Please specify first name.',
        'Please specify last name.',
        'Please specify password.',
      ])
        assert.ok(missing.includes(message), message);

      const taken = await (
        await browser.post(f.action, {
          auth_request: f.authRequest,
          username: 'Taken',
          email: 'TAKEN@example.com',
          firstName: 'T',
          lastName: 'K',
          password: 'long-enough-pw-1',
          'password-confirm': 'long-enough-pw-1',
        })
      ).text();
      assert.match(taken, /id="username-error" role="alert">Username already exists\.</);
      assert.match(taken, /id="email-error" role="alert">Email already exists\.</);
      const notUsername = await (
        await browser.post(f.action, {
          auth_request: f.authRequest,
          username: 'newbie-2024-x',
          email: 'n@example.com',
          firstName: 'N',
          lastName: 'B',
          password: 'newbie-2024-x',
          'password-confirm': 'newbie-2024-x',
        })
      ).text();
      assert.match(notUsername, /Invalid password: must not be equal to the username\./);
    });

    test('a valid registration signs in, with the default role', async () => {
      const { href, browser, verifier } = await openRegistration('reg');
      const f = parseLoginForm(await (await browser.get(href!)).text(), ISSUER_BASE);
      const done = await browser.post(f.action, {
        auth_request: f.authRequest,
        username: 'Newbie',
        email: 'newbie@example.com',
        firstName: 'New',
        lastName: 'Bie',
        password: 'long-enough-pw-1',
        'password-confirm': 'long-enough-pw-1',
      });
      assert.equal(done.status, 303);
      const code = new URL(done.headers.get('location')!).searchParams.get('code')!;
      const tokens = (await (
        await t.fetch(
          `${ISSUER_BASE}/realms/reg/protocol/openid-connect/token`,
          form(
            {
              grant_type: 'authorization_code',
              code,
              redirect_uri: 'https://web.example/callback',
              code_verifier: verifier,
            },
            { authorization: basic('web', 'web-secret') },
          ),
        )
      ).json()) as { access_token: string; id_token: string };
      const claims = decodeJwt(tokens.id_token).payload as {
        preferred_username: string;
        email: string;
        given_name: string;
      };
      assert.equal(claims.preferred_username, 'newbie');
      assert.equal(claims.email, 'newbie@example.com');
      assert.equal(claims.given_name, 'New');
      const access = decodeJwt(tokens.access_token).payload as { realm_access?: { roles: string[] } };
      assert.ok(access.realm_access?.roles.includes('offline_access'), 'the default role came with the account');
    });

    test('registrationEmailAsUsername: no username field; the email is the username', async () => {
      const { href, browser } = await openRegistration('reg-email');
      const pageHtml = await (await browser.get(href!)).text();
      assert.doesNotMatch(pageHtml, /name="username"/);
      const f = parseLoginForm(pageHtml, ISSUER_BASE);
      const done = await browser.post(f.action, {
        auth_request: f.authRequest,
        email: 'Mail.User@example.com',
        firstName: 'M',
        lastName: 'U',
        password: 'pw',
        'password-confirm': 'pw',
      });
      assert.equal(done.status, 303);
      const realm = (await t.provider.ctx.realms.realmByName('reg-email'))!;
      assert.ok(await t.provider.ctx.realms.userByUsername(realm.id, 'mail.user@example.com'));
    });
  });
}
