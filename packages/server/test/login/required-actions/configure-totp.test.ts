// CONFIGURE_TOTP: the page shows the key as a QR code (inline SVG), as the otpauth:// URI and as
// text; the test reads the text, computes the code from the RFC itself, and enrols; a wrong code
// is refused with the error tied to its field and nothing saved; once enrolled, the next sign-in
// asks for a code, and the enrolment's code cannot be used again. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { base32Decode, rfcTotp } from '../../helpers/rfc-otp.ts';
import { APP_CLIENT, type SignInSteps, signInSteps } from '../../helpers/sign-in-steps.ts';

const REALM = {
  realm: 'enrol',
  displayName: 'Enrol: Demo',
  clients: [APP_CLIENT],
  users: [
    { username: 'alice', credentials: [{ type: 'password', value: 'alice-pw' }], requiredActions: ['CONFIGURE_TOTP'] },
  ],
};

const unescape = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');

for (const db of TEST_DATABASES) {
  describe(`CONFIGURE_TOTP (${db.name})`, { skip: db.skip }, () => {
    let steps: SignInSteps;
    before(async () => {
      steps = await signInSteps(db, REALM);
    });
    after(() => steps.close());

    test('keycloak-configure-totp: QR code, key URI and key text; the code is checked before the credential is saved', async () => {
      assert.deepEqual(await (await steps.grant('alice', 'alice-pw')).json(), {
        error: 'invalid_grant',
        error_description: 'Account is not fully set up',
      });
      const page = await steps.afterPassword('alice', 'alice-pw');
      assert.match(page.html, /<h1>Mobile Authenticator Setup<\/h1>/);
      assert.match(
        page.html,
        /<div class="qr" role="img" aria-label="[^"]+"><svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
      );
      assert.doesNotMatch(page.html, /<img /, 'no image is fetched');
      const secretText = /<code id="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(page.html)?.[1];
      assert.ok(secretText, 'the key is shown as text');
      assert.match(secretText, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/, 'in groups of four');
      const uri = new URL(unescape(/<a id="totp-uri" href="([^"]+)"/.exec(page.html)![1]!));
      assert.equal(uri.protocol, 'otpauth:');
      assert.equal(uri.host, 'totp');
      assert.equal(decodeURIComponent(uri.pathname), '/Enrol  Demo:alice', "the issuer without its ':'");
      assert.equal(uri.searchParams.get('secret'), secretText.replace(/ /g, ''));
      assert.equal(uri.searchParams.get('issuer'), 'Enrol  Demo');
      assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
      assert.equal(uri.searchParams.get('digits'), '6');
      assert.equal(uri.searchParams.get('period'), '30');
      assert.match(page.html, /<label for="totp">One-time code<\/label>/);
      assert.match(page.html, /<label for="userLabel">Device Name<\/label>/);
      const totpSecret = /name="totpSecret" value="([^"]+)"/.exec(page.html)![1]!;

      const key = base32Decode(secretText);
      const now = Math.floor(Date.now() / 1000);
      const missing = await page.browser.post(page.action, { auth_request: page.authRequest, totpSecret, totp: '' });
      assert.equal(missing.status, 400);
      assert.match(await missing.text(), /id="totp-error" role="alert">Please specify authenticator code\.</);
      const wrong = await page.browser.post(page.action, {
        auth_request: page.authRequest,
        totpSecret,
        totp: rfcTotp(key, now + 600),
      });
      assert.equal(wrong.status, 400);
      const wrongHtml = await wrong.text();
      assert.match(wrongHtml, /id="totp"[^>]*aria-invalid="true" aria-describedby="totp-error"/);
      assert.match(wrongHtml, /id="totp-error" role="alert">Invalid authenticator code\.</);
      assert.match(wrongHtml, new RegExp(`name="totpSecret" value="${totpSecret}"`), 'the same key is offered again');

      const code = rfcTotp(key, now);
      const done = await page.browser.post(page.action, {
        auth_request: page.authRequest,
        totpSecret,
        totp: code,
        userLabel: 'Work phone',
      });
      assert.equal(done.status, 303);
      assert.ok(new URL(done.headers.get('location')!).searchParams.get('code'));

      const user = await steps.provider.ctx.realms.userByUsername(
        (await steps.provider.ctx.realms.realmByName('enrol'))!.id,
        'alice',
      );
      const saved = await steps.provider.ctx.otpCredentials.ofUser(user!.id);
      assert.equal(saved.length, 1);
      assert.equal(saved[0]!.user_label, 'Work phone');
      assert.equal(saved[0]!.type, 'totp');
      assert.deepEqual(user!.requiredActions, []);

      // The next sign-in asks for a code; the enrolment's code is used up.
      const next = await steps.afterPassword('alice', 'alice-pw');
      assert.match(next.html, /<h1>One-time code<\/h1>/);
      const replay = await next.browser.post(next.action, { auth_request: next.authRequest, otp: code });
      assert.equal(replay.status, 401);
      const later = await next.browser.post(next.action, {
        auth_request: next.authRequest,
        otp: rfcTotp(key, now + 30),
      });
      assert.equal(later.status, 303);
    });
  });
}
