// VERIFY_EMAIL: the realm's verifyEmail gives it to an unverified user at sign-in; the page says
// the mail was sent and can send it again; the link from the mail (a real SMTP server) sets
// emailVerified and the sign-in goes on — on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, parseLoginForm } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { authUrl, form, pkce } from '../../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../../helpers/provider.ts';
import { linkIn, SmtpPeer } from '../../helpers/smtp-peer.ts';

const OIDC = `${ISSUER_BASE}/realms/verify/protocol/openid-connect`;

for (const db of TEST_DATABASES) {
  describe(`verify email (${db.name})`, { skip: db.skip }, () => {
    let t: TestProvider;
    let smtp: SmtpPeer;
    before(async () => {
      smtp = await SmtpPeer.start();
      t = await startTestProvider(db, { background: false }, [
        {
          realm: 'verify',
          verifyEmail: true,
          smtpServer: { host: '127.0.0.1', port: String(smtp.port), from: 'sso@example.com' },
          clients: [
            { clientId: 'web', secret: 's', redirectUris: ['https://web.example/callback'] },
            { clientId: 'cli', publicClient: true, standardFlowEnabled: false, directAccessGrantsEnabled: true },
          ],
          users: [
            { username: 'kim', email: 'kim@example.com', credentials: [{ type: 'password', value: 'kim-pw' }] },
            {
              username: 'lee',
              email: 'lee@example.com',
              emailVerified: true,
              credentials: [{ type: 'password', value: 'lee-pw' }],
            },
          ],
        },
      ]);
    });
    after(async () => {
      await t?.close();
      await smtp?.close();
    });

    async function signIn(browser: Browser, username: string, password: string) {
      const page = await browser.get(
        authUrl(
          {
            client_id: 'web',
            redirect_uri: 'https://web.example/callback',
            code_challenge: pkce().challenge,
            code_challenge_method: 'S256',
          },
          OIDC,
        ),
      );
      const f = parseLoginForm(await page.text(), OIDC);
      return browser.post(f.action, { auth_request: f.authRequest, username, password });
    }

    test('the password grant of an unverified user in a verifyEmail realm: "Account is not fully set up"', async () => {
      const res = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'password', client_id: 'cli', username: 'kim', password: 'kim-pw' }),
      );
      assert.deepEqual(await res.json(), { error: 'invalid_grant', error_description: 'Account is not fully set up' });
      const lee = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'password', client_id: 'cli', username: 'lee', password: 'lee-pw' }),
      );
      assert.equal(lee.status, 200);
    });

    test('an unverified user gets the page and the mail; resend sends again; the link verifies and signs in', async () => {
      const browser = new Browser(t.fetch);
      const before = smtp.mails.length;
      const res = await signIn(browser, 'kim', 'kim-pw');
      assert.equal(res.status, 200);
      const pageHtml = await res.text();
      assert.match(pageHtml, /<h1>Email verification<\/h1>/);
      assert.match(pageHtml, /has been sent to kim@example\.com/);
      assert.equal(browser.cookie('SUNDOWN_SESSION'), undefined);
      const first = await smtp.mailTo('kim@example.com', before);
      assert.equal(first.headers.subject, 'Verify email');

      const f = parseLoginForm(pageHtml, ISSUER_BASE);
      const resent = await browser.post(f.action, { auth_request: f.authRequest, resend: '1' });
      assert.match(await resent.text(), /has been sent to kim@example\.com again/);
      await smtp.mailTo('kim@example.com', before + 1);

      const link = linkIn(first);
      const confirm = await browser.get(link);
      assert.match(await confirm.text(), /Confirm validity of e-mail address kim@example\.com\./);
      const key = decodeURIComponent(new URL(link).searchParams.get('key')!);
      const done = await browser.post(`${ISSUER_BASE}/realms/verify/login-actions/action-token`, { key });
      assert.equal(done.status, 303, 'the sign-in goes on');
      assert.ok(new URL(done.headers.get('location')!).searchParams.get('code'));
      const realm = (await t.provider.ctx.realms.realmByName('verify'))!;
      const kim = (await t.provider.ctx.realms.userByUsername(realm.id, 'kim'))!;
      assert.equal(kim.emailVerified, true);
      assert.deepEqual(kim.requiredActions, []);
    });

    test('a verified user signs in straight away', async () => {
      const res = await signIn(new Browser(t.fetch), 'lee', 'lee-pw');
      assert.equal(res.status, 303);
    });
  });
}
