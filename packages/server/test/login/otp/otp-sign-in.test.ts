// Users imported from a Keycloak export with an `otp` credential give a one-time code after the
// password (Keycloak's browser flow), the password grant asks for `totp` (Keycloak's direct
// grant), codes are used once (RFC 6238 §5.2) unless the realm's otpPolicyCodeReusable, HOTP
// counters move on with look-ahead (RFC 4226 §7.2), and wrong codes are throttled. Codes are
// computed by the test from the RFCs (test/helpers/rfc-otp.ts), not by the server's library.
// On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createProvider, type Provider } from '../../../src/provider.ts';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { openStore, type Store } from '../../../src/store/database.ts';
import { Browser, parseLoginForm } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { authUrl, form, pkce } from '../../helpers/oauth.ts';
import { base32Decode, rfcHotp, rfcTotp } from '../../helpers/rfc-otp.ts';
import { BASE32_SECRET, HOTP_SECRET, OTP_SECRET, otpRealm } from '../../helpers/otp-realm.ts';

const BASE = 'https://sso.test';
const OIDC = `${BASE}/realms/otp/protocol/openid-connect`;
const now = () => Math.floor(Date.now() / 1000);
const totp = (offsetSteps = 0) => rfcTotp(Buffer.from(OTP_SECRET), now() + offsetSteps * 30);

for (const db of TEST_DATABASES) {
  describe(`one-time codes at sign-in (${db.name})`, { skip: db.skip }, () => {
    let store: Store;
    let provider: Provider;
    let drop: () => Promise<void>;
    const fetch = async (input: string | Request, init?: RequestInit) =>
      provider.fetch(typeof input === 'string' ? new Request(input, init) : input);
    before(async () => {
      const created = await db.create();
      drop = created.drop;
      store = await openStore(created.config);
      await importRealm(store.db, parseRealmJson(otpRealm()));
      provider = await createProvider(store, { publicUrl: BASE, background: false });
    });
    after(async () => {
      await provider.close();
      await store.close();
      await drop();
    });

    async function toCodePage(browser: Browser, username: string) {
      const { challenge } = pkce();
      const open = await browser.get(
        authUrl(
          {
            client_id: 'app',
            redirect_uri: 'http://localhost/callback',
            code_challenge: challenge,
            code_challenge_method: 'S256',
          },
          OIDC,
        ),
      );
      const login = parseLoginForm(await open.text(), OIDC);
      const res = await browser.post(login.action, { auth_request: login.authRequest, username, password: 'password' });
      assert.equal(res.status, 200);
      const html = await res.text();
      return { html, form: parseLoginForm(html, OIDC) };
    }
    const grant = (username: string, extra: Record<string, string> = {}) =>
      fetch(
        `${OIDC}/token`,
        form({ grant_type: 'password', client_id: 'app', username, password: 'password', ...extra }),
      );

    test('keycloak-otp-after-password: the imported user gets the One-time code page, then signs in with a code', async () => {
      const browser = new Browser(fetch);
      const { html, form: step } = await toCodePage(browser, 'admin@example.com');
      assert.match(html, /<h1>One-time code<\/h1>/);
      assert.match(html, /<label for="otp">One-time code<\/label>/);
      assert.match(html, /name="otp"[^>]*autocomplete="one-time-code"/);
      assert.match(step.action, /\/login-actions\/otp$/);
      assert.equal(browser.cookie('SUNDOWN_SESSION'), undefined, 'no SSO session before the code');

      const wrong = await browser.post(step.action, { auth_request: step.authRequest, otp: '000000' });
      assert.equal(wrong.status, 401);
      const wrongHtml = await wrong.text();
      assert.match(wrongHtml, /id="otp"[^>]*aria-invalid="true" aria-describedby="otp-hint otp-error"/);
      assert.match(wrongHtml, /<div class="error" id="otp-error" role="alert">Invalid authenticator code\.<\/div>/);

      const done = await browser.post(step.action, { auth_request: step.authRequest, otp: totp() });
      assert.equal(done.status, 303);
      const location = new URL(done.headers.get('location')!);
      assert.equal(location.origin + location.pathname, 'http://localhost/callback');
      assert.ok(location.searchParams.get('code'));
      assert.ok(browser.cookie('SUNDOWN_SESSION'));
    });

    test('otp-step-cannot-be-skipped: past the password, the required-action endpoint still refuses', async () => {
      const browser = new Browser(fetch);
      const { form: step } = await toCodePage(browser, 'admin@example.com');
      const skip = await browser.post(`${BASE}/realms/otp/login-actions/required-action`, {
        auth_request: step.authRequest,
      });
      assert.equal(skip.status, 400);
    });

    test('rfc6238-5.2-single-use: a code accepted once is refused the second time, in the grant and in a browser', async () => {
      const code = totp(1);
      const first = await grant('admin@example.com', { totp: code });
      assert.equal(first.status, 200, await first.clone().text());
      const again = await grant('admin@example.com', { totp: code });
      assert.deepEqual(await again.json(), { error: 'invalid_grant', error_description: 'Invalid user credentials' });
      const browser = new Browser(fetch);
      const { form: step } = await toCodePage(browser, 'admin@example.com');
      const replay = await browser.post(step.action, { auth_request: step.authRequest, otp: code });
      assert.equal(replay.status, 401, 'the same code in a browser is refused too');
    });

    test('keycloak-direct-grant-totp: without `totp` the password grant answers invalid_grant "Invalid user credentials"', async () => {
      const res = await grant('admin@example.com');
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { error: 'invalid_grant', error_description: 'Invalid user credentials' });
      assert.equal((await grant('plain')).status, 200, 'a user without a code credential needs none');
    });

    test('rfc4226-7.2-look-ahead: HOTP accepts the counter or one ahead, moves past it, and refuses it again', async () => {
      const key = Buffer.from(HOTP_SECRET);
      assert.equal((await grant('hotp-user', { totp: rfcHotp(key, 5) })).status, 200, 'counter 5 (stored)');
      assert.equal((await grant('hotp-user', { totp: rfcHotp(key, 5) })).status, 400, 'counter 5 again');
      assert.equal((await grant('hotp-user', { totp: rfcHotp(key, 7) })).status, 200, 'counter 7: one ahead of 6');
      assert.equal((await grant('hotp-user', { totp: rfcHotp(key, 10) })).status, 400, 'counter 10: beyond the window');
      assert.equal((await grant('hotp-user', { totp: rfcHotp(key, 8) })).status, 200, 'counter 8: the next one');
    });

    test('keycloak-credential-data: digits 8, period 60, HmacSHA256 and a BASE32 secret come from the credential', async () => {
      const code = rfcTotp(base32Decode(BASE32_SECRET), now(), 8, 'sha256', 60);
      assert.equal((await grant('sha256-user', { totp: code })).status, 200);
    });
  });
}

describe('otpPolicyCodeReusable and throttling (sqlite)', () => {
  let store: Store;
  let provider: Provider;
  let drop: () => Promise<void>;
  const fetch = async (input: string | Request, init?: RequestInit) =>
    provider.fetch(typeof input === 'string' ? new Request(input, init) : input);
  before(async () => {
    const created = await TEST_DATABASES[0]!.create();
    drop = created.drop;
    store = await openStore(created.config);
    await importRealm(store.db, parseRealmJson(otpRealm({ otpPolicyCodeReusable: true })));
    provider = await createProvider(store, { publicUrl: BASE, background: false });
  });
  after(async () => {
    await provider.close();
    await store.close();
    await drop();
  });
  const grant = (code: string) =>
    fetch(
      `${OIDC}/token`,
      form({
        grant_type: 'password',
        client_id: 'app',
        username: 'admin@example.com',
        password: 'password',
        totp: code,
      }),
    );

  test('keycloak-otp-code-reusable: with otpPolicyCodeReusable the same code signs in twice', async () => {
    const code = totp();
    assert.equal((await grant(code)).status, 200);
    assert.equal((await grant(code)).status, 200);
  });

  test('otp-throttled-like-passwords: after 5 wrong codes from one address the next attempt is 429, the right code too', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await grant(i === 0 ? '111111' : `11111${i}`)).status, 400);
    const locked = await grant(totp());
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get('retry-after')) >= 1);
  });
});
