// UPDATE_PASSWORD under the realm's password policy: a temporary password leads to the page, a
// password the policy refuses is answered with Keycloak's message tied to the field, and the
// sign-in finishes only with one it accepts — on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, parseLoginForm } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { authUrl, pkce } from '../../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../../helpers/provider.ts';

const OIDC = `${ISSUER_BASE}/realms/temp/protocol/openid-connect`;

for (const db of TEST_DATABASES) {
  describe(`UPDATE_PASSWORD with a password policy (${db.name})`, { skip: db.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(db, { background: false }, [
        {
          realm: 'temp',
          passwordPolicy: 'upperCase(1) and specialChars(2) and notEmail',
          clients: [{ clientId: 'web', secret: 's', redirectUris: ['https://web.example/callback'] }],
          users: [
            {
              username: 'otto',
              email: 'otto@example.com',
              credentials: [{ type: 'password', value: 'temp-pw', temporary: true }],
            },
          ],
        },
      ]);
    });
    after(() => t?.close());

    test('a refused password stays on the page with the message on the field; an accepted one signs in', async () => {
      const browser = new Browser(t.fetch);
      const login = parseLoginForm(
        await (
          await browser.get(
            authUrl(
              {
                client_id: 'web',
                redirect_uri: 'https://web.example/callback',
                code_challenge: pkce().challenge,
                code_challenge_method: 'S256',
              },
              OIDC,
            ),
          )
        ).text(),
        OIDC,
      );
      const step = parseLoginForm(
        await (
          await browser.post(login.action, { auth_request: login.authRequest, username: 'otto', password: 'temp-pw' })
        ).text(),
        OIDC,
      );
      const weak = await browser.post(step.action, {
        auth_request: step.authRequest,
        'password-new': 'Only-one',
        'password-confirm': 'Only-one',
      });
      assert.equal(weak.status, 400);
      assert.match(
        await weak.text(),
        /id="password-new-error" role="alert">Invalid password: must contain at least 2 special characters\.</,
      );
      const email = await browser.post(step.action, {
        auth_request: step.authRequest,
        'password-new': 'OTTO@example.com',
        'password-confirm': 'OTTO@example.com',
      });
      assert.match(await email.text(), /Invalid password: must not be equal to the email\./);
      const done = await browser.post(step.action, {
        auth_request: step.authRequest,
        'password-new': 'Two-specials!',
        'password-confirm': 'Two-specials!',
      });
      assert.equal(done.status, 303);
    });
  });
}
