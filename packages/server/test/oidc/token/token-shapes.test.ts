// Token shapes that Keycloak clients decode (issue 14): ID tokens carry `typ: "ID"`, access
// tokens `typ: "Bearer"`, and refresh tokens are signed JWTs (`typ` "Refresh" or "Offline",
// `exp`, `sid`, `azp`, `jti`) that the server still tracks by a stored hash: rotation, reuse
// detection and revocation are unchanged, and a look-alike that was never stored is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { sha256 } from '../../../src/crypto/random.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { decodeJwt, form } from '../../helpers/oauth.ts';
import { ISSUER, OIDC, startTestProvider, type TestProvider } from '../../helpers/provider.ts';

interface Tokens {
  access_token: string;
  id_token: string;
  refresh_token: string;
  refresh_expires_in: number;
  error?: string;
}

for (const database of TEST_DATABASES) {
  describe(`token shapes on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database);
    });
    after(() => t?.close());

    const password = async (scope = 'openid'): Promise<Tokens> =>
      (await (
        await t.fetch(
          `${OIDC}/token`,
          form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: 'alice-pw', scope }),
        )
      ).json()) as Tokens;
    const refresh = async (token: string): Promise<{ status: number; body: Tokens }> => {
      const res = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'refresh_token', client_id: 'cli', refresh_token: token }),
      );
      return { status: res.status, body: (await res.json()) as Tokens };
    };

    test('ID tokens carry typ "ID" and access tokens typ "Bearer"', async () => {
      const tokens = await password();
      const id = decodeJwt(tokens.id_token);
      assert.equal(id.payload.typ, 'ID');
      assert.equal(id.header.typ, 'JWT');
      const access = decodeJwt(tokens.access_token);
      assert.equal(access.payload.typ, 'Bearer');
      assert.equal(access.header.typ, 'at+jwt');
    });

    test('a refresh token is an HS512 JWT with typ Refresh, exp, sid, azp, jti, iss and aud the issuer', async () => {
      const before = Math.floor(Date.now() / 1000);
      const tokens = await password();
      const { header, payload } = decodeJwt(tokens.refresh_token);
      assert.equal(header.alg, 'HS512');
      assert.equal(typeof header.kid, 'string');
      assert.equal(payload.typ, 'Refresh');
      assert.equal(payload.azp, 'cli');
      assert.equal(payload.sid, decodeJwt(tokens.id_token).payload.sid);
      assert.equal(payload.iss, ISSUER);
      assert.equal(payload.aud, ISSUER);
      assert.equal(typeof payload.jti, 'string');
      assert.equal(payload.sub, decodeJwt(tokens.id_token).payload.sub);
      // keycloak-js schedules from exp: it must agree with refresh_expires_in.
      const exp = payload.exp as number;
      assert.ok(
        Math.abs(exp - (before + tokens.refresh_expires_in)) <= 2,
        `exp ${exp} vs refresh_expires_in ${tokens.refresh_expires_in}`,
      );
    });

    test('an offline token has typ Offline and an exp', async () => {
      const { payload } = decodeJwt((await password('openid offline_access')).refresh_token);
      assert.equal(payload.typ, 'Offline');
      assert.ok((payload.exp as number) > Date.now() / 1000 + 86_400);
    });

    test('only the hash is stored, and every token is distinct', async () => {
      const a = await password();
      const b = await password();
      assert.notEqual(decodeJwt(a.refresh_token).payload.jti, decodeJwt(b.refresh_token).payload.jti);
      const row = await t.store.db
        .selectFrom('refresh_token')
        .selectAll()
        .where('token_hash', '=', sha256(a.refresh_token))
        .executeTakeFirst();
      assert.ok(row, 'found by its hash');
      assert.ok(!JSON.stringify(row).includes(a.refresh_token.split('.')[2]!), 'the token itself is not stored');
    });

    test('rotation and reuse detection are unchanged: the old token revokes the family', async () => {
      const first = await password();
      const second = await refresh(first.refresh_token);
      assert.equal(second.status, 200);
      assert.equal(decodeJwt(second.body.refresh_token).payload.typ, 'Refresh');
      assert.notEqual(second.body.refresh_token, first.refresh_token);
      const replay = await refresh(first.refresh_token);
      assert.equal(replay.status, 400);
      assert.equal(replay.body.error, 'invalid_grant');
      assert.equal((await refresh(second.body.refresh_token)).status, 400, 'the whole family is revoked');
    });

    test('revocation still works on a JWT refresh token', async () => {
      const tokens = await password();
      const revoked = await t.fetch(`${OIDC}/revoke`, form({ client_id: 'cli', token: tokens.refresh_token }));
      assert.equal(revoked.status, 200);
      assert.equal((await refresh(tokens.refresh_token)).status, 400);
    });

    test('a well-formed refresh JWT that was never issued is refused', async () => {
      const tokens = await password();
      const claims = decodeJwt(tokens.refresh_token).payload;
      const forged = await new SignJWT({ ...claims, jti: 'forged' })
        .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
        .sign(new Uint8Array(64));
      const res = await refresh(forged);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_grant');
    });

    test('id_token_hint accepts the ID token (typ "ID") and refuses a refresh token', async () => {
      const tokens = await password();
      const refused = await t.fetch(`${OIDC}/logout`, form({ id_token_hint: tokens.refresh_token }));
      assert.equal(refused.status, 400);
      assert.match(await refused.text(), /Invalid parameter: id_token_hint/);
      const accepted = await t.fetch(`${OIDC}/logout`, form({ id_token_hint: tokens.id_token }));
      assert.equal(accepted.status, 200);
      assert.match(await accepted.text(), /You are signed out/);
    });
  });
}
