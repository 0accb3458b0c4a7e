// The bearer guard's rules (RFC 6750 §3, RFC 9068), through its Web handler.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import {
  ACCEPT_KEYCLOAK_ACCESS_TOKENS,
  type BearerGuardOptions,
  createBearerGuard,
  MemoryLogoutStore,
  withBearerToken,
} from '../../src/index.ts';
import { API, ISSUER, signer } from '../helpers/signals.ts';

const as = await signer();

function api(options: Partial<BearerGuardOptions> = {}) {
  const store = new MemoryLogoutStore();
  const guard = createBearerGuard({ issuer: ISSUER, audience: API, keys: as.jwks, store, ...options });
  const handler = withBearerToken(guard, (_req, claims) => Response.json({ sub: claims.sub }));
  return {
    store,
    call: (authorization?: string) =>
      handler(new Request('https://api.test/orders', { headers: authorization ? { authorization } : {} })),
  };
}

async function refusedAsInvalidToken(res: Response, description: RegExp): Promise<void> {
  assert.equal(res.status, 401);
  const challenge = res.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer error="invalid_token", error_description="[^"]+"$/);
  assert.match(challenge, description);
  assert.equal(((await res.json()) as { error: string }).error, 'invalid_token');
}

describe('bearer guard', () => {
  test('a valid at+jwt access token passes, with its claims', async () => {
    const res = await api().call(`Bearer ${await as.accessToken()}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { sub: 'user-1' });
  });

  test('RFC 6750 §3.1: no token → 401 with a bare "WWW-Authenticate: Bearer", no error code', async () => {
    const res = await api().call();
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    assert.equal(await res.text(), '');
    const withRealm = await api({ realm: 'orders' }).call();
    assert.equal(withRealm.headers.get('www-authenticate'), 'Bearer realm="orders"');
  });

  test('RFC 6750 §3.1: a header that is not a Bearer credential is invalid_token', async () => {
    await refusedAsInvalidToken(await api().call('Basic dXNlcjpwYXNz'), /not a Bearer token/);
  });

  test('iss, aud, exp and the signature are checked locally', async () => {
    const { call } = api();
    await refusedAsInvalidToken(await call(`Bearer ${await as.accessToken({ iss: 'https://evil.test' })}`), /iss/);
    await refusedAsInvalidToken(await call(`Bearer ${await as.accessToken({ aud: 'other-api' })}`), /aud/);
    const past = Math.floor(Date.now() / 1000) - 3600;
    await refusedAsInvalidToken(
      await call(`Bearer ${await as.accessToken({ iat: past - 300, exp: past })}`),
      /expired/,
    );
    const other = await signer();
    await refusedAsInvalidToken(await call(`Bearer ${await other.accessToken()}`), /signature/);
  });

  test('the algorithm allow-list: a token signed with another algorithm is refused', async () => {
    const res = await api({ algorithms: ['ES256'] }).call(`Bearer ${await as.accessToken()}`);
    await refusedAsInvalidToken(res, /algorithm/);
  });

  test('RFC 9068 §4: typ at+jwt; an ID token (typ JWT, claim typ ID) is refused', async () => {
    const { call } = api();
    await refusedAsInvalidToken(
      await call(`Bearer ${await as.accessToken({ typ: 'ID' }, { typ: 'JWT' })}`),
      /not an access token/,
    );
    await refusedAsInvalidToken(
      await call(`Bearer ${await as.accessToken({ typ: 'Refresh' })}`),
      /not an access token/,
    );
  });

  test("Keycloak's typ JWT + claim typ Bearer only with ACCEPT_KEYCLOAK_ACCESS_TOKENS", async () => {
    const keycloakToken = await as.accessToken({}, { typ: 'JWT' });
    await refusedAsInvalidToken(await api().call(`Bearer ${keycloakToken}`), /not an access token/);
    const compat = api({ compatibility: [ACCEPT_KEYCLOAK_ACCESS_TOKENS] });
    assert.equal((await compat.call(`Bearer ${keycloakToken}`)).status, 200);
    await refusedAsInvalidToken(
      await compat.call(`Bearer ${await as.accessToken({ typ: 'ID' }, { typ: 'JWT' })}`),
      /not an access token/,
    );
  });

  test('a token whose session (sid) ended is refused', async () => {
    const { store, call } = api();
    const token = await as.accessToken();
    assert.equal((await call(`Bearer ${token}`)).status, 200);
    await store.markLoggedOut({ iss: ISSUER, sid: 'sid-1', at: Date.now() }, 60);
    await refusedAsInvalidToken(await call(`Bearer ${token}`), /session of this token has ended/);
    assert.equal((await call(`Bearer ${await as.accessToken({ sid: 'sid-2' })}`)).status, 200, 'another session');
  });

  test('a token issued before its user was logged out (sub) is refused; one issued after passes', async () => {
    const { store, call } = api();
    const now = Math.floor(Date.now() / 1000);
    await store.markLoggedOut({ iss: ISSUER, sub: 'user-1', at: now * 1000 }, 60);
    await refusedAsInvalidToken(
      await call(`Bearer ${await as.accessToken({ sid: 'x', iat: now - 10 })}`),
      /logged out/,
    );
    assert.equal((await call(`Bearer ${await as.accessToken({ sid: 'y', iat: now + 1 })}`)).status, 200);
  });

  test('the store unreachable: 503, never a pass (fail closed)', async () => {
    const { store, call } = api();
    store.markersFor = () => Promise.reject(new Error('down'));
    const res = await call(`Bearer ${await as.accessToken()}`);
    assert.equal(res.status, 503);
  });

  test('RFC 7662 fallback: an inactive token is refused; answers are cached for cacheSeconds', async () => {
    let calls = 0;
    let active = true;
    const server = createServer((req, res) => {
      calls++;
      assert.equal(req.headers.authorization, `Basic ${Buffer.from('orders-api:s').toString('base64')}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ active }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
      const { call } = api({
        introspection: { endpoint, clientId: 'orders-api', clientSecret: 's', cacheSeconds: 60 },
      });
      const token = `Bearer ${await as.accessToken()}`;
      assert.equal((await call(token)).status, 200);
      active = false;
      assert.equal((await call(token)).status, 200, 'the cached answer');
      assert.equal(calls, 1);
      await refusedAsInvalidToken(await call(`Bearer ${await as.accessToken()}`), /no longer active/);
      assert.equal(calls, 2);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
