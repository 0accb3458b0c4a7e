// --http-relative-path /auth keeps the old Keycloak URLs (…/auth/realms/…) working.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { startTestProvider } from '../helpers/provider.ts';

test('with /auth prefix: discovery and endpoints live under /auth/realms/{realm}', async () => {
  const t = await startTestProvider(TEST_DATABASES[0]!, { httpRelativePath: '/auth' });
  try {
    const res = await t.fetch('https://sso.test/auth/realms/test/.well-known/openid-configuration');
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, string>;
    assert.equal(doc.issuer, 'https://sso.test/auth/realms/test');
    assert.equal(doc.token_endpoint, 'https://sso.test/auth/realms/test/protocol/openid-connect/token');
    assert.equal(doc.end_session_endpoint, 'https://sso.test/auth/realms/test/protocol/openid-connect/logout');
    assert.equal((await t.fetch('https://sso.test/realms/test/.well-known/openid-configuration')).status, 404);
  } finally {
    await t.close();
  }
});

test('discovery advertises the logout metadata of standards §1', async () => {
  const t = await startTestProvider(TEST_DATABASES[0]!);
  try {
    const doc = (await (
      await t.fetch('https://sso.test/realms/test/.well-known/openid-configuration')
    ).json()) as Record<string, unknown>;
    for (const key of [
      'backchannel_logout_supported',
      'backchannel_logout_session_supported',
      'frontchannel_logout_supported',
      'frontchannel_logout_session_supported',
    ]) {
      assert.equal(doc[key], true, key);
    }
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
  } finally {
    await t.close();
  }
});
