// The Express adapter on a real socket, with express-session.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import session from 'express-session';
import {
  backchannelLogoutRouter,
  destroyExpressSessions,
  logoutRedirect,
  recordLogin,
  requireActiveSession,
  sessionIdentity,
} from '../src/adapters/express.ts';
import { MemoryLogoutStore } from '../src/index.ts';
import { jwksServer, withRotatedKeys } from './helpers/jwks-server.ts';
import { CLIENT, ISSUER, type TestIssuer, testIssuer } from './helpers/tokens.ts';

const op: TestIssuer = await testIssuer();

async function listen(app: express.Express): Promise<{ url: string; server: Server }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function buildApp(store: MemoryLogoutStore, sessionStore: session.MemoryStore, globalForm: boolean) {
  const app = express();
  if (globalForm) app.use(express.urlencoded({ extended: false }));
  app.use(
    backchannelLogoutRouter({
      issuer: ISSUER,
      clientId: CLIENT,
      keys: op.jwks,
      store,
      onLogout: destroyExpressSessions(sessionStore),
    }),
  );
  app.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false, store: sessionStore }));
  app.use(requireActiveSession({ store }));
  // Test fixture standing in for the app's OIDC callback.
  app.get('/test-login', async (req, res) => {
    await recordLogin(
      req,
      { iss: ISSUER, sid: String(req.query.sid), sub: 'user-1', idToken: 'id.token.here' },
      { store },
    );
    res.send('ok');
  });
  app.get('/me', (req, res) => {
    const who = sessionIdentity(req);
    res.send(who ? `signed in as ${who.sub} (sid ${who.sid})` : 'signed out');
  });
  app.get(
    '/logout',
    logoutRedirect({
      endSessionEndpoint: 'https://op.test/realms/r/protocol/openid-connect/logout',
      postLogoutRedirectUri: 'https://app.test/',
    }),
  );
  return app;
}

for (const globalForm of [false, true]) {
  describe(`Express adapter${globalForm ? ' behind a global express.urlencoded()' : ''}`, () => {
    const store = new MemoryLogoutStore();
    const sessionStore = new session.MemoryStore();
    let url: string;
    let server: Server;
    before(async () => {
      ({ url, server } = await listen(buildApp(store, sessionStore, globalForm)));
    });
    after(() => server?.close());

    const postForm = (body: string, type = 'application/x-www-form-urlencoded') =>
      fetch(`${url}/backchannel-logout`, { method: 'POST', headers: { 'content-type': type }, body });

    async function login(sid: string): Promise<string> {
      const res = await fetch(`${url}/test-login?sid=${sid}`);
      return res.headers.get('set-cookie')!.split(';')[0]!;
    }

    test('a logout token ends the session: the next request is signed out, and the session store entry is gone', async () => {
      const cookie = await login('sid-1');
      assert.equal(await (await fetch(`${url}/me`, { headers: { cookie } })).text(), 'signed in as user-1 (sid sid-1)');
      const before = await new Promise<number>((r) => sessionStore.length((_e, n) => r(n ?? 0)));
      const res = await postForm(new URLSearchParams({ logout_token: await op.token() }).toString());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const after = await new Promise<number>((r) => sessionStore.length((_e, n) => r(n ?? 0)));
      assert.equal(after, before - 1, 'deleted directly through the index');
      assert.deepEqual(await res.json(), { logged_out: true, sessions_ended: 1 }, 'the receipt counts it');
      assert.equal(await (await fetch(`${url}/me`, { headers: { cookie } })).text(), 'signed out');
    });

    test('invalid token → 400 JSON; GET → 405; duplicated or missing parameter → 400; wrong type → 400', async () => {
      const bad = await postForm(new URLSearchParams({ logout_token: await op.token({ nonce: 'x' }) }).toString());
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { error: string }).error, 'invalid_request');
      assert.equal((await fetch(`${url}/backchannel-logout`)).status, 405);
      const t = await op.token();
      assert.equal((await postForm(`logout_token=${t}&logout_token=${t}`)).status, 400);
      assert.equal((await postForm('other=1')).status, 400);
      assert.equal((await postForm(JSON.stringify({ logout_token: t }), 'application/json')).status, 400);
    });

    test('logoutRedirect ends the local session and redirects to the end-session endpoint with the hint', async () => {
      const cookie = await login('sid-9');
      const res = await fetch(`${url}/logout`, { headers: { cookie }, redirect: 'manual' });
      assert.equal(res.status, 302);
      const loc = new URL(res.headers.get('location')!);
      assert.equal(loc.origin + loc.pathname, 'https://op.test/realms/r/protocol/openid-connect/logout');
      assert.equal(loc.searchParams.get('id_token_hint'), 'id.token.here');
      assert.equal(loc.searchParams.get('post_logout_redirect_uri'), 'https://app.test/');
      assert.equal(await (await fetch(`${url}/me`, { headers: { cookie } })).text(), 'signed out');
    });
  });
}

test('Express: key rotation during the JWKS refetch cool-down → 503 + Retry-After + no-store, then 200', async () => {
  const jwks = await jwksServer(op.jwks);
  const app = express();
  app.use(
    backchannelLogoutRouter({
      issuer: ISSUER,
      clientId: CLIENT,
      keys: jwks.url(),
      jwks: { cooldownSeconds: 2 },
      store: new MemoryLogoutStore(),
    }),
  );
  const { url, server } = await listen(app);
  const send = async (token: string) =>
    fetch(`${url}/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
    });
  try {
    assert.equal((await send(await op.token())).status, 200, 'first fetch: the cool-down starts');
    const rotated = await testIssuer();
    jwks.serve(withRotatedKeys(op.jwks, rotated.jwks));
    const token = await rotated.token({}, { kid: 'new-rsa-1' });
    const during = await send(token);
    assert.equal(during.status, 503);
    assert.equal(during.headers.get('cache-control'), 'no-store');
    const retryAfter = Number(during.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    assert.equal((await send(token)).status, 200);
  } finally {
    server.close();
    await jwks.close();
  }
});
