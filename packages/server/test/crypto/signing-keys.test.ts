// Per-realm signing keys: published with kid, rotated without breaking issued tokens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { basic, form } from '../helpers/oauth.ts';
import { ISSUER, OIDC, startTestProvider } from '../helpers/provider.ts';

test('rotation: new tokens use the new kid; tokens signed before still verify against the JWKS', async () => {
  const t = await startTestProvider(TEST_DATABASES[0]!);
  try {
    const issue = async () =>
      (
        (await (
          await t.fetch(
            `${OIDC}/token`,
            form({ grant_type: 'client_credentials' }, { authorization: basic('service', 'service-secret') }),
          )
        ).json()) as {
          access_token: string;
        }
      ).access_token;
    const before = await issue();
    const realm = (await t.provider.ctx.realms.realmByName('test'))!;
    const newKid = await t.provider.ctx.keys.rotate(realm.id, 'RS256');
    const after = await issue();
    assert.equal(decodeProtectedHeader(after).kid, newKid);
    assert.notEqual(decodeProtectedHeader(before).kid, newKid);
    const jwks = (await (await t.fetch(`${OIDC}/certs`)).json()) as { keys: { kid: string; d?: string }[] };
    assert.ok(
      jwks.keys.every((k) => k.d === undefined),
      'no private parts published',
    );
    const set = createLocalJWKSet(jwks as never);
    await jwtVerify(before, set, { issuer: ISSUER });
    await jwtVerify(after, set, { issuer: ISSUER });
    const userinfo = await t.fetch(
      `${OIDC}/token/introspect`,
      form({ token: before }, { authorization: basic('service', 'service-secret') }),
    );
    assert.equal(
      ((await userinfo.json()) as { active: boolean }).active,
      true,
      'old token still introspects as active',
    );
  } finally {
    await t.close();
  }
});
