// Required actions run after the password and before the SSO session: minder's real export has
// root / root with UPDATE_PASSWORD, as its README says ("You will immediately be prompted to
// change your password"). The page names its fields, ties errors to them, and the sign-in only
// finishes once the new password is saved; the password grant refuses until then. Admin
// reset-password with temporary: true sets UPDATE_PASSWORD, as in Keycloak.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createProvider, type Provider } from '../../src/provider.ts';
import { importRealmFiles } from '../../src/realm-import/import-realm.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { Browser, parseLoginForm } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, form, pkce } from '../helpers/oauth.ts';

const BASE = 'https://sso.test';
const OIDC = `${BASE}/realms/stacklok/protocol/openid-connect`;
const EXPORT = new URL('../fixtures/keycloak-exports/minder/stacklok-realm-with-user-and-client.json', import.meta.url)
  .pathname;

describe('required actions (minder export: root / root must update the password)', () => {
  let store: Store;
  let provider: Provider;
  let drop: () => Promise<void>;
  const fetch = async (input: string | Request, init?: RequestInit) =>
    provider.fetch(typeof input === 'string' ? new Request(input, init) : input);
  before(async () => {
    const created = await TEST_DATABASES[0]!.create();
    drop = created.drop;
    store = await openStore(created.config);
    await importRealmFiles(store.db, [join(EXPORT)]);
    provider = await createProvider(store, { publicUrl: BASE, background: false });
  });
  after(async () => {
    await provider.close();
    await store.close();
    await drop();
  });

  const grant = (password: string) =>
    fetch(
      `${OIDC}/token`,
      form({ grant_type: 'password', client_id: 'admin-cli', username: 'root', password, scope: 'openid' }),
    );

  test('temporary password → the update-password page → a new password → signed in', async () => {
    const browser = new Browser(fetch);
    const { challenge } = pkce();
    const open = await browser.get(
      authUrl(
        {
          client_id: 'mediator-cli',
          redirect_uri: 'http://localhost/callback',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        OIDC,
      ),
    );
    const login = parseLoginForm(await open.text(), OIDC);
    const afterPassword = await browser.post(login.action, {
      auth_request: login.authRequest,
      username: 'root',
      password: 'root',
    });
    assert.equal(afterPassword.status, 200);
    const pageHtml = await afterPassword.text();
    assert.match(pageHtml, /<h1>Update password<\/h1>/);
    assert.match(pageHtml, /<label for="password-new">New password<\/label>/);
    assert.match(pageHtml, /<label for="password-confirm">Confirm password<\/label>/);
    assert.equal(browser.cookie('SUNDOWN_SESSION'), undefined, 'no SSO session before the action is done');
    const step = parseLoginForm(pageHtml, OIDC);
    assert.match(step.action, /\/login-actions\/required-action$/);

    const mismatch = await browser.post(step.action, {
      auth_request: step.authRequest,
      'password-new': 'n3w-Passw0rd',
      'password-confirm': 'other',
    });
    assert.equal(mismatch.status, 400);
    const mismatchHtml = await mismatch.text();
    assert.match(
      mismatchHtml,
      /id="password-confirm"[^>]*aria-invalid="true" aria-describedby="password-confirm-error"/,
    );
    assert.match(
      mismatchHtml,
      /<div class="error" id="password-confirm-error" role="alert">Passwords don&#39;t match\.<\/div>/,
    );

    assert.deepEqual(await (await grant('root')).json(), {
      error: 'invalid_grant',
      error_description: 'Account is not fully set up',
    });

    const done = await browser.post(step.action, {
      auth_request: step.authRequest,
      'password-new': 'n3w-Passw0rd',
      'password-confirm': 'n3w-Passw0rd',
    });
    assert.equal(done.status, 303);
    const location = new URL(done.headers.get('location')!);
    assert.equal(location.origin + location.pathname, 'http://localhost/callback');
    assert.ok(location.searchParams.get('code'));
    assert.ok(browser.cookie('SUNDOWN_SESSION'), 'the SSO session starts once the action is done');

    assert.equal((await grant('root')).status, 400, 'the temporary password is gone');
    assert.equal((await grant('n3w-Passw0rd')).status, 200);
  });

  test('a required-action form without its browser binding is refused', async () => {
    const other = new Browser(fetch);
    const res = await other.post(`${BASE}/realms/stacklok/login-actions/required-action`, {
      auth_request: 'made-up',
      'password-new': 'x',
      'password-confirm': 'x',
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /expired or was opened in another browser/);
  });
});
