// The admin API of a user's credentials (Keycloak's GET /users/{id}/credentials and DELETE
// /users/{id}/credentials/{credentialId}): the list has Keycloak's shape and never a secret;
// deleting the otp credential lets the user sign in without a code. And a realm's
// `defaultAction` required actions are given to users the admin API creates (Keycloak's addUser).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { form } from '../helpers/oauth.ts';
import { OTP_SECRET, otpRealm } from '../helpers/otp-realm.ts';
import { BASE, type SignInSteps, signInSteps } from '../helpers/sign-in-steps.ts';

for (const db of TEST_DATABASES) {
  describe(`admin API: user credentials (${db.name})`, { skip: db.skip }, () => {
    let steps: SignInSteps;
    let token: string;
    before(async () => {
      steps = await signInSteps(db, otpRealm());
      await ensureBootstrapAdmin(steps.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await steps.fetch(
        `${BASE}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      token = ((await res.json()) as { access_token: string }).access_token;
    });
    after(() => steps.close());
    const call = (method: string, path: string, body?: unknown) =>
      steps.fetch(`${BASE}/admin/realms${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    test('keycloak-admin-user-credentials: list without secrets; deleting the otp credential drops the code step', async () => {
      const [user] = (await (await call('GET', '/otp/users?username=admin@example.com')).json()) as Array<{
        id: string;
      }>;
      const listed = await call('GET', `/otp/users/${user!.id}/credentials`);
      assert.equal(listed.status, 200);
      const text = await listed.text();
      assert.ok(!text.includes(OTP_SECRET) && !text.includes('secretData'), 'no secret in the list');
      const creds = JSON.parse(text) as Array<Record<string, unknown>>;
      assert.deepEqual(
        creds.map((c) => c.type),
        ['password', 'otp'],
      );
      assert.deepEqual(JSON.parse(creds[0]!.credentialData as string), {
        hashIterations: 27500,
        algorithm: 'pbkdf2-sha256',
      });
      const otp = creds[1]!;
      assert.equal(otp.userLabel, 'Phone');
      assert.equal(otp.createdDate, 1733480000000);
      assert.deepEqual(JSON.parse(otp.credentialData as string), {
        subType: 'totp',
        digits: 6,
        counter: 0,
        period: 30,
        algorithm: 'HmacSHA1',
      });

      assert.equal((await steps.grant('admin@example.com', 'password')).status, 400, 'a code is needed');
      assert.equal((await call('DELETE', `/otp/users/${user!.id}/credentials/${String(otp.id)}`)).status, 204);
      assert.equal((await steps.grant('admin@example.com', 'password')).status, 200, 'no code any more');
      assert.equal((await call('DELETE', `/otp/users/${user!.id}/credentials/${String(otp.id)}`)).status, 404);
    });

    test('keycloak-default-required-action: a user created through the admin API gets the realm default actions', async () => {
      assert.equal(
        (
          await call('POST', '', {
            realm: 'defaults',
            requiredActions: [
              { alias: 'UPDATE_PROFILE', enabled: true, defaultAction: true, priority: 40 },
              { alias: 'CONFIGURE_TOTP', enabled: true, defaultAction: false, priority: 10 },
            ],
          })
        ).status,
        201,
      );
      const realm = (await (await call('GET', '/defaults')).json()) as Record<string, unknown>;
      assert.equal(realm.otpPolicyType, 'totp');
      assert.equal(realm.otpPolicyCodeReusable, false);
      assert.equal((await call('POST', '/defaults/users', { username: 'newbie' })).status, 201);
      const [created] = (await (await call('GET', '/defaults/users?username=newbie')).json()) as Array<{
        requiredActions: string[];
      }>;
      assert.deepEqual(created!.requiredActions, ['UPDATE_PROFILE']);
    });
  });
}
