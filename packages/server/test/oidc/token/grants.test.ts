// Token endpoint grants: refresh rotation and reuse detection, offline tokens, client
// credentials, password grant, code replay — on every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, signIn } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { authUrl, basic, decodeJwt, form, pkce } from '../../helpers/oauth.ts';
import { OIDC, startTestProvider, type TestProvider } from '../../helpers/provider.ts';

const WEB_CB = 'https://web.example/callback';
const WEB = { authorization: basic('web', 'web-secret') };

type Tokens = Record<string, string>;

for (const database of TEST_DATABASES) {
  describe(`grants on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database);
    });
    after(() => t?.close());

    async function login(
      scope = 'openid',
      browser = new Browser(t.fetch),
    ): Promise<{ tokens: Tokens; browser: Browser; code: string; verifier: string }> {
      const { verifier, challenge } = pkce();
      const back = await signIn(
        browser,
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          scope,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
        'alice',
        'alice-pw',
      );
      const code = back.searchParams.get('code')!;
      const res = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'authorization_code', code, redirect_uri: WEB_CB, code_verifier: verifier }, WEB),
      );
      assert.equal(res.status, 200);
      return { tokens: (await res.json()) as Tokens, browser, code, verifier };
    }

    const refresh = (token: string, headers: Record<string, string> = WEB, extra: Record<string, string> = {}) =>
      t.fetch(`${OIDC}/token`, form({ grant_type: 'refresh_token', refresh_token: token, ...extra }, headers));

    test('refresh tokens rotate: the new one works, and the grant keeps the sid', async () => {
      const { tokens } = await login();
      const res = await refresh(tokens.refresh_token!);
      assert.equal(res.status, 200);
      const next = (await res.json()) as Tokens;
      assert.notEqual(next.refresh_token, tokens.refresh_token);
      assert.equal(decodeJwt(next.id_token!).payload.sid, decodeJwt(tokens.id_token!).payload.sid);
      assert.equal((await refresh(next.refresh_token!)).status, 200);
    });

    test('refresh token reuse revokes the whole family', async () => {
      const { tokens } = await login();
      const r1 = (await (await refresh(tokens.refresh_token!)).json()) as Tokens;
      const reuse = await refresh(tokens.refresh_token!);
      assert.equal(reuse.status, 400);
      assert.equal(((await reuse.json()) as Tokens).error, 'invalid_grant');
      const afterReuse = await refresh(r1.refresh_token!);
      assert.equal(afterReuse.status, 400, 'the legitimate successor is revoked too');
    });

    // RFC 6749 §6, with Keycloak's client scopes: the client's default scopes (profile, email, …)
    // are part of every grant; an optional scope (phone) not granted first is wider.
    test('refresh with a wider scope is invalid_scope; a narrower one is granted', async () => {
      const { tokens } = await login('openid address');
      const wider = await refresh(tokens.refresh_token!, WEB, { scope: 'openid address phone' });
      assert.equal(wider.status, 400);
      assert.equal(((await wider.json()) as Tokens).error, 'invalid_scope');
      const { tokens: t2 } = await login('openid address');
      assert.equal(t2.scope, 'openid email profile address');
      const narrower = await refresh(t2.refresh_token!, WEB, { scope: 'openid email' });
      assert.equal(narrower.status, 200);
      assert.equal(((await narrower.json()) as Tokens).scope, 'openid email profile');
    });

    test('a refresh token of another client is invalid_grant', async () => {
      const { tokens } = await login();
      const res = await refresh(tokens.refresh_token!, { authorization: basic('other', 'other-secret') });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as Tokens).error, 'invalid_grant');
    });

    test('an authorization code works once; a replay is invalid_grant and revokes its tokens', async () => {
      const { tokens, code, verifier } = await login();
      const replay = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'authorization_code', code, redirect_uri: WEB_CB, code_verifier: verifier }, WEB),
      );
      assert.equal(replay.status, 400);
      assert.equal(((await replay.json()) as Tokens).error, 'invalid_grant');
      assert.equal((await refresh(tokens.refresh_token!)).status, 400, 'tokens from the replayed code are revoked');
    });

    test('PKCE: a wrong verifier or a different redirect_uri is invalid_grant', async () => {
      const browser = new Browser(t.fetch);
      for (const [body, label] of [
        [{ code_verifier: pkce().verifier, redirect_uri: WEB_CB }, 'wrong verifier'],
        [{ redirect_uri: WEB_CB }, 'missing verifier'],
        [{ redirect_uri: 'https://web.example/cb?tenant=1' }, 'other registered redirect_uri'],
      ] as const) {
        const { verifier, challenge } = pkce();
        const back = await signIn(
          browser,
          authUrl({
            client_id: 'web',
            redirect_uri: WEB_CB,
            code_challenge: challenge,
            code_challenge_method: 'S256',
          }),
          'alice',
          'alice-pw',
        );
        const params: Record<string, string> = {
          grant_type: 'authorization_code',
          code: back.searchParams.get('code')!,
          ...body,
        };
        if (label === 'other registered redirect_uri') params.code_verifier = verifier;
        const res = await t.fetch(`${OIDC}/token`, form(params, WEB));
        assert.equal(res.status, 400, label);
        assert.equal(((await res.json()) as Tokens).error, 'invalid_grant', label);
      }
    });

    test('offline_access yields an offline token that outlives the SSO session', async () => {
      const { tokens } = await login('openid offline_access');
      assert.equal(tokens.refresh_expires_in, 0 as unknown as string);
      const sid = decodeJwt(tokens.id_token!).payload.sid as string;
      const online = await login('openid');
      await t.provider.ctx.logout.endSessions(
        (await t.provider.ctx.realms.realmByName('test'))!,
        [sid],
        'admin_session',
      );
      const offline = await refresh(tokens.refresh_token!);
      assert.equal(offline.status, 200, 'offline token still works after the session ended');
      const onlineSid = decodeJwt(online.tokens.id_token!).payload.sid as string;
      await t.provider.ctx.logout.endSessions(
        (await t.provider.ctx.realms.realmByName('test'))!,
        [onlineSid],
        'admin_session',
      );
      assert.equal((await refresh(online.tokens.refresh_token!)).status, 400, 'online token stops with its session');
    });

    test('client_credentials: service account gets an access token only', async () => {
      const res = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'client_credentials' }, { authorization: basic('service', 'service-secret') }),
      );
      assert.equal(res.status, 200);
      const body = (await res.json()) as Tokens;
      assert.ok(body.access_token);
      assert.equal(body.refresh_token, undefined);
      assert.equal(body.id_token, undefined);
      const denied = await t.fetch(`${OIDC}/token`, form({ grant_type: 'client_credentials' }, WEB));
      assert.equal(denied.status, 400);
      assert.equal(((await denied.json()) as Tokens).error, 'unauthorized_client');
    });

    test('password grant only for direct-access clients, and it opens an SSO session', async () => {
      const ok = await t.fetch(
        `${OIDC}/token`,
        form({
          grant_type: 'password',
          client_id: 'cli',
          username: 'alice',
          password: 'alice-pw',
          scope: 'openid',
        }),
      );
      assert.equal(ok.status, 200);
      const body = (await ok.json()) as Tokens;
      assert.ok(decodeJwt(body.id_token!).payload.sid);
      const wrong = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: 'nope' }),
      );
      assert.equal(wrong.status, 400);
      assert.equal(((await wrong.json()) as Tokens).error, 'invalid_grant');
      const notAllowed = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'password', username: 'alice', password: 'alice-pw' }, WEB),
      );
      assert.equal(((await notAllowed.json()) as Tokens).error, 'unauthorized_client');
      const disabled = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'password', client_id: 'cli', username: 'carol', password: 'carol-pw' }),
      );
      assert.equal(((await disabled.json()) as Tokens).error, 'invalid_grant');
    });

    test('client_secret_post works like client_secret_basic', async () => {
      const res = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'client_credentials', client_id: 'service', client_secret: 'service-secret' }),
      );
      assert.equal(res.status, 200);
    });
  });
}
