// PUT …/users/{id}/execute-actions-email: Keycloak's checks and messages, the mail through a real
// SMTP server, the link that runs UPDATE_PASSWORD and VERIFY_EMAIL on its page and leaves the
// others for the next sign-in, the back link to the registered redirect_uri — on SQLite and
// PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { Browser } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { form } from '../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../helpers/provider.ts';
import { linkIn, SmtpPeer } from '../helpers/smtp-peer.ts';

const realm = (port: number) => ({
  realm: 'ops',
  passwordPolicy: 'length(10)',
  smtpServer: { host: '127.0.0.1', port: String(port), from: 'sso@example.com' },
  clients: [
    { clientId: 'web', secret: 's', redirectUris: ['https://web.example/*'] },
    { clientId: 'cli', publicClient: true, standardFlowEnabled: false, directAccessGrantsEnabled: true },
  ],
  users: [
    { username: 'jo', email: 'jo@example.com', credentials: [{ type: 'password', value: 'jo-old-password' }] },
    { username: 'nomail' },
  ],
});

for (const db of TEST_DATABASES) {
  describe(`execute-actions-email (${db.name})`, { skip: db.skip }, () => {
    let t: TestProvider;
    let smtp: SmtpPeer;
    let token: string;
    before(async () => {
      smtp = await SmtpPeer.start();
      t = await startTestProvider(db, { background: false }, [realm(smtp.port)]);
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await t.fetch(
        `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      token = ((await res.json()) as { access_token: string }).access_token;
    });
    after(async () => {
      await t?.close();
      await smtp?.close();
    });
    const call = (method: string, path: string, body?: unknown) =>
      t.fetch(`${ISSUER_BASE}/admin/realms/ops${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const idOf = async (username: string) =>
      ((await (await call('GET', `/users?username=${username}`)).json()) as Array<{ id: string }>)[0]!.id;
    const errorOf = async (res: Response) => ((await res.json()) as { errorMessage: string }).errorMessage;

    test("Keycloak's refusals: invalid actions, no email, client id missing, unknown client, unregistered redirect", async () => {
      const jo = await idOf('jo');
      let res = await call('PUT', `/users/${jo}/execute-actions-email`, ['DANCE']);
      assert.equal(res.status, 400);
      assert.equal(await errorOf(res), 'Provided invalid required actions');
      res = await call('PUT', `/users/${await idOf('nomail')}/execute-actions-email`, ['UPDATE_PASSWORD']);
      assert.equal(await errorOf(res), 'User email missing');
      res = await call('PUT', `/users/${jo}/execute-actions-email?redirect_uri=https://web.example/x`, [
        'UPDATE_PASSWORD',
      ]);
      assert.equal(await errorOf(res), 'Client id missing');
      res = await call('PUT', `/users/${jo}/execute-actions-email?client_id=ghost`, ['UPDATE_PASSWORD']);
      assert.equal(await errorOf(res), "Client doesn't exist");
      res = await call('PUT', `/users/${jo}/execute-actions-email?client_id=web&redirect_uri=https://evil.example/x`, [
        'UPDATE_PASSWORD',
      ]);
      assert.equal(await errorOf(res), 'Invalid redirect uri.');
      assert.equal(smtp.mails.length, 0, 'no mail for a refused request');
    });

    test('the link runs UPDATE_PASSWORD and VERIFY_EMAIL, leaves CONFIGURE_TOTP for the next sign-in, and links back', async () => {
      const jo = await idOf('jo');
      const before = smtp.mails.length;
      const res = await call(
        'PUT',
        `/users/${jo}/execute-actions-email?lifespan=7200&client_id=web&redirect_uri=${encodeURIComponent('https://web.example/home')}`,
        ['UPDATE_PASSWORD', 'VERIFY_EMAIL', 'CONFIGURE_TOTP'],
      );
      assert.equal(res.status, 204);
      const mail = await smtp.mailTo('jo@example.com', before);
      assert.equal(mail.headers.subject, 'Update Your Account');
      assert.match(mail.text, /Update Password, Verify Email, Configure OTP/);
      assert.match(mail.text, /expire within 2 hours/);
      const browser = new Browser(t.fetch);
      const link = linkIn(mail);
      const pageHtml = await (await browser.get(link)).text();
      assert.match(pageHtml, /<li>Update Password<\/li><li>Verify Email<\/li><li>Configure OTP<\/li>/);
      const key = /name="key" value="([^"]+)"/.exec(pageHtml)![1]!;
      const action = `${ISSUER_BASE}/realms/ops/login-actions/action-token`;
      const weak = await browser.post(action, { key, 'password-new': 'short', 'password-confirm': 'short' });
      assert.equal(weak.status, 400);
      const done = await browser.post(action, {
        key,
        'password-new': 'jo-new-password',
        'password-confirm': 'jo-new-password',
      });
      assert.equal(done.status, 200);
      const doneHtml = await done.text();
      assert.match(doneHtml, /Your account has been updated\./);
      assert.match(doneHtml, /href="https:\/\/web\.example\/home"/);
      const user = (await (await call('GET', `/users/${jo}`)).json()) as {
        emailVerified: boolean;
        requiredActions: string[];
      };
      assert.equal(user.emailVerified, true);
      assert.deepEqual(user.requiredActions, ['CONFIGURE_TOTP']);
      assert.equal(
        (
          await browser.post(action, {
            key,
            'password-new': 'jo-third-password',
            'password-confirm': 'jo-third-password',
          })
        ).status,
        400,
      );
    });

    test('a disabled user gets no mail: "User is disabled"', async () => {
      const jo = await idOf('jo');
      assert.equal((await call('PUT', `/users/${jo}`, { enabled: false })).status, 204);
      const res = await call('PUT', `/users/${jo}/execute-actions-email`, ['UPDATE_PASSWORD']);
      assert.equal(res.status, 400);
      assert.equal(await errorOf(res), 'User is disabled');
    });
  });
}
