// The sign-in form: CSRF binding, error messages, throttling of repeated failures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, parseLoginForm } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl } from '../helpers/oauth.ts';
import { OIDC, startTestProvider, type TestProvider } from '../helpers/provider.ts';

const WEB_CB = 'https://web.example/callback';

describe('login form', () => {
  let t: TestProvider;
  before(async () => {
    t = await startTestProvider(TEST_DATABASES[0]!, {
      throttle: {
        userFailures: 3,
        baseLockoutMs: 60_000,
        maxLockoutMs: 600_000,
        windowMs: 600_000,
      },
    });
  });
  after(() => t?.close());

  async function openForm(browser: Browser) {
    const page = await browser.get(authUrl({ client_id: 'web', redirect_uri: WEB_CB }));
    assert.equal(page.status, 200);
    return parseLoginForm(await page.text(), OIDC);
  }

  test('wrong password re-renders the form with a clear, accessible error and no session', async () => {
    const browser = new Browser(t.fetch);
    const f = await openForm(browser);
    const res = await browser.post(f.action, {
      auth_request: f.authRequest,
      username: 'bob',
      password: 'wrong',
    });
    assert.equal(res.status, 401);
    const html = await res.text();
    assert.match(html, /role="alert">Invalid username or password\./);
    assert.match(html, /aria-invalid="true"/);
    assert.equal(browser.cookie('SUNDOWN_SESSION'), undefined);
    const events = await t.provider.ctx.events.list((await t.provider.ctx.realms.realmByName('test'))!.id, {
      type: 'LOGIN_ERROR',
    });
    assert.ok(events.some((e) => e.error === 'invalid_user_credentials'));
  });

  test('unknown user gets the same message as a wrong password', async () => {
    const browser = new Browser(t.fetch);
    const f = await openForm(browser);
    const res = await browser.post(f.action, {
      auth_request: f.authRequest,
      username: 'nobody',
      password: 'x',
    });
    assert.equal(res.status, 401);
    assert.match(await res.text(), /Invalid username or password\./);
  });

  test('login CSRF: a form posted from another browser (no binding cookie) is refused', async () => {
    const attacker = new Browser(t.fetch);
    const f = await openForm(attacker);
    const victim = new Browser(t.fetch);
    const res = await victim.post(f.action, {
      auth_request: f.authRequest,
      username: 'alice',
      password: 'alice-pw',
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /expired or was opened in another browser/);
    assert.equal(victim.cookie('SUNDOWN_SESSION'), undefined);
  });

  test('a used login form cannot be replayed', async () => {
    const browser = new Browser(t.fetch);
    const f = await openForm(browser);
    const ok = await browser.post(f.action, {
      auth_request: f.authRequest,
      username: 'alice',
      password: 'alice-pw',
    });
    assert.equal(ok.status, 303);
    const again = await browser.post(f.action, {
      auth_request: f.authRequest,
      username: 'alice',
      password: 'alice-pw',
    });
    assert.equal(again.status, 400);
  });

  test('the session cookie is HttpOnly and SameSite=Lax, scoped to the realm', async () => {
    const browser = new Browser(t.fetch);
    const f = await openForm(browser);
    const ok = await browser.post(f.action, {
      auth_request: f.authRequest,
      username: 'alice',
      password: 'alice-pw',
    });
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('SUNDOWN_SESSION='))!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\/realms\/test\//);
    assert.match(cookie, /Secure/, 'https issuer gets Secure cookies');
  });

  test('repeated failures lock the user out from that address with 429 and Retry-After, even with the right password', async () => {
    const browser = new Browser(t.fetch);
    for (let i = 0; i < 3; i++) {
      const f = await openForm(browser);
      const res = await browser.post(f.action, {
        auth_request: f.authRequest,
        username: 'bob',
        password: `wrong${i}`,
      });
      assert.ok(res.status === 401 || res.status === 429);
    }
    const f = await openForm(browser);
    const locked = await browser.post(f.action, {
      auth_request: f.authRequest,
      username: 'bob',
      password: 'bob-pw',
    });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    assert.match(await locked.text(), /Too many failed login attempts/);
  });

  test('empty fields get a clear message', async () => {
    const browser = new Browser(t.fetch);
    const f = await openForm(browser);
    const res = await browser.post(f.action, { auth_request: f.authRequest, username: '', password: '' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Enter your username and password\./);
  });

  test('user input is escaped in the page', async () => {
    const page = await new Browser(t.fetch).get(
      authUrl({ client_id: 'web', redirect_uri: WEB_CB, login_hint: '"><script>alert(1)</script>' }),
    );
    const html = await page.text();
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /&quot;&gt;&lt;script&gt;/);
  });
});
