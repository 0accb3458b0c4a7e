// UPDATE_PROFILE: email, first and last name, each required, the email's form checked and an
// email another user has refused, errors tied to their fields; once saved the sign-in goes on
// and a changed email is no longer verified.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isEmailAddress } from '../../../src/login/required-actions/update-profile.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { APP_CLIENT, type SignInSteps, signInSteps } from '../../helpers/sign-in-steps.ts';

const REALM = {
  realm: 'profile',
  clients: [APP_CLIENT],
  users: [
    {
      username: 'bob',
      email: 'bob@old.example',
      emailVerified: true,
      firstName: 'Bob',
      credentials: [{ type: 'password', value: 'bob-pw' }],
      requiredActions: ['UPDATE_PROFILE'],
    },
    { username: 'carol', email: 'carol@example.com', credentials: [{ type: 'password', value: 'carol-pw' }] },
  ],
};

test('email-format: local@domain addresses pass, the rest do not', () => {
  for (const ok of ['a@b.example', 'first.last+tag@sub.example.org', 'x@localhost'])
    assert.equal(isEmailAddress(ok), true, ok);
  for (const bad of [
    '',
    'plain',
    '@example.com',
    'a@',
    'a@@b.example',
    'a b@example.com',
    'a@-x.example',
    'a..b@example.com',
    'a@b..example',
  ])
    assert.equal(isEmailAddress(bad), false, bad);
});

for (const db of TEST_DATABASES) {
  describe(`UPDATE_PROFILE (${db.name})`, { skip: db.skip }, () => {
    let steps: SignInSteps;
    before(async () => {
      steps = await signInSteps(db, REALM);
    });
    after(() => steps.close());

    test('keycloak-update-profile: checked fields with Keycloak messages, then signed in with the new profile', async () => {
      const page = await steps.afterPassword('bob', 'bob-pw');
      assert.match(page.html, /<h1>Update Account Information<\/h1>/);
      assert.match(
        page.html,
        /<label for="email">Email<\/label>\s*<input type="text" id="email" name="email" value="bob@old.example"/,
      );
      assert.match(page.html, /<label for="firstName">First name<\/label>/);
      assert.match(page.html, /<label for="lastName">Last name<\/label>/);
      const post = (fields: Record<string, string>) =>
        page.browser.post(page.action, { auth_request: page.authRequest, ...fields });

      const bad = await post({ email: 'not-an-address', firstName: 'Bob', lastName: '' });
      assert.equal(bad.status, 400);
      const badHtml = await bad.text();
      assert.match(
        badHtml,
        /id="email"[^>]*value="not-an-address"[^>]*aria-invalid="true" aria-describedby="email-error"/,
      );
      assert.match(badHtml, /id="email-error" role="alert">Invalid email address\.</);
      assert.match(badHtml, /id="lastName-error" role="alert">Please specify last name\.</);
      assert.doesNotMatch(badHtml, /firstName-error/);

      const taken = await post({ email: 'Carol@example.com', firstName: 'Bob', lastName: 'Builder' });
      assert.equal(taken.status, 400);
      assert.match(await taken.text(), /id="email-error" role="alert">Email already exists\.</);

      const done = await post({ email: 'bob@new.example', firstName: 'Bob', lastName: 'Builder' });
      assert.equal(done.status, 303);
      const realm = await steps.provider.ctx.realms.realmByName('profile');
      const bob = await steps.provider.ctx.realms.userByUsername(realm!.id, 'bob');
      assert.equal(bob!.email, 'bob@new.example');
      assert.equal(bob!.lastName, 'Builder');
      assert.equal(bob!.emailVerified, false, 'a changed email is not verified');
      assert.deepEqual(bob!.requiredActions, []);
      assert.equal((await steps.grant('bob', 'bob-pw')).status, 200);
    });
  });
}
