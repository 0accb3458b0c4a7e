// Regression tests (issue 13): the code and refresh-token grants claim, issue and record in one
// transaction. A failure after the claim (here: the store failing to write the new refresh
// token) used to burn the code or token, so the client's retry was taken for a replay and
// revoked the grant; now it leaves the code or token usable — on every store. A real replay
// is still caught and still revokes the family.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, signIn } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { authUrl, basic, form, pkce } from '../../helpers/oauth.ts';
import { OIDC, startTestProvider, type TestProvider } from '../../helpers/provider.ts';

const WEB_CB = 'https://web.example/callback';
const WEB = { authorization: basic('web', 'web-secret') };

type Tokens = Record<string, string>;

/** The next call of `obj[key]` fails, as a crash after the claim would; later calls work. */
function failOnce<T extends object, K extends keyof T>(obj: T, key: K): void {
  const original = obj[key];
  obj[key] = (async () => {
    obj[key] = original;
    throw new Error('injected store failure between the claim and the issue');
  }) as T[K];
}

for (const database of TEST_DATABASES) {
  describe(`transactional grants on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database);
    });
    after(() => t?.close());

    async function authorize(): Promise<{ code: string; verifier: string }> {
      const { verifier, challenge } = pkce();
      const back = await signIn(
        new Browser(t.fetch),
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          scope: 'openid',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      return { code: back.searchParams.get('code')!, verifier };
    }
    const redeem = (code: string, verifier: string) =>
      t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'authorization_code', code, redirect_uri: WEB_CB, code_verifier: verifier }, WEB),
      );
    const refresh = (token: string) =>
      t.fetch(`${OIDC}/token`, form({ grant_type: 'refresh_token', refresh_token: token }, WEB));

    test('code-grant-crash-after-claim: the retry with the same code succeeds, and a later replay still revokes', async () => {
      const { code, verifier } = await authorize();
      failOnce(t.provider.ctx.refreshTokens, 'insert');
      const crashed = await redeem(code, verifier);
      assert.equal(crashed.status, 500);
      assert.equal(((await crashed.json()) as Tokens).error, 'server_error');

      const retried = await redeem(code, verifier);
      assert.equal(retried.status, 200, 'the claim was rolled back with the failed issue');
      const tokens = (await retried.json()) as Tokens;
      assert.ok(tokens.access_token && tokens.id_token && tokens.refresh_token);

      const replay = await redeem(code, verifier);
      assert.equal(replay.status, 400);
      assert.equal(((await replay.json()) as Tokens).error, 'invalid_grant');
      assert.equal((await refresh(tokens.refresh_token!)).status, 400, 'a replayed code revokes what it produced');
    });

    test('refresh-grant-crash-after-claim: the retry with the same refresh token succeeds, and a real reuse still revokes the family', async () => {
      const { code, verifier } = await authorize();
      const first = (await (await redeem(code, verifier)).json()) as Tokens;

      failOnce(t.provider.ctx.refreshTokens, 'insert');
      const crashed = await refresh(first.refresh_token!);
      assert.equal(crashed.status, 500);

      const retried = await refresh(first.refresh_token!);
      assert.equal(retried.status, 200, 'the old refresh token is still usable after the failed rotation');
      const rotated = (await retried.json()) as Tokens;
      assert.ok(rotated.access_token && rotated.refresh_token);
      assert.notEqual(rotated.refresh_token, first.refresh_token);

      const reuse = await refresh(first.refresh_token!);
      assert.equal(reuse.status, 400);
      assert.match(((await reuse.json()) as Tokens).error_description ?? '', /reused/);
      assert.equal((await refresh(rotated.refresh_token!)).status, 400, 'reuse revoked the whole family');
    });
  });
}
