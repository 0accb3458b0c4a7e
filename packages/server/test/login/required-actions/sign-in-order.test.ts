// The steps after a right password, in Keycloak's order, with both halves of issue 22 together:
// the one-time code (a user with an otp credential), then the required-action triggers (the
// realm's verifyEmail gives VERIFY_EMAIL — its mail is sent only once the code was right), then
// the pending actions in the realm's priority order (VERIFY_EMAIL among them), then the SSO
// session. A reset link continuing a sign-in still asks for the code; UPDATE_PROFILE changing
// the address brings VERIFY_EMAIL; a disabled VERIFY_EMAIL is not given; the password grant
// refuses an unverified user when the realm verifies email. Real SMTP server, SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, parseLoginForm } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { authUrl, form, pkce } from '../../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../../helpers/provider.ts';
import { rfcTotp } from '../../helpers/rfc-otp.ts';
import { linkIn, SmtpPeer } from '../../helpers/smtp-peer.ts';

const SECRET = 'Nq1Ofr4aw9hK5RDwjHzH';
const code = () => rfcTotp(Buffer.from(SECRET), Math.floor(Date.now() / 1000));

/** An otp credential as Keycloak 26 exports it (OTPCredentialModel). */
const OTP_CREDENTIAL = {
  type: 'otp',
  userLabel: 'Phone',
  secretData: JSON.stringify({ value: SECRET }),
  credentialData: JSON.stringify({ subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' }),
};
const password = (value: string) => ({ type: 'password', value });

function realms(smtpPort: number) {
  const common = {
    verifyEmail: true,
    resetPasswordAllowed: true,
    smtpServer: { host: '127.0.0.1', port: String(smtpPort), from: 'sso@example.com' },
    clients: [
      {
        clientId: 'web',
        publicClient: true,
        directAccessGrantsEnabled: true,
        redirectUris: ['https://web.example/callback'],
      },
    ],
  };
  return [
    {
      realm: 'order',
      ...common,
      requiredActions: [
        { alias: 'TERMS_AND_CONDITIONS', enabled: true, defaultAction: false, priority: 10 },
        { alias: 'VERIFY_EMAIL', enabled: true, defaultAction: false, priority: 20 },
        { alias: 'UPDATE_PASSWORD', enabled: true, defaultAction: false, priority: 30 },
        { alias: 'UPDATE_PROFILE', enabled: true, defaultAction: false, priority: 40 },
      ],
      users: [
        {
          username: 'ana',
          email: 'ana@example.com',
          credentials: [password('ana-pw'), OTP_CREDENTIAL],
          requiredActions: ['UPDATE_PASSWORD', 'TERMS_AND_CONDITIONS'],
        },
        {
          username: 'ben',
          email: 'ben@example.com',
          emailVerified: true,
          credentials: [password('ben-pw'), OTP_CREDENTIAL],
        },
        {
          username: 'cy',
          email: 'cy@example.com',
          emailVerified: true,
          firstName: 'Cy',
          lastName: 'C',
          credentials: [password('cy-pw')],
          requiredActions: ['UPDATE_PROFILE'],
        },
        { username: 'dee', email: 'dee@example.com', credentials: [password('dee-pw')] },
        { username: 'eve', email: 'eve@example.com', emailVerified: true, credentials: [password('eve-pw')] },
      ],
    },
    {
      realm: 'noverify',
      ...common,
      requiredActions: [{ alias: 'VERIFY_EMAIL', enabled: false, defaultAction: false, priority: 50 }],
      users: [{ username: 'fay', email: 'fay@example.com', credentials: [password('fay-pw')] }],
    },
  ];
}

for (const db of TEST_DATABASES) {
  describe(`the order after the password (${db.name})`, { skip: db.skip }, () => {
    let t: TestProvider;
    let smtp: SmtpPeer;
    before(async () => {
      smtp = await SmtpPeer.start();
      t = await startTestProvider(db, { background: false }, realms(smtp.port));
    });
    after(async () => {
      await t?.close();
      await smtp?.close();
    });

    const oidc = (realm: string) => `${ISSUER_BASE}/realms/${realm}/protocol/openid-connect`;
    async function openLogin(browser: Browser, realm = 'order') {
      const res = await browser.get(
        authUrl(
          {
            client_id: 'web',
            redirect_uri: 'https://web.example/callback',
            code_challenge: pkce().challenge,
            code_challenge_method: 'S256',
          },
          oidc(realm),
        ),
      );
      return res.text();
    }
    async function signIn(browser: Browser, username: string, pw: string, realm = 'order') {
      const f = parseLoginForm(await openLogin(browser, realm), oidc(realm));
      return browser.post(f.action, { auth_request: f.authRequest, username, password: pw });
    }
    const stepOf = (html: string) => parseLoginForm(html, ISSUER_BASE);
    const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address)).length;

    test('password → code → terms (10) → VERIFY_EMAIL (20, given by verifyEmail) → UPDATE_PASSWORD (30) → session', async () => {
      const browser = new Browser(t.fetch);
      const afterPassword = await signIn(browser, 'ana', 'ana-pw');
      assert.equal(afterPassword.status, 200);
      const codeHtml = await afterPassword.text();
      assert.match(codeHtml, /<h1>One-time code<\/h1>/, 'the code comes first');
      assert.equal(mailsTo('ana@example.com'), 0, 'no verification mail before the code');

      const codeStep = stepOf(codeHtml);
      const terms = await browser.post(codeStep.action, { auth_request: codeStep.authRequest, otp: code() });
      assert.equal(terms.status, 200);
      const termsHtml = await terms.text();
      assert.match(termsHtml, /<h1>Terms and Conditions<\/h1>/, 'priority 10 first');
      assert.equal(mailsTo('ana@example.com'), 0, 'VERIFY_EMAIL has not been reached yet');

      const actions = stepOf(termsHtml);
      const before = smtp.mails.length;
      const verify = await browser.post(actions.action, { auth_request: actions.authRequest, accept: 'Accept' });
      assert.equal(verify.status, 200);
      assert.match(await verify.text(), /<h1>Email verification<\/h1>/);
      const link = linkIn(await smtp.mailTo('ana@example.com', before));
      assert.equal(browser.cookie('SUNDOWN_SESSION'), undefined, 'no session while actions are pending');

      const key = decodeURIComponent(new URL(link).searchParams.get('key')!);
      const update = await browser.post(`${ISSUER_BASE}/realms/order/login-actions/action-token`, { key });
      assert.equal(update.status, 200, 'the link continues the sign-in at the next action');
      assert.match(await update.text(), /<h1>Update password<\/h1>/);

      const done = await browser.post(actions.action, {
        auth_request: actions.authRequest,
        'password-new': 'ana-new-pw',
        'password-confirm': 'ana-new-pw',
      });
      assert.equal(done.status, 303);
      assert.ok(new URL(done.headers.get('location')!).searchParams.get('code'));
      assert.ok(browser.cookie('SUNDOWN_SESSION'));
      const realm = (await t.provider.ctx.realms.realmByName('order'))!;
      const ana = (await t.provider.ctx.realms.userByUsername(realm.id, 'ana'))!;
      assert.equal(ana.emailVerified, true);
      assert.deepEqual(ana.requiredActions, []);
    });

    test('a reset link continuing a sign-in asks a user with a code device for the code before the session', async () => {
      const browser = new Browser(t.fetch);
      const loginHtml = await openLogin(browser);
      const href = /<a class="link" href="([^"]+)">Forgot password\?<\/a>/.exec(loginHtml)![1]!;
      const resetPage = await browser.get(new URL(href.replace(/&amp;/g, '&'), ISSUER_BASE).toString());
      const resetForm = stepOf(await resetPage.text());
      const before = smtp.mails.length;
      await browser.post(resetForm.action, { auth_request: resetForm.authRequest, username: 'ben' });
      const link = linkIn(await smtp.mailTo('ben@example.com', before));
      const key = /name="key" value="([^"]+)"/.exec(await (await browser.get(link)).text())![1]!;
      const res = await browser.post(`${ISSUER_BASE}/realms/order/login-actions/action-token`, {
        key,
        'password-new': 'ben-new-pw',
        'password-confirm': 'ben-new-pw',
      });
      assert.equal(res.status, 200, 'not signed in by the mailbox alone');
      const codeHtml = await res.text();
      assert.match(codeHtml, /<h1>One-time code<\/h1>/);
      assert.equal(browser.cookie('SUNDOWN_SESSION'), undefined);
      const step = stepOf(codeHtml);
      const done = await browser.post(step.action, { auth_request: step.authRequest, otp: code() });
      assert.equal(done.status, 303);
      assert.ok(browser.cookie('SUNDOWN_SESSION'));
    });

    test('UPDATE_PROFILE with a new address: the realm verifies it next (VERIFY_EMAIL, mail to the new address)', async () => {
      const browser = new Browser(t.fetch);
      const res = await signIn(browser, 'cy', 'cy-pw');
      const html = await res.text();
      assert.match(html, /<h1>Update Account Information<\/h1>/);
      const step = stepOf(html);
      const before = smtp.mails.length;
      const next = await browser.post(step.action, {
        auth_request: step.authRequest,
        email: 'cy.new@example.com',
        firstName: 'Cy',
        lastName: 'C',
      });
      assert.equal(next.status, 200);
      assert.match(await next.text(), /has been sent to cy\.new@example\.com/);
      await smtp.mailTo('cy.new@example.com', before);
      assert.equal(browser.cookie('SUNDOWN_SESSION'), undefined);
    });

    test('the password grant: "Account is not fully set up" for an unverified address when the realm verifies email', async () => {
      const grant = (realm: string, username: string, pw: string) =>
        t.fetch(`${oidc(realm)}/token`, form({ grant_type: 'password', client_id: 'web', username, password: pw }));
      const refused = await grant('order', 'dee', 'dee-pw');
      assert.equal(refused.status, 400);
      assert.deepEqual(
        { ...((await refused.json()) as Record<string, unknown>) },
        { error: 'invalid_grant', error_description: 'Account is not fully set up' },
      );
      assert.equal((await grant('order', 'eve', 'eve-pw')).status, 200, 'a verified user gets tokens');
      assert.equal((await grant('noverify', 'fay', 'fay-pw')).status, 200, 'VERIFY_EMAIL disabled: not given');
    });

    test('a realm that disabled VERIFY_EMAIL: verifyEmail gives nothing, the unverified user signs in', async () => {
      const browser = new Browser(t.fetch);
      const before = smtp.mails.length;
      const res = await signIn(browser, 'fay', 'fay-pw', 'noverify');
      assert.equal(res.status, 303);
      assert.equal(smtp.mails.length, before, 'no verification mail');
    });
  });
}
