// "Forgot password?" through a real SMTP server on loopback: the link on the login page
// (resetPasswordAllowed), the same answer whether or not the account exists, the mail with the
// realm's smtpServer settings (from, display name, reply-to, envelope from, auth), the signed
// single-use expiring link, the realm's policy on the new password, the sign-in going on after
// it — on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { issueActionToken } from '../../../src/login/action-tokens/action-token.ts';
import { Browser, parseLoginForm } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { authUrl, pkce } from '../../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../../helpers/provider.ts';
import { linkIn, SmtpPeer } from '../../helpers/smtp-peer.ts';

const OIDC = `${ISSUER_BASE}/realms/mail/protocol/openid-connect`;

function mailRealm(port: number) {
  return {
    realm: 'mail',
    displayName: 'Mail Realm',
    resetPasswordAllowed: true,
    passwordPolicy: 'length(10) and digits(1)',
    smtpServer: {
      host: '127.0.0.1',
      port: String(port),
      from: 'sso@example.com',
      fromDisplayName: 'Example SSO',
      replyTo: 'help@example.com',
      envelopeFrom: 'bounces@example.com',
      auth: 'true',
      user: 'mailer',
      password: 'mailer-pw',
      ssl: 'false',
      starttls: 'false',
    },
    clients: [{ clientId: 'web', secret: 'web-secret', redirectUris: ['https://web.example/callback'] }],
    users: [
      { username: 'hana', email: 'hana@example.com', credentials: [{ type: 'password', value: 'old-passw0rd' }] },
      { username: 'ivan', email: 'ivan@example.com', enabled: false },
    ],
  };
}

for (const db of TEST_DATABASES) {
  describe(`forgot password through SMTP (${db.name})`, { skip: db.skip }, () => {
    let t: TestProvider;
    let smtp: SmtpPeer;
    before(async () => {
      smtp = await SmtpPeer.start({ user: 'mailer', password: 'mailer-pw' });
      t = await startTestProvider(db, { background: false }, [mailRealm(smtp.port)]);
    });
    after(async () => {
      await t?.close();
      await smtp?.close();
    });

    async function openLogin(browser: Browser) {
      const res = await browser.get(
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
      return res.text();
    }

    async function askReset(browser: Browser, username: string) {
      const loginHtml = await openLogin(browser);
      const href = /<a class="link" href="([^"]+)">Forgot password\?<\/a>/.exec(loginHtml)?.[1];
      assert.ok(href, 'the login page links to the reset page');
      const formPage = await browser.get(new URL(href.replace(/&amp;/g, '&'), ISSUER_BASE).toString());
      assert.equal(formPage.status, 200);
      const formHtml = await formPage.text();
      assert.match(formHtml, /<label for="username">Username or email<\/label>/);
      const form = parseLoginForm(formHtml, ISSUER_BASE);
      const started = performance.now();
      const res = await browser.post(form.action, { auth_request: form.authRequest, username });
      return { res, ms: performance.now() - started, html: await res.text() };
    }

    test('the same answer for an existing account, an unknown name and a disabled account; mail only to the first', async () => {
      const before = smtp.mails.length;
      const known = await askReset(new Browser(t.fetch), 'hana@example.com');
      const unknown = await askReset(new Browser(t.fetch), 'nobody@example.com');
      const disabled = await askReset(new Browser(t.fetch), 'ivan');
      for (const answer of [known, unknown, disabled]) {
        assert.equal(answer.res.status, 200);
        assert.match(answer.html, /You should receive an email shortly with further instructions\./);
      }
      assert.equal(known.html, unknown.html, 'identical pages');
      assert.equal(known.html, disabled.html, 'identical pages');
      // The page does not wait for the SMTP server, so its time says nothing about the account.
      assert.ok(known.ms < 1000 && unknown.ms < 1000, `known ${known.ms} ms, unknown ${unknown.ms} ms`);
      const mail = await smtp.mailTo('hana@example.com', before);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(
        smtp.mails.slice(before).map((m) => m.to[0]),
        ['hana@example.com'],
        'no mail for the unknown or disabled account',
      );
      assert.equal(mail.headers.subject, 'Reset password');
      assert.equal(mail.headers.from, 'Example SSO <sso@example.com>');
      assert.equal(mail.headers['reply-to'], 'help@example.com');
      assert.equal(mail.envelopeFrom, 'bounces@example.com', 'envelopeFrom is the SMTP MAIL FROM');
      assert.equal(mail.user, 'mailer', 'the realm user and password authenticated');
      assert.match(mail.text, /This link will expire within 5 minutes\./);
    });

    test('the link: policy applies, a valid password signs in, the link works once', async () => {
      const browser = new Browser(t.fetch);
      const before = smtp.mails.length;
      await askReset(browser, 'hana');
      const link = linkIn(await smtp.mailTo('hana@example.com', before));
      assert.ok(link.startsWith(`${ISSUER_BASE}/realms/mail/login-actions/action-token?key=`));

      const shown = await browser.get(link);
      assert.equal(shown.status, 200);
      assert.equal(shown.headers.get('referrer-policy'), 'no-referrer');
      const shownHtml = await shown.text();
      assert.match(shownHtml, /<label for="password-new">New password<\/label>/);
      const key = /name="key" value="([^"]+)"/.exec(shownHtml)![1]!;
      const action = `${ISSUER_BASE}/realms/mail/login-actions/action-token`;
      // A GET does not use the link up (mail scanners fetch links).
      assert.equal((await browser.get(link)).status, 200);

      const weak = await browser.post(action, { key, 'password-new': 'short', 'password-confirm': 'short' });
      assert.equal(weak.status, 400);
      const weakHtml = await weak.text();
      assert.match(weakHtml, /id="password-new"[^>]*aria-invalid="true" aria-describedby="password-new-error"/);
      assert.match(weakHtml, /id="password-new-error" role="alert">Invalid password: minimum length 10\.</);

      const done = await browser.post(action, {
        key,
        'password-new': 'new-passw0rd',
        'password-confirm': 'new-passw0rd',
      });
      assert.equal(done.status, 303, 'the sign-in the reset began in goes on');
      const to = new URL(done.headers.get('location')!);
      assert.equal(to.origin + to.pathname, 'https://web.example/callback');
      assert.ok(to.searchParams.get('code'));

      const again = await browser.post(action, {
        key,
        'password-new': 'other-passw0rd',
        'password-confirm': 'other-passw0rd',
      });
      assert.equal(again.status, 400);
      assert.match(await again.text(), /This link was already used\./);
      const reopened = await new Browser(t.fetch).get(link);
      assert.equal(reopened.status, 400);
      assert.match(await reopened.text(), /This link was already used\./);

      // The new password signs in; the old one does not.
      const login = new Browser(t.fetch);
      const form = parseLoginForm(await openLogin(login), OIDC);
      assert.equal(
        (await login.post(form.action, { auth_request: form.authRequest, username: 'hana', password: 'old-passw0rd' }))
          .status,
        401,
      );
      assert.equal(
        (await login.post(form.action, { auth_request: form.authRequest, username: 'hana', password: 'new-passw0rd' }))
          .status,
        303,
      );
    });

    test('a link opened in another browser: the password is set, no sign-in, and the sessions the old password opened end', async () => {
      const signedIn = new Browser(t.fetch);
      const form = parseLoginForm(await openLogin(signedIn), OIDC);
      assert.equal(
        (
          await signedIn.post(form.action, {
            auth_request: form.authRequest,
            username: 'hana',
            password: 'new-passw0rd',
          })
        ).status,
        303,
      );
      const realm = (await t.provider.ctx.realms.realmByName('mail'))!;
      const hana = (await t.provider.ctx.realms.userByUsername(realm.id, 'hana'))!;
      assert.ok((await t.provider.ctx.sessions.liveOfUser(realm, hana.id)).length > 0);
      const before = smtp.mails.length;
      await askReset(new Browser(t.fetch), 'hana');
      const link = linkIn(await smtp.mailTo('hana@example.com', before));
      const other = new Browser(t.fetch);
      const key = /name="key" value="([^"]+)"/.exec(await (await other.get(link)).text())![1]!;
      const done = await other.post(`${ISSUER_BASE}/realms/mail/login-actions/action-token`, {
        key,
        'password-new': 'third-passw0rd',
        'password-confirm': 'third-passw0rd',
      });
      assert.equal(done.status, 200);
      assert.match(await done.text(), /Your password has been updated\./);
      assert.equal(other.cookie('SUNDOWN_SESSION'), undefined);
      assert.deepEqual(await t.provider.ctx.sessions.liveOfUser(realm, hana.id), [], 'the old sessions ended');
    });

    test('an expired link and a forged link each get a clear page', async () => {
      const realm = (await t.provider.ctx.realms.realmByName('mail'))!;
      const user = (await t.provider.ctx.realms.userByUsername(realm.id, 'hana'))!;
      const expired = await issueActionToken(
        t.provider.ctx,
        realm,
        {
          kind: 'reset-credentials',
          userId: user.id,
          email: 'hana@example.com',
          actions: ['UPDATE_PASSWORD'],
          authRequest: null,
          clientId: null,
          redirectUri: null,
        },
        300,
        Date.now() - 301_000,
      );
      const res = await t.fetch(`${ISSUER_BASE}/realms/mail/login-actions/action-token?key=${expired}`);
      assert.equal(res.status, 400);
      assert.match(await res.text(), /Action expired\. Please start again\./);
      const forged = `${expired.slice(0, -4)}AAAA`;
      const bad = await t.fetch(`${ISSUER_BASE}/realms/mail/login-actions/action-token?key=${forged}`);
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /This link is not valid\./);
    });
  });
}

describe('forgot password without an SMTP server', () => {
  test('resetPasswordAllowed off: no link, and the page is refused', async () => {
    const t = await startTestProvider(TEST_DATABASES[0]!, { background: false });
    try {
      const res = await t.fetch(`${ISSUER_BASE}/realms/test/login-actions/reset-credentials`);
      assert.equal(res.status, 400);
      assert.match(await res.text(), /Reset Credential not allowed/);
    } finally {
      await t.close();
    }
  });

  for (const mode of ['log', 'refuse'] as const) {
    test(`--mail-without-smtp ${mode}: the page says where the mail went`, async () => {
      const lines: string[] = [];
      const { pino } = await import('pino');
      const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
      const realm = { ...mailRealm(1), smtpServer: {} };
      const t = await startTestProvider(TEST_DATABASES[0]!, { background: false, mailWithoutSmtp: mode, log }, [realm]);
      try {
        const browser = new Browser(t.fetch);
        const url = `${ISSUER_BASE}/realms/mail/login-actions/reset-credentials`;
        assert.equal((await browser.get(url)).status, 200);
        const res = await browser.post(url, { username: 'hana' });
        const body = await res.text();
        if (mode === 'log') {
          assert.equal(res.status, 200);
          assert.match(body, /written to the server log instead \(development\)/);
          // The mail goes after the answer: wait for it (up to 5 s on a busy machine).
          const find = () =>
            lines
              .map((l) => JSON.parse(l) as { msg: string; to?: string; text?: string })
              .find((l) => l.to === 'hana@example.com');
          for (let i = 0; i < 100 && !find(); i++) await new Promise((r) => setTimeout(r, 50));
          const logged = find();
          assert.ok(logged, 'the mail is in the log');
          assert.match(logged.text!, /login-actions\/action-token\?key=/);
        } else {
          assert.equal(res.status, 503);
          assert.match(body, /Failed to send email, please try again later\./);
        }
      } finally {
        await t.close();
      }
    });
  }
});
