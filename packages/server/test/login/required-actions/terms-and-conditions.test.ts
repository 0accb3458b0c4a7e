// TERMS_AND_CONDITIONS (enabled in the realm file, as Keycloak registers it disabled by
// default): Accept records the time in the `terms_and_conditions` attribute and signs in;
// Decline signs nobody in and the application gets access_denied with its state, as Keycloak's
// sendError(CONSENT_DENIED) answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { APP_CLIENT, type SignInSteps, signInSteps } from '../../helpers/sign-in-steps.ts';

const user = (username: string) => ({
  username,
  credentials: [{ type: 'password', value: 'pw' }],
  requiredActions: ['TERMS_AND_CONDITIONS'],
});

const REALM = {
  realm: 'terms',
  requiredActions: [
    {
      alias: 'TERMS_AND_CONDITIONS',
      name: 'Terms and Conditions',
      providerId: 'TERMS_AND_CONDITIONS',
      enabled: true,
      defaultAction: false,
      priority: 20,
      config: {},
    },
  ],
  clients: [APP_CLIENT],
  users: [user('accepter'), user('decliner')],
};

for (const db of TEST_DATABASES) {
  describe(`TERMS_AND_CONDITIONS (${db.name})`, { skip: db.skip }, () => {
    let steps: SignInSteps;
    before(async () => {
      steps = await signInSteps(db, REALM);
    });
    after(() => steps.close());

    test('keycloak-terms-accept: Accept stores the time of acceptance and signs in', async () => {
      const page = await steps.afterPassword('accepter', 'pw');
      assert.match(page.html, /<h1>Terms and Conditions<\/h1>/);
      assert.match(page.html, /<button type="submit" id="kc-accept" name="accept" value="Accept">Accept<\/button>/);
      assert.match(page.html, /id="kc-decline" name="cancel" value="Decline"[^>]*>Decline<\/button>/);
      const before = Math.floor(Date.now() / 1000);
      const done = await page.browser.post(page.action, { auth_request: page.authRequest, accept: 'Accept' });
      assert.equal(done.status, 303);
      assert.ok(new URL(done.headers.get('location')!).searchParams.get('code'));
      const realm = await steps.provider.ctx.realms.realmByName('terms');
      const saved = await steps.provider.ctx.realms.userByUsername(realm!.id, 'accepter');
      const at = Number(saved!.attributes.terms_and_conditions?.[0]);
      assert.ok(at >= before && at <= before + 5, String(at));
    });

    test('keycloak-terms-decline: Decline signs nobody in; the application gets access_denied with its state', async () => {
      const page = await steps.afterPassword('decliner', 'pw', 'st-42');
      const declined = await page.browser.post(page.action, { auth_request: page.authRequest, cancel: 'Decline' });
      assert.equal(declined.status, 303);
      const location = new URL(declined.headers.get('location')!);
      assert.equal(location.origin + location.pathname, 'http://localhost/callback');
      assert.equal(location.searchParams.get('error'), 'access_denied');
      assert.equal(location.searchParams.get('state'), 'st-42');
      assert.equal(location.searchParams.get('code'), null);
      assert.equal(page.browser.cookie('SUNDOWN_SESSION'), undefined, 'no SSO session');
      const again = await page.browser.post(page.action, { auth_request: page.authRequest, accept: 'Accept' });
      assert.equal(again.status, 400, 'the declined sign-in is over');
      assert.deepEqual(await (await steps.grant('decliner', 'pw')).json(), {
        error: 'invalid_grant',
        error_description: 'Account is not fully set up',
      });
    });
  });
}
