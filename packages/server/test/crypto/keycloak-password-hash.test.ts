// Keycloak's stored password hashes verify as imported: known answers from real Keycloak exports
// (pbkdf2-sha256 from oauth2-proxy's and minder's realm files, argon2 as Keycloak 26 stores it),
// every PBKDF2 digest Keycloak has, what cannot come over is named, and anything but Sundown's
// own argon2id is re-hashed after the next successful sign-in.
import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { describe, test } from 'node:test';
import { importKeycloakPassword } from '../../src/crypto/keycloak-password-hash.ts';
import { hashPassword, needsRehash, verifyPassword } from '../../src/crypto/password.ts';

const secret = (value: string, salt: string) => JSON.stringify({ value, salt, additionalParameters: {} });
const data = (algorithm: string, hashIterations: number, additionalParameters: object = {}) =>
  JSON.stringify({ hashIterations, algorithm, additionalParameters });

function imported(c: Parameters<typeof importKeycloakPassword>[0]): string {
  const result = importKeycloakPassword(c);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.phc;
}

describe('Keycloak password hashes verify as imported', () => {
  test('pbkdf2-sha256, 64-byte key (oauth2-proxy-users-0.json: admin@example.com / password)', async () => {
    const phc = imported({
      secretData: JSON.stringify({
        value: '6rt5zuqHVHopvd0FTFE0CYadXTtzY0mDY2BrqnNQGS51/7DfMJeGgj0roNnGMGvDv30imErNmiSOYl+cL9jiIA==',
        salt: 'LI0kqr09JB7J9wvr2Hxzzg==',
      }),
      credentialData: JSON.stringify({ hashIterations: 27500, algorithm: 'pbkdf2-sha256' }),
    });
    assert.match(phc, /^\$pbkdf2-sha256\$i=27500\$/);
    assert.equal(await verifyPassword('password', phc), true);
    assert.equal(await verifyPassword('Password', phc), false);
  });

  test('pbkdf2-sha256, 32-byte key (minder: root / root; the key length is the stored hash length)', async () => {
    const phc = imported({
      secretData: secret('JsFSYaycxtfeIWHwDJydCEorBN/ilNRDjAGCAxWozKI=', 'oR6ZY2DgLeOwvp/TgEZEYA=='),
      credentialData: data('pbkdf2-sha256', 27500),
    });
    assert.equal(await verifyPassword('root', phc), true);
    assert.equal(await verifyPassword('root ', phc), false);
  });

  test('argon2 with Keycloak 24+ parameters (id, 1.3, m=7168, t=5, p=1, 32 bytes)', async () => {
    const phc = imported({
      secretData: secret('xKjWvB9+0sSP6wTqI1JoEI7w+iA0x9VDhPgmrOHRG80=', 'LRScGShC7shkdoU5B1UgUQ=='),
      credentialData: data('argon2', 5, {
        hashLength: ['32'],
        memory: ['7168'],
        type: ['id'],
        version: ['1.3'],
        parallelism: ['1'],
      }),
    });
    assert.equal(
      phc,
      '$argon2id$v=19$m=7168,t=5,p=1$LRScGShC7shkdoU5B1UgUQ$xKjWvB9+0sSP6wTqI1JoEI7w+iA0x9VDhPgmrOHRG80',
    );
    assert.equal(await verifyPassword('secret', phc), true);
    assert.equal(await verifyPassword('Secret', phc), false);
  });

  for (const [algorithm, digest, iterations] of [
    ['pbkdf2', 'sha1', 20000],
    ['pbkdf2-sha512', 'sha512', 210000],
  ] as const) {
    test(`${algorithm} (HMAC-${digest.toUpperCase()}, ${iterations} iterations, UTF-8 password)`, async () => {
      const salt = Buffer.from('c2FsdHNhbHRzYWx0c2FsdA==', 'base64');
      const value = pbkdf2Sync('pässwörd', salt, iterations, 64, digest).toString('base64');
      const phc = imported({
        secretData: secret(value, salt.toString('base64')),
        credentialData: data(algorithm, iterations),
      });
      assert.equal(await verifyPassword('pässwörd', phc), true);
      assert.equal(await verifyPassword('passwort', phc), false);
    });
  }

  test('the representation before Keycloak 11: hashedSaltedValue, salt, hashIterations, algorithm', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const value = pbkdf2Sync('old', salt, 27500, 64, 'sha256').toString('base64');
    const phc = imported({
      hashedSaltedValue: value,
      salt: salt.toString('base64'),
      hashIterations: 27500,
      algorithm: 'pbkdf2-sha256',
    });
    assert.equal(await verifyPassword('old', phc), true);
  });
});

describe('what cannot come over is named', () => {
  const cases: [string, Parameters<typeof importKeycloakPassword>[0], RegExp][] = [
    [
      'a custom provider algorithm',
      { secretData: secret('a'.repeat(44), 'AAAA'), credentialData: data('bcrypt', 10) },
      /algorithm "bcrypt" is not supported/,
    ],
    [
      'argon2 version 1.0',
      {
        secretData: secret('xKjWvB9+0sSP6wTqI1JoEI7w+iA0x9VDhPgmrOHRG80=', 'LRScGShC7shkdoU5B1UgUQ=='),
        credentialData: data('argon2', 5, { version: ['1.0'], memory: ['7168'], hashLength: ['32'], type: ['id'] }),
      },
      /version 1\.0/,
    ],
    [
      'secretData that is not JSON',
      { secretData: '{oops', credentialData: data('pbkdf2-sha256', 1) },
      /not valid JSON/,
    ],
    [
      'a missing salt',
      { secretData: JSON.stringify({ value: 'a'.repeat(44) }), credentialData: data('pbkdf2-sha256', 1) },
      /salt is not base64/,
    ],
    [
      'zero iterations',
      { secretData: secret('a'.repeat(44), 'AAAA'), credentialData: data('pbkdf2-sha256', 0) },
      /hashIterations/,
    ],
  ];
  for (const [name, credential, reason] of cases) {
    test(name, () => {
      const result = importKeycloakPassword(credential);
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.reason, reason);
    });
  }
});

test("only Sundown's own argon2id is kept after a sign-in; imported hashes are replaced", async () => {
  assert.equal(needsRehash(await hashPassword('x')), false);
  assert.equal(needsRehash('$pbkdf2-sha256$i=27500$AAAA$AAAA'), true);
  assert.equal(needsRehash('$argon2id$v=19$m=7168,t=5,p=1$AAAA$AAAA'), true, 'weaker argon2id');
  assert.equal(needsRehash('$argon2i$v=19$m=65536,t=3,p=1$AAAA$AAAA'), true, 'argon2i');
});
