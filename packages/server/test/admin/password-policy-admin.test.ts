// The realm's password policy wherever the admin API sets a password (reset-password, user
// creation with credentials), with Keycloak's error JSON; passwordHistory; duplicateEmailsAllowed
// on user create and update — on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { form } from '../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../helpers/provider.ts';

const REALM = {
  realm: 'pol',
  passwordPolicy: 'length(12) and digits(1) and notUsername and passwordHistory(2)',
  clients: [{ clientId: 'cli', publicClient: true, standardFlowEnabled: false, directAccessGrantsEnabled: true }],
  users: [
    { username: 'carol', email: 'carol@example.com', credentials: [{ type: 'password', value: 'first-passw0rd' }] },
    { username: 'dave', email: 'dave@example.com' },
  ],
};

for (const db of TEST_DATABASES) {
  describe(`admin API password policy and unique emails (${db.name})`, { skip: db.skip }, () => {
    let t: TestProvider;
    let token: string;
    before(async () => {
      t = await startTestProvider(db, { background: false }, [REALM]);
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await t.fetch(
        `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      token = ((await res.json()) as { access_token: string }).access_token;
    });
    after(() => t?.close());
    const call = (method: string, path: string, body?: unknown) =>
      t.fetch(`${ISSUER_BASE}/admin/realms/pol${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const idOf = async (username: string) =>
      ((await (await call('GET', `/users?username=${username}`)).json()) as Array<{ id: string }>)[0]!.id;
    const grant = (username: string, password: string) =>
      t.fetch(
        `${ISSUER_BASE}/realms/pol/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'cli', username, password }),
      );

    test('reset-password below the policy: 400 with the message key and Keycloak text', async () => {
      const res = await call('PUT', `/users/${await idOf('carol')}/reset-password`, {
        type: 'password',
        value: 'short1',
        temporary: false,
      });
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), {
        error: 'invalidPasswordMinLengthMessage',
        error_description: 'Invalid password: minimum length 12.',
        errorMessage: 'Invalid password: minimum length 12.',
      });
      assert.equal((await grant('carol', 'first-passw0rd')).status, 200, 'the password is unchanged');
    });

    test('passwordHistory(2): the current password cannot be set again; an older one beyond the depth can', async () => {
      const id = await idOf('carol');
      const same = await call('PUT', `/users/${id}/reset-password`, { type: 'password', value: 'first-passw0rd' });
      assert.equal(same.status, 400);
      assert.equal(
        ((await same.json()) as { error_description: string }).error_description,
        'Invalid password: must not be equal to any of last 2 passwords.',
      );
      for (const value of ['second-passw0rd', 'third-passw0rd'])
        assert.equal((await call('PUT', `/users/${id}/reset-password`, { type: 'password', value })).status, 204);
      assert.equal(
        (await call('PUT', `/users/${id}/reset-password`, { type: 'password', value: 'second-passw0rd' })).status,
        400,
      );
      assert.equal(
        (await call('PUT', `/users/${id}/reset-password`, { type: 'password', value: 'first-passw0rd' })).status,
        204,
      );
      assert.equal((await grant('carol', 'first-passw0rd')).status, 200);
    });

    test('user create with credentials below the policy: 400, nobody created', async () => {
      const res = await call('POST', '/users', {
        username: 'erin',
        credentials: [{ type: 'password', value: 'erin' }],
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, 'invalidPasswordMinLengthMessage');
      const named = await call('POST', '/users', {
        username: 'erin',
        credentials: [{ type: 'password', value: 'erin' + 'x'.repeat(7) + '1' }],
      });
      assert.equal(named.status, 201);
      const notUsername = await call('POST', '/users', {
        username: 'frank-the-tank-1',
        credentials: [{ type: 'password', value: 'frank-the-tank-1' }],
      });
      assert.equal(((await notUsername.json()) as { error: string }).error, 'invalidPasswordNotUsernameMessage');
    });

    test('duplicateEmailsAllowed off: create and update with a taken email are 409 "User exists with same email"', async () => {
      const created = await call('POST', '/users', { username: 'gina', email: 'CAROL@example.com' });
      assert.equal(created.status, 409);
      assert.equal(((await created.json()) as { errorMessage: string }).errorMessage, 'User exists with same email');
      const updated = await call('PUT', `/users/${await idOf('dave')}`, { email: 'carol@example.com' });
      assert.equal(updated.status, 409);
      assert.equal((await call('PUT', `/users/${await idOf('carol')}`, { email: 'carol@example.com' })).status, 204);
    });

    test('the realm representation carries the policy; a realm update keeps it', async () => {
      const rep = (await (await call('GET', '')).json()) as { passwordPolicy: string; duplicateEmailsAllowed: boolean };
      assert.equal(rep.passwordPolicy, REALM.passwordPolicy);
      assert.equal(rep.duplicateEmailsAllowed, false);
      assert.equal((await call('PUT', '', { displayName: 'Policy' })).status, 204);
      const after = (await (await call('GET', '')).json()) as { passwordPolicy: string };
      assert.equal(after.passwordPolicy, REALM.passwordPolicy);
      assert.equal((await call('PUT', '', { passwordPolicy: 'nonsense(1)' })).status, 400);
    });
  });
}
