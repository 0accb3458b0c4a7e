// The Fastify plugin, through fastify.inject.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { endSessionAndRedirect, fastifyBackchannelLogout } from '../src/adapters/fastify.ts';
import { buildEndSessionUrl, isLoggedOut, MemoryLogoutStore } from '../src/index.ts';
import { jwksServer, withRotatedKeys } from './helpers/jwks-server.ts';
import { CLIENT, ISSUER, testIssuer } from './helpers/tokens.ts';

const op = await testIssuer();

test('Fastify plugin: 200 for a valid token, exact 400s and 405, app parsers untouched', async () => {
  const store = new MemoryLogoutStore();
  const app = Fastify();
  await app.register(fastifyBackchannelLogout, { issuer: ISSUER, clientId: CLIENT, keys: op.jwks, store });
  app.post('/json', async (req) => ({ echo: req.body }));
  const form = (body: string, type = 'application/x-www-form-urlencoded') =>
    app.inject({ method: 'POST', url: '/backchannel-logout', headers: { 'content-type': type }, payload: body });

  const ok = await form(new URLSearchParams({ logout_token: await op.token(), extra: 'ignored' }).toString());
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.headers['cache-control'], 'no-store');
  assert.deepEqual(ok.json(), { logged_out: true }, 'the receipt');
  assert.equal(await isLoggedOut(store, { iss: ISSUER, sid: 'sid-1', createdAt: 0 }), true);

  const invalid = await form(new URLSearchParams({ logout_token: await op.token({ aud: 'x' }) }).toString());
  assert.equal(invalid.statusCode, 400);
  assert.equal(invalid.json().error, 'invalid_request');
  const t = await op.token();
  assert.equal((await form(`logout_token=${t}&logout_token=${t}`)).statusCode, 400);
  assert.equal((await form(`logout_token=${t}&pad=${'x'.repeat(20_000)}`)).statusCode, 400);
  assert.equal((await form('{}', 'application/json')).statusCode, 400);
  const get = await app.inject({ method: 'GET', url: '/backchannel-logout' });
  assert.equal(get.statusCode, 405);
  assert.equal(get.headers.allow, 'POST');

  const json = await app.inject({ method: 'POST', url: '/json', payload: { a: 1 } });
  assert.deepEqual(json.json(), { echo: { a: 1 } }, 'the app still parses JSON');
  await app.close();
});

test('Fastify: key rotation during the JWKS refetch cool-down → 503 + Retry-After + no-store, then 200', async () => {
  const jwks = await jwksServer(op.jwks);
  const app = Fastify();
  await app.register(fastifyBackchannelLogout, {
    issuer: ISSUER,
    clientId: CLIENT,
    keys: jwks.url(),
    jwks: { cooldownSeconds: 2 },
    store: new MemoryLogoutStore(),
  });
  const send = (token: string) =>
    app.inject({
      method: 'POST',
      url: '/backchannel-logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ logout_token: token }).toString(),
    });
  try {
    assert.equal((await send(await op.token())).statusCode, 200, 'first fetch: the cool-down starts');
    const rotated = await testIssuer();
    jwks.serve(withRotatedKeys(op.jwks, rotated.jwks));
    const token = await rotated.token({}, { kid: 'new-rsa-1' });
    const during = await send(token);
    assert.equal(during.statusCode, 503);
    assert.equal(during.headers['cache-control'], 'no-store');
    const retryAfter = Number(during.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
    assert.equal(during.json().error, 'temporarily_unavailable');
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    assert.equal((await send(token)).statusCode, 200);
  } finally {
    await app.close();
    await jwks.close();
  }
});

test('endSessionAndRedirect ends the local session, then redirects', async () => {
  const app = Fastify();
  let ended = false;
  app.get('/logout', (_req, reply) =>
    endSessionAndRedirect(reply, {
      endSessionEndpoint: 'https://op.test/logout',
      idTokenHint: 'abc',
      postLogoutRedirectUri: 'https://app.test/',
      state: 's',
      endSession: () => void (ended = true),
    }),
  );
  const res = await app.inject({ method: 'GET', url: '/logout' });
  assert.equal(res.statusCode, 302);
  assert.equal(
    res.headers.location,
    'https://op.test/logout?id_token_hint=abc&post_logout_redirect_uri=https%3A%2F%2Fapp.test%2F&state=s',
  );
  assert.equal(ended, true);
  await app.close();
});

test("buildEndSessionUrl keeps the endpoint's own query and omits empty values", () => {
  assert.equal(
    buildEndSessionUrl({ endSessionEndpoint: 'https://op.test/logout?x=1', clientId: 'c', state: '' }),
    'https://op.test/logout?x=1&client_id=c',
  );
});
