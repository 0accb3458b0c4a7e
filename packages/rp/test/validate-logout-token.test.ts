// validateLogoutToken: stable error codes with a structured cause, remote JWKS handling.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { CompactEncrypt, generateKeyPair } from 'jose';
import {
  LogoutTokenError,
  MemoryLogoutStore,
  TemporarilyUnavailableError,
  type ValidationOptions,
  validateLogoutToken,
} from '../src/index.ts';
import { CLIENT, ISSUER, testIssuer } from './helpers/tokens.ts';

const op = await testIssuer();
const options = (): ValidationOptions => ({
  issuer: ISSUER,
  clientId: CLIENT,
  keys: op.jwks,
  replayStore: new MemoryLogoutStore(),
});

async function code(token: string, opts = options()): Promise<LogoutTokenError> {
  try {
    await validateLogoutToken(token, opts);
  } catch (err) {
    assert.ok(err instanceof LogoutTokenError, String(err));
    return err;
  }
  assert.fail('token was accepted');
}

test('each rule has its own code and a cause naming the claim', async () => {
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ iss: 'x' }, 'ERR_LOGOUT_TOKEN_ISSUER_INVALID', 'iss'],
    [{ aud: 'x' }, 'ERR_LOGOUT_TOKEN_AUDIENCE_INVALID', 'aud'],
    [{ iat: 'soon' }, 'ERR_LOGOUT_TOKEN_IAT_INVALID', 'iat'],
    [{ exp: 1 }, 'ERR_LOGOUT_TOKEN_EXPIRED', 'exp'],
    [{ sub: undefined, sid: undefined }, 'ERR_LOGOUT_TOKEN_SUB_SID_MISSING', 'sub|sid'],
    [{ events: {} }, 'ERR_LOGOUT_TOKEN_EVENTS_INVALID', 'events'],
    [{ nonce: 'n' }, 'ERR_LOGOUT_TOKEN_NONCE_PRESENT', 'nonce'],
    [{ jti: undefined }, 'ERR_LOGOUT_TOKEN_JTI_MISSING', 'jti'],
  ];
  for (const [claims, expected, claim] of cases) {
    const err = await code(await op.token(claims));
    assert.equal(err.code, expected, JSON.stringify(claims));
    assert.equal(err.cause?.claim, claim);
  }
  const iss = await code(await op.token({ iss: 'https://wrong' }));
  assert.deepEqual(iss.cause, { claim: 'iss', expected: ISSUER, actual: 'https://wrong' });
});

test('the steps run in BCL §2.6 order: a bad signature is reported before bad claims', async () => {
  const { privateKey } = await generateKeyPair('RS256');
  const err = await code(await op.token({ iss: 'x', nonce: 'n' }, {}, privateKey));
  assert.equal(err.code, 'ERR_LOGOUT_TOKEN_SIGNATURE_INVALID');
  const alg = await code(await op.token({ iss: 'x' }, {}, 'ec'));
  assert.equal(alg.code, 'ERR_LOGOUT_TOKEN_ALG_NOT_ALLOWED');
});

test('ES256 is accepted when it is the registered algorithm', async () => {
  const claims = await validateLogoutToken(await op.token({}, {}, 'ec'), { ...options(), algorithms: ['ES256'] });
  assert.equal(claims.sub, 'user-1');
});

test('garbage is malformed, not a crash', async () => {
  for (const t of ['', 'a.b', 'a.b.c', '....']) {
    const err = await code(t);
    // Five parts is the shape of an encrypted token; without a key it cannot be decrypted.
    assert.ok(
      [
        'ERR_LOGOUT_TOKEN_MALFORMED',
        'ERR_LOGOUT_TOKEN_SIGNATURE_INVALID',
        'ERR_LOGOUT_TOKEN_DECRYPTION_FAILED',
      ].includes(err.code),
      `${t}: ${err.code}`,
    );
  }
});

test('encrypted tokens are decrypted when a key is configured; plain ones are then refused', async () => {
  const enc = await generateKeyPair('RSA-OAEP-256');
  const inner = await op.token();
  const jwe = await new CompactEncrypt(new TextEncoder().encode(inner))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' })
    .encrypt(enc.publicKey);
  const claims = await validateLogoutToken(jwe, { ...options(), decryptionKey: enc.privateKey });
  assert.equal(claims.sid, 'sid-1');
  assert.equal(
    (await code(await op.token(), { ...options(), decryptionKey: enc.privateKey })).code,
    'ERR_LOGOUT_TOKEN_NOT_ENCRYPTED',
  );
  assert.equal((await code(jwe)).code, 'ERR_LOGOUT_TOKEN_DECRYPTION_FAILED');
});

test('remote JWKS: fetched by kid, cached, refetched once on an unknown kid (key rotation)', async () => {
  const rotated = await testIssuer();
  let served = op.jwks;
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`);
  try {
    const opts = { ...options(), keys: url, jwks: { cooldownSeconds: 0.2 } };
    await validateLogoutToken(await op.token(), opts);
    await validateLogoutToken(await op.token(), opts);
    assert.equal(fetches, 1, 'cached');
    await new Promise((r) => setTimeout(r, 250));
    served = { keys: [...op.jwks.keys, ...rotated.jwks.keys.map((k) => ({ ...k, kid: `new-${k.kid}` }))] };
    await validateLogoutToken(await rotated.token({}, { kid: 'new-rsa-1' }), opts);
    assert.equal(fetches, 2, 'refetched for the unknown kid');
    // Within the cool-down an unknown kid cannot be proven unknown: retry later, not invalid.
    await assert.rejects(validateLogoutToken(await rotated.token({}, { kid: 'never-published' }), opts), {
      code: 'ERR_JWKS_REFETCH_COOLDOWN',
      kid: 'never-published',
    });
    assert.equal(fetches, 2, 'no refetch within the cooldown');
  } finally {
    server.close();
  }
});

test('JWKS unreachable → TemporarilyUnavailableError (the handler answers 503)', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  server.close();
  await assert.rejects(
    validateLogoutToken(await op.token(), { ...options(), keys: new URL(`http://127.0.0.1:${port}/certs`) }),
    TemporarilyUnavailableError,
  );
});
