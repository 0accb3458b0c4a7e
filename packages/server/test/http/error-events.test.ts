// Every error event type the admin console offers as a filter is recorded by a real refused
// request (issue 13: CODE_TO_TOKEN_ERROR and REFRESH_TOKEN_ERROR were only recorded for a replayed
// code or a reused refresh token, never for the ordinary refusals), on every store. The list is
// read from the console page itself, so a new *_ERROR type without a producer fails here.
// (Back-channel delivery outcomes are not request errors; backchannel-delivery.test.ts covers them.)
// The test realm here also lets users reset their password and register (issue 22), under a
// password policy, and has no SMTP server, so its mail is refused.
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, parseLoginForm } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, basic, form, pkce } from '../helpers/oauth.ts';
import {
  ISSUER,
  ISSUER_BASE,
  OIDC,
  REALM,
  startTestProvider,
  TEST_REALM_JSON,
  type TestProvider,
} from '../helpers/provider.ts';

const WEB = { authorization: basic('web', 'web-secret') };

/** The test realm with its sign-in settings on, TERMS_AND_CONDITIONS switched on and a user who must accept the terms. */
function realmWithTerms(): unknown {
  const json = structuredClone(TEST_REALM_JSON) as { users: unknown[] } & Record<string, unknown>;
  // Issue 22: the forgot-password, registration and policy refusals below.
  Object.assign(json, { resetPasswordAllowed: true, registrationAllowed: true, passwordPolicy: 'length(12)' });
  json.requiredActions = [
    { alias: 'TERMS_AND_CONDITIONS', providerId: 'TERMS_AND_CONDITIONS', enabled: true, defaultAction: false },
    { alias: 'VERIFY_EMAIL', providerId: 'VERIFY_EMAIL', enabled: true, defaultAction: false },
  ];
  json.users.push({
    username: 'unverified-user',
    email: 'unverified@example.com',
    enabled: true,
    credentials: [{ type: 'password', value: 'unverified-pw' }],
    requiredActions: ['VERIFY_EMAIL'],
  });
  json.users.push({
    username: 'terms-user',
    enabled: true,
    credentials: [{ type: 'password', value: 'terms-pw' }],
    requiredActions: ['TERMS_AND_CONDITIONS'],
  });
  return json;
}

/** A browser signed in with the password to the page after it (the login form's next step). */
async function afterPassword(t: TestProvider, username: string, password: string) {
  const browser = new Browser(t.fetch);
  const { challenge } = pkce();
  const url = authUrl({
    client_id: 'web',
    redirect_uri: 'https://web.example/callback',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const login = parseLoginForm(await (await browser.get(url)).text(), url);
  const next = await browser.post(login.action, { auth_request: login.authRequest, username, password });
  return { browser, form: parseLoginForm(await next.text(), url) };
}

interface Refusal {
  /** Sends the request; it must be refused with this status. */
  send(t: TestProvider): Promise<Response>;
  status: number;
  /** What the event says. */
  error: string;
  clientId: string | null;
}

const REFUSALS: Record<string, Refusal> = {
  LOGIN_ERROR: {
    async send(t) {
      const browser = new Browser(t.fetch);
      const { challenge } = pkce();
      const url = authUrl({
        client_id: 'web',
        redirect_uri: 'https://web.example/callback',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const f = parseLoginForm(await (await browser.get(url)).text(), url);
      return browser.post(f.action, { auth_request: f.authRequest, username: 'alice', password: 'wrong' });
    },
    status: 401,
    error: 'invalid_user_credentials',
    clientId: 'web',
  },
  CODE_TO_TOKEN_ERROR: {
    send: (t) =>
      t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: 'https://web.example/callback' },
          WEB,
        ),
      ),
    status: 400,
    error: 'invalid_grant',
    clientId: 'web',
  },
  REFRESH_TOKEN_ERROR: {
    send: (t) =>
      t.fetch(`${OIDC}/token`, form({ grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token' }, WEB)),
    status: 400,
    error: 'invalid_grant',
    clientId: 'web',
  },
  // Issue 22: declining the terms fails the sign-in (Keycloak: rejected_by_user); the app is told
  // access_denied by a redirect.
  CUSTOM_REQUIRED_ACTION_ERROR: {
    async send(t) {
      const { browser, form: terms } = await afterPassword(t, 'terms-user', 'terms-pw');
      return browser.post(terms.action, { auth_request: terms.authRequest, cancel: 'Decline' });
    },
    status: 303,
    error: 'rejected_by_user',
    clientId: 'web',
  },
  // Issue 26: a callback from an upstream that names no round trip Sundown started.
  IDENTITY_PROVIDER_LOGIN_ERROR: {
    send: (t) => t.fetch(`${ISSUER_BASE}/realms/${REALM}/broker/no-such-idp/endpoint?state=forged&code=c`),
    status: 404,
    error: 'not_found',
    clientId: null,
  },
  LOGOUT_ERROR: {
    // RPI §3: a post-logout redirect needs a hint naming the client.
    send: (t) => t.fetch(`${OIDC}/logout?post_logout_redirect_uri=${encodeURIComponent('https://web.example/bye')}`),
    status: 400,
    error: 'invalid_request',
    clientId: null,
  },
  SEND_RESET_PASSWORD_ERROR: {
    // Keycloak's ResetCredentialEmail: the mail cannot go (no SMTP server, mail refused), so the
    // page says "Failed to send email" and the event says email_send_failed.
    send: (t) => t.fetch(`${ISSUER}/login-actions/reset-credentials`, form({ username: 'alice' })),
    status: 503,
    error: 'email_send_failed',
    clientId: null,
  },
  SEND_VERIFY_EMAIL_ERROR: {
    // Keycloak's VerifyEmail: the verification mail cannot go (no SMTP server), email_send_failed;
    // the sign-in stops at the page saying so. (Over the mail cap it is too_many_requests:
    // login/mail-throttle.test.ts.)
    async send(t) {
      const browser = new Browser(t.fetch);
      const url = authUrl({
        client_id: 'web',
        redirect_uri: 'https://web.example/callback',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      });
      const login = parseLoginForm(await (await browser.get(url)).text(), url);
      return browser.post(login.action, {
        auth_request: login.authRequest,
        username: 'unverified-user',
        password: 'unverified-pw',
      });
    },
    status: 200,
    error: 'email_send_failed',
    clientId: null,
  },
  EXECUTE_ACTION_TOKEN_ERROR: {
    // Keycloak's handleActionTokenVerificationException: a link that is not a valid action token.
    send: (t) => t.fetch(`${ISSUER}/login-actions/action-token?key=not-a-token`),
    status: 400,
    error: 'invalid_code',
    clientId: null,
  },
  REGISTER_ERROR: {
    // Keycloak's RegistrationPassword: a password the realm's policy refuses is invalid_registration.
    async send(t) {
      const browser = new Browser(t.fetch);
      const url = authUrl({
        client_id: 'web',
        redirect_uri: 'https://web.example/callback',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      });
      const login = parseLoginForm(await (await browser.get(url)).text(), url);
      const page = `${ISSUER}/login-actions/registration?auth_request=${encodeURIComponent(login.authRequest)}`;
      const f = parseLoginForm(await (await browser.get(page)).text(), page);
      return browser.post(f.action, {
        auth_request: f.authRequest,
        username: 'newcomer',
        email: 'newcomer@example.com',
        firstName: 'New',
        lastName: 'Comer',
        password: 'too-short',
        'password-confirm': 'too-short',
      });
    },
    status: 400,
    error: 'invalid_registration',
    clientId: 'web',
  },
};

async function consoleErrorEventTypes(t: TestProvider): Promise<string[]> {
  // The console is served once its master realm exists (without it, /admin/ says how to turn it on).
  await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
  const page = await (await t.fetch(`${ISSUER_BASE}/admin/`)).text();
  const json = /<script type="application\/json" id="sundown-config">(.*?)<\/script>/s.exec(page)?.[1];
  assert.ok(json, 'the console page carries its configuration');
  const { eventTypes } = JSON.parse(json) as { eventTypes: string[] };
  return eventTypes.filter((type) => type.endsWith('_ERROR'));
}

for (const database of TEST_DATABASES) {
  describe(`error events on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database, { mailWithoutSmtp: 'refuse' }, [realmWithTerms()]);
    });
    after(() => t?.close());

    test('each error event type the console filters by has a refused request that records it', async () => {
      assert.deepEqual((await consoleErrorEventTypes(t)).sort(), Object.keys(REFUSALS).sort());
    });

    for (const [type, refusal] of Object.entries(REFUSALS)) {
      test(`${type} is recorded by a refused request`, async () => {
        const realm = (await t.provider.ctx.realms.realmByName(REALM))!;
        const list = () =>
          t.store.db
            .selectFrom('event')
            .selectAll()
            .where('realm_id', '=', realm.id)
            .where('type', '=', type)
            .orderBy('id')
            .execute();
        const before = (await list()).length;
        const res = await refusal.send(t);
        assert.equal(res.status, refusal.status, await res.clone().text());
        const events = await list();
        assert.equal(events.length, before + 1, `one ${type} event`);
        const event = events.at(-1)!;
        assert.equal(event.error, refusal.error);
        assert.equal(event.client_id, refusal.clientId);
      });
    }
  });
}
