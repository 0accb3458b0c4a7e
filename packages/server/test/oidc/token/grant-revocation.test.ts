// Regression tests: revoking a grant stops its access tokens, not only its refresh tokens — a
// replayed authorization code (RFC 6749 §4.1.2), a revoked refresh token (RFC 7009 §2.1) and a
// reused refresh token (Security BCP §4.14.2) — on every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, signIn } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { authUrl, basic, form, pkce } from '../../helpers/oauth.ts';
import { OIDC, startTestProvider, type TestProvider } from '../../helpers/provider.ts';

const WEB_CB = 'https://web.example/callback';
const WEB = { authorization: basic('web', 'web-secret') };
type Json = Record<string, unknown>;

for (const database of TEST_DATABASES) {
  describe(`grant revocation on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database);
    });
    after(() => t?.close());

    async function codeFlow() {
      const { verifier, challenge } = pkce();
      const back = await signIn(
        new Browser(t.fetch),
        authUrl({ client_id: 'web', redirect_uri: WEB_CB, code_challenge: challenge, code_challenge_method: 'S256' }),
        'alice',
        'alice-pw',
      );
      const exchange = {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code')!,
        redirect_uri: WEB_CB,
        code_verifier: verifier,
      };
      const res = await t.fetch(`${OIDC}/token`, form(exchange, WEB));
      assert.equal(res.status, 200, await res.clone().text());
      return { tokens: (await res.json()) as Record<string, string>, exchange };
    }
    const userinfo = (token: string) => t.fetch(`${OIDC}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    const refresh = (token: string) =>
      t.fetch(`${OIDC}/token`, form({ grant_type: 'refresh_token', refresh_token: token }, WEB));

    test('a replayed authorization code makes the first access token fail at userinfo', async () => {
      const { tokens, exchange } = await codeFlow();
      const refreshed = (await (await refresh(tokens.refresh_token!)).json()) as Record<string, string>;
      assert.equal((await userinfo(tokens.access_token!)).status, 200);
      const replay = await t.fetch(`${OIDC}/token`, form(exchange, WEB));
      assert.equal(replay.status, 400);
      assert.equal(((await replay.json()) as Json).error, 'invalid_grant');
      for (const [label, token] of [
        ['first', tokens.access_token!],
        ['refreshed', refreshed.access_token!],
      ] as const) {
        const res = await userinfo(token);
        assert.equal(res.status, 401, `the ${label} access token of the replayed code is refused`);
        assert.equal(((await res.json()) as Json).error, 'invalid_token');
      }
      const introspected = await t.fetch(`${OIDC}/token/introspect`, form({ token: tokens.access_token! }, WEB));
      assert.deepEqual(await introspected.json(), { active: false });
      const events = await t.store.db
        .selectFrom('event')
        .select(['type', 'error'])
        .where('type', '=', 'CODE_TO_TOKEN_ERROR')
        .execute();
      assert.ok(events.some((e) => e.error === 'invalid_code'));
    });

    test('revoking a refresh token stops the access tokens of its grant, not those of another grant', async () => {
      const one = await codeFlow();
      const two = await codeFlow();
      assert.equal((await t.fetch(`${OIDC}/revoke`, form({ token: one.tokens.refresh_token! }, WEB))).status, 200);
      assert.equal((await userinfo(one.tokens.access_token!)).status, 401);
      assert.equal((await userinfo(two.tokens.access_token!)).status, 200);
    });

    test('reusing a refresh token stops the access token its successor got', async () => {
      const { tokens } = await codeFlow();
      const next = (await (await refresh(tokens.refresh_token!)).json()) as Record<string, string>;
      assert.equal((await userinfo(next.access_token!)).status, 200);
      assert.equal((await refresh(tokens.refresh_token!)).status, 400);
      assert.equal((await userinfo(next.access_token!)).status, 401);
    });
  });
}
