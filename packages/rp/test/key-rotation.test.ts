// Key rotation at the provider never loses a logout (issue 11, RP SDK): an unknown `kid` during
// the JWKS refetch cool-down is 503 + Retry-After (retried by the provider), and 400 (final)
// only once a key set fetched after the token arrived lacks it. Real HTTP on loopback for the JWKS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import {
  createBackchannelLogoutHandler,
  isLoggedOut,
  JwksRefetchCooldownError,
  MemoryLogoutStore,
} from '../src/index.ts';
import { jwksServer, withRotatedKeys } from './helpers/jwks-server.ts';
import { CLIENT, ISSUER, post, testIssuer } from './helpers/tokens.ts';

const op = await testIssuer();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('key rotation during the JWKS refetch cool-down → 503 with Retry-After, then after the cool-down the same token → 200', async () => {
  const jwks = await jwksServer(op.jwks);
  const store = new MemoryLogoutStore();
  const seen: Error[] = [];
  const handler = createBackchannelLogoutHandler({
    issuer: ISSUER,
    clientId: CLIENT,
    keys: jwks.url(),
    jwks: { cooldownSeconds: 2 },
    store,
    onError: (e) => void seen.push(e),
  });
  try {
    // Any unknown kid fetches the key set and so starts the cool-down (the issue's trigger).
    const { privateKey } = await generateKeyPair('RS256');
    assert.equal((await handler(post(await op.token({}, { kid: 'junk' }, privateKey)))).status, 400);
    assert.equal(jwks.fetches(), 1);

    // The provider rotates and signs the next logout token with its new key at once.
    const rotated = await testIssuer();
    jwks.serve(withRotatedKeys(op.jwks, rotated.jwks));
    const token = await rotated.token({ sid: 'sid-rotated' }, { kid: 'new-rsa-1' });
    const during = await handler(post(token));
    assert.equal(during.status, 503, 'not a final 400: the provider retries 503');
    assert.equal(during.headers.get('cache-control'), 'no-store');
    const retryAfter = Number(during.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After is the rest of the cool-down, got ${retryAfter}`);
    assert.equal(((await during.json()) as { error: string }).error, 'temporarily_unavailable');
    const cooldown = seen.at(-1);
    assert.ok(cooldown instanceof JwksRefetchCooldownError, String(cooldown));
    assert.equal(cooldown.code, 'ERR_JWKS_REFETCH_COOLDOWN');
    assert.equal(cooldown.kid, 'new-rsa-1');
    assert.equal(jwks.fetches(), 1, 'no fetch during the cool-down');

    // The provider retries after Retry-After: the key set is fetched again and the logout lands.
    await sleep(retryAfter * 1000);
    assert.equal((await handler(post(token))).status, 200);
    assert.equal(jwks.fetches(), 2);
    assert.equal(await isLoggedOut(store, { iss: ISSUER, sid: 'sid-rotated', createdAt: 0 }), true);
  } finally {
    await jwks.close();
  }
});

test('a kid still missing from a key set fetched after the token arrived → 400 (final)', async () => {
  const jwks = await jwksServer(op.jwks);
  const handler = createBackchannelLogoutHandler({
    issuer: ISSUER,
    clientId: CLIENT,
    keys: jwks.url(),
    jwks: { cooldownSeconds: 0.2 },
    store: new MemoryLogoutStore(),
  });
  try {
    assert.equal((await handler(post(await op.token()))).status, 200);
    assert.equal(jwks.fetches(), 1);
    await sleep(250);
    const { privateKey } = await generateKeyPair('RS256');
    const unknown = await handler(post(await op.token({}, { kid: 'never-published' }, privateKey)));
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { error_description: string }).error_description, /signature/);
    assert.equal(jwks.fetches(), 2, 'refetched once for the unknown kid');
  } finally {
    await jwks.close();
  }
});

test('a wrong-alg token is refused before any key lookup: 400 and zero JWKS fetches (BCL §2.6 step 3)', async () => {
  const jwks = await jwksServer(op.jwks);
  const seen: Error[] = [];
  const handler = createBackchannelLogoutHandler({
    issuer: ISSUER,
    clientId: CLIENT,
    keys: jwks.url(),
    jwks: { cooldownSeconds: 0 },
    store: new MemoryLogoutStore(),
    onError: (e) => void seen.push(e),
  });
  try {
    const attacker = await generateKeyPair('ES256');
    const tokens = [
      await op.token({}, {}, 'ec'), // the provider's own ES256 key, but the client registered RS256
      await op.token({}, { alg: 'ES256', kid: 'unknown-ec' }, attacker.privateKey),
      await new SignJWT({ iss: ISSUER }).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(new Uint8Array(32)),
    ];
    for (const token of tokens) {
      const res = await handler(post(token));
      assert.equal(res.status, 400);
      assert.match(
        ((await res.json()) as { error_description: string }).error_description,
        /algorithm \w+ is not allowed/,
      );
    }
    assert.deepEqual(
      seen.map((e) => (e as { code?: string }).code),
      ['ERR_LOGOUT_TOKEN_ALG_NOT_ALLOWED', 'ERR_LOGOUT_TOKEN_ALG_NOT_ALLOWED', 'ERR_LOGOUT_TOKEN_ALG_NOT_ALLOWED'],
    );
    assert.equal(jwks.fetches(), 0, 'a wrong alg never makes the RP fetch the key set');
  } finally {
    await jwks.close();
  }
});

test('concurrent tokens with the rotated kid share one refetch after the cool-down, and all land', async () => {
  const jwks = await jwksServer(op.jwks);
  const handler = createBackchannelLogoutHandler({
    issuer: ISSUER,
    clientId: CLIENT,
    keys: jwks.url(),
    jwks: { cooldownSeconds: 0.2 },
    store: new MemoryLogoutStore(),
  });
  try {
    assert.equal((await handler(post(await op.token()))).status, 200);
    await sleep(250);
    const rotated = await testIssuer();
    jwks.serve(withRotatedKeys(op.jwks, rotated.jwks));
    const tokens = await Promise.all(
      Array.from({ length: 10 }, (_, i) => rotated.token({ sid: `sid-${i}` }, { kid: 'new-rsa-1' })),
    );
    const statuses = await Promise.all(tokens.map(async (t) => (await handler(post(t))).status));
    assert.deepEqual(statuses, Array(10).fill(200));
    assert.equal(jwks.fetches(), 2, 'one fetch for all of them');
  } finally {
    await jwks.close();
  }
});
