// The realm's `requiredActions` registrations: a user's pending actions run in the realm's
// priority order, a disabled one is skipped (the sign-in and the password grant go on without
// it, as Keycloak's executionActions skips it), Keycloak's defaults apply when the file has
// none (terms and conditions off), and `defaultAction` ones are given to new users.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  defaultRequiredActions,
  pendingRequiredActions,
  REQUIRED_ACTION_DEFAULTS,
} from '../../../src/realm/required-actions.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { APP_CLIENT, type SignInSteps, signInSteps } from '../../helpers/sign-in-steps.ts';

const REGISTERED = [
  { alias: 'CONFIGURE_TOTP', enabled: true, defaultAction: false, priority: 10 },
  { alias: 'terms_and_conditions', enabled: true, defaultAction: false, priority: 20 },
  { alias: 'UPDATE_PROFILE', enabled: true, defaultAction: true, priority: 5 },
  { alias: 'VERIFY_EMAIL', enabled: false, defaultAction: false, priority: 50 },
  { alias: 'webauthn-register', enabled: true, defaultAction: false, priority: 70 },
];

test('keycloak-required-action-order: pending actions follow the realm priority; disabled and unknown ones are skipped', () => {
  const parsed = parseRealmJson({ realm: 'r', requiredActions: REGISTERED });
  const realm = { requiredActionSettings: parsed.realm.requiredActionSettings };
  assert.deepEqual(
    pendingRequiredActions(realm, { requiredActions: ['TERMS_AND_CONDITIONS', 'VERIFY_EMAIL', 'UPDATE_PROFILE'] }),
    ['UPDATE_PROFILE', 'TERMS_AND_CONDITIONS'],
  );
  assert.deepEqual(defaultRequiredActions(realm), ['UPDATE_PROFILE']);
  assert.ok(
    parsed.ignored.some((p) => p.includes('webauthn-register')),
    'an action Sundown lacks is reported',
  );
});

test('keycloak-required-action-defaults: without registrations, Keycloak defaults (terms and conditions disabled)', () => {
  const realm = { requiredActionSettings: REQUIRED_ACTION_DEFAULTS };
  assert.deepEqual(pendingRequiredActions(realm, { requiredActions: ['TERMS_AND_CONDITIONS', 'UPDATE_PASSWORD'] }), [
    'UPDATE_PASSWORD',
  ]);
  assert.deepEqual(defaultRequiredActions(realm), []);
});

const REALM = {
  realm: 'ordered',
  requiredActions: REGISTERED,
  clients: [APP_CLIENT],
  users: [
    {
      username: 'dave',
      email: 'dave@example.com',
      firstName: 'Dave',
      lastName: 'D',
      credentials: [{ type: 'password', value: 'pw' }],
      requiredActions: ['TERMS_AND_CONDITIONS', 'VERIFY_EMAIL', 'UPDATE_PROFILE'],
    },
    { username: 'erin', credentials: [{ type: 'password', value: 'pw' }], requiredActions: ['VERIFY_EMAIL'] },
  ],
};

for (const db of TEST_DATABASES) {
  describe(`the realm's required actions at sign-in (${db.name})`, { skip: db.skip }, () => {
    let steps: SignInSteps;
    before(async () => {
      steps = await signInSteps(db, REALM);
    });
    after(() => steps.close());

    test('keycloak-required-action-sequence: profile (priority 5), then terms (20), then signed in; the disabled VERIFY_EMAIL skipped', async () => {
      const first = await steps.afterPassword('dave', 'pw');
      assert.match(first.html, /<h1>Update Account Information<\/h1>/);
      const second = await first.browser.post(first.action, {
        auth_request: first.authRequest,
        email: 'dave@example.com',
        firstName: 'Dave',
        lastName: 'D',
      });
      assert.equal(second.status, 200);
      assert.match(await second.text(), /<h1>Terms and Conditions<\/h1>/);
      assert.equal(first.browser.cookie('SUNDOWN_SESSION'), undefined, 'no SSO session while actions are pending');
      const done = await first.browser.post(first.action, { auth_request: first.authRequest, accept: 'Accept' });
      assert.equal(done.status, 303);
      assert.ok(first.browser.cookie('SUNDOWN_SESSION'));
    });

    test('keycloak-disabled-required-action: a user whose only action is disabled signs in, by grant too', async () => {
      assert.equal((await steps.grant('erin', 'pw')).status, 200);
    });
  });
}
