// The caps on the mails one can make Sundown send (src/login/mail-throttle.ts), through a real
// SMTP server on loopback, on SQLite and PostgreSQL: "Forgot password?" per user and per client
// address, with the same answer over the cap as under it (no enumeration), the window's end
// (a clock moved forward, no sleeping), and the VERIFY_EMAIL resend button.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EventType } from '../../src/events/event-log.ts';
import { Browser, parseLoginForm } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, pkce } from '../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../helpers/provider.ts';
import { SmtpPeer } from '../helpers/smtp-peer.ts';

const REALM = `${ISSUER_BASE}/realms/mailcap`;
const WINDOW_MS = 15 * 60_000;
const peer = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

const user = (username: string, extra: Record<string, unknown> = {}) => ({
  username,
  email: `${username}@example.com`,
  emailVerified: true,
  credentials: [{ type: 'password', value: `${username}-pw` }],
  ...extra,
});

function realmJson(smtpPort: number) {
  return {
    realm: 'mailcap',
    resetPasswordAllowed: true,
    verifyEmail: true,
    smtpServer: { host: '127.0.0.1', port: String(smtpPort), from: 'sso@example.com' },
    clients: [{ clientId: 'web', secret: 's', redirectUris: ['https://web.example/callback'] }],
    users: [
      ...['hana', 'jo', 'max', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((n) => user(n)),
      user('kim', { emailVerified: false }),
    ],
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const db of TEST_DATABASES) {
  describe(`mail caps (${db.name})`, { skip: db.skip }, () => {
    let t: TestProvider;
    let smtp: SmtpPeer;
    let now = Date.now();
    before(async () => {
      smtp = await SmtpPeer.start();
      t = await startTestProvider(
        db,
        { background: false, mailRate: { perUser: 3, perAddress: 5, windowMs: WINDOW_MS }, mailRateClock: () => now },
        [realmJson(smtp.port)],
      );
    });
    after(async () => {
      await t?.close();
      await smtp?.close();
    });

    const fetchFrom = (remote: string) => (input: string | Request, init?: RequestInit) =>
      Promise.resolve(t.provider.fetch(typeof input === 'string' ? new Request(input, init) : input, peer(remote)));

    async function askReset(remote: string, username: string): Promise<{ status: number; html: string }> {
      const res = await fetchFrom(remote)(`${REALM}/login-actions/reset-credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username }).toString(),
      });
      return { status: res.status, html: await res.text() };
    }

    async function events(type: EventType, username: string, error: string | null): Promise<number> {
      const realm = (await t.provider.ctx.realms.realmByName('mailcap'))!;
      const u = (await t.provider.ctx.realms.userByUsername(realm.id, username))!;
      const list = await t.provider.ctx.events.list(realm.id, { type, userId: u.id, max: 1000 });
      return list.filter((e) => e.error === error).length;
    }

    const mailsTo = (username: string) => smtp.mails.filter((m) => m.to[0] === `${username}@example.com`).length;

    test('the 4th reset request for one user within the window sends no mail and answers exactly as the 1st', async () => {
      const answers = [];
      for (let i = 1; i <= 3; i++) {
        answers.push(await askReset('198.51.100.1', 'hana'));
        await waitFor(`mail ${i}`, async () => mailsTo('hana') === i);
      }
      const fourth = await askReset('198.51.100.1', 'hana');
      await waitFor(
        'the refusal event',
        async () => (await events('SEND_RESET_PASSWORD_ERROR', 'hana', 'too_many_requests')) === 1,
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(mailsTo('hana'), 3, 'no 4th mail');
      assert.equal(fourth.status, answers[0]!.status);
      assert.equal(fourth.html, answers[0]!.html, 'the same page, byte for byte');
      assert.match(fourth.html, /You should receive an email shortly with further instructions\./);
      assert.equal(await events('SEND_RESET_PASSWORD', 'hana', null), 3);
    });

    test('after the window a reset mail goes again', async () => {
      for (let i = 1; i <= 4; i++) await askReset('198.51.100.2', 'jo');
      await waitFor(
        'the refusal event',
        async () => (await events('SEND_RESET_PASSWORD_ERROR', 'jo', 'too_many_requests')) === 1,
      );
      await waitFor('three mails', async () => mailsTo('jo') === 3);
      now += WINDOW_MS - 1000;
      await askReset('198.51.100.2', 'jo');
      await waitFor(
        'the 2nd refusal',
        async () => (await events('SEND_RESET_PASSWORD_ERROR', 'jo', 'too_many_requests')) === 2,
      );
      assert.equal(mailsTo('jo'), 3, 'still within the window');
      now += 1000;
      await askReset('198.51.100.2', 'jo');
      await waitFor('the mail of the new window', async () => mailsTo('jo') === 4);
    });

    test('one client address gets at most perAddress reset mails, for any users, within the window', async () => {
      const first = await askReset('203.0.113.5', 'p1');
      for (const name of ['p2', 'p3', 'p4', 'p5']) await askReset('203.0.113.5', name);
      await waitFor('five mails', async () => ['p1', 'p2', 'p3', 'p4', 'p5'].every((n) => mailsTo(n) === 1));
      const sixth = await askReset('203.0.113.5', 'p6');
      assert.equal(sixth.html, first.html, 'the same page');
      await waitFor(
        'the refusal event',
        async () => (await events('SEND_RESET_PASSWORD_ERROR', 'p6', 'too_many_requests')) === 1,
      );
      assert.equal(mailsTo('p6'), 0);
      await askReset('203.0.113.6', 'p6');
      await waitFor('the mail asked from another address', async () => mailsTo('p6') === 1);
    });

    test('regression: parallel "Forgot password?" requests for one user cannot mail-bomb the address (at most perUser mails)', async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => askReset(`192.0.2.${i + 1}`, 'max')));
      assert.equal(new Set(answers.map((a) => a.html)).size, 1, 'every answer the same');
      await waitFor(
        'seven refusals',
        async () => (await events('SEND_RESET_PASSWORD_ERROR', 'max', 'too_many_requests')) === 7,
      );
      await waitFor('three mails', async () => mailsTo('max') === 3);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(mailsTo('max'), 3);
    });

    test('the VERIFY_EMAIL resend button is capped per user and says a mail was sent recently', async () => {
      const browser = new Browser(fetchFrom('198.51.100.9'));
      const page = await browser.get(
        authUrl(
          {
            client_id: 'web',
            redirect_uri: 'https://web.example/callback',
            code_challenge: pkce().challenge,
            code_challenge_method: 'S256',
          },
          `${REALM}/protocol/openid-connect`,
        ),
      );
      const login = parseLoginForm(await page.text(), ISSUER_BASE);
      const res = await browser.post(login.action, {
        auth_request: login.authRequest,
        username: 'kim',
        password: 'kim-pw',
      });
      const pageHtml = await res.text();
      assert.match(pageHtml, /has been sent to kim@example\.com\./);
      await waitFor('the first mail', async () => mailsTo('kim') === 1);
      const f = parseLoginForm(pageHtml, ISSUER_BASE);
      for (let i = 2; i <= 3; i++) {
        const again = await browser.post(f.action, { auth_request: f.authRequest, resend: '1' });
        assert.match(await again.text(), /has been sent to kim@example\.com again/);
        assert.equal(mailsTo('kim'), i);
      }
      const refused = await browser.post(f.action, { auth_request: f.authRequest, resend: '1' });
      assert.equal(refused.status, 200);
      assert.match(await refused.text(), /was sent to kim@example\.com recently\. Please wait a few minutes/);
      assert.equal(mailsTo('kim'), 3, 'no 4th mail');
      assert.equal(await events('SEND_VERIFY_EMAIL_ERROR', 'kim', 'too_many_requests'), 1);

      now += WINDOW_MS;
      const later = await browser.post(f.action, { auth_request: f.authRequest, resend: '1' });
      assert.match(await later.text(), /has been sent to kim@example\.com again/);
      assert.equal(mailsTo('kim'), 4);
    });
  });
}
