// SET validation, one rule per test (RFC 8417 §2, SSF 1.0 §4.1, RFC 8935 §2.3 error codes).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import {
  createSecurityEventTokenValidator,
  MemoryLogoutStore,
  SecurityEventTokenError,
  SESSION_REVOKED,
  SSF_VERIFICATION,
} from '../../src/index.ts';
import { AUDIENCE, ISSUER, signer } from '../helpers/signals.ts';

const op = await signer();
const validator = () =>
  createSecurityEventTokenValidator({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: op.jwks,
    replayStore: new MemoryLogoutStore(),
  });

async function refused(token: string, code: string, err: string, validate = validator()): Promise<void> {
  await assert.rejects(validate(token), (e: unknown) => {
    assert.ok(e instanceof SecurityEventTokenError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.err, err);
    return true;
  });
}

describe('SET validation', () => {
  test('a valid session-revoked SET gives its one event, subject and txn', async () => {
    const event = await validator()(await op.set());
    assert.equal(event.type, SESSION_REVOKED);
    assert.equal(event.iss, ISSUER);
    assert.equal(event.txn, 'logout-1');
    assert.deepEqual(event.subject, {
      format: 'complex',
      user: { format: 'iss_sub', iss: ISSUER, sub: 'user-1' },
      session: { format: 'opaque', id: 'sid-1' },
    });
    assert.equal(event.payload.initiating_entity, 'user');
  });

  test('RFC 8417 §2.3: typ must be secevent+jwt (JWT, logout+jwt and none are refused)', async () => {
    for (const typ of ['JWT', 'logout+jwt', 'at+jwt', undefined])
      await refused(await op.set({}, { typ }), 'ERR_SET_TYP_INVALID', 'invalid_request');
    assert.equal((await validator()(await op.set({}, { typ: 'application/secevent+jwt' }))).iss, ISSUER);
  });

  test('RFC 8935 §2.3: an unknown aud is invalid_audience', async () => {
    await refused(await op.set({ aud: 'someone-else' }), 'ERR_SET_AUDIENCE_INVALID', 'invalid_audience');
    await refused(await op.set({ aud: undefined }), 'ERR_SET_AUDIENCE_INVALID', 'invalid_audience');
    assert.ok(await validator()(await op.set({ aud: ['x', AUDIENCE] })));
  });

  test('RFC 8935 §2.3: a wrong iss is invalid_issuer', async () => {
    await refused(await op.set({ iss: 'https://evil.test/realms/r' }), 'ERR_SET_ISSUER_INVALID', 'invalid_issuer');
  });

  test('RFC 8935 §2.3: a signature by another key is invalid_key', async () => {
    const other = await generateKeyPair('RS256');
    const forged = await new SignJWT({
      iss: ISSUER,
      aud: AUDIENCE,
      iat: 1,
      jti: 'f',
      events: { [SSF_VERIFICATION]: {} },
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'secevent+jwt' })
      .sign(other.privateKey);
    await refused(forged, 'ERR_SET_SIGNATURE_INVALID', 'invalid_key');
  });

  test('CAEP interoperability profile: an algorithm outside the allow-list is refused before any key lookup', async () => {
    const hs = await new SignJWT({ iss: ISSUER })
      .setProtectedHeader({ alg: 'HS256', typ: 'secevent+jwt' })
      .sign(new Uint8Array(32));
    let lookups = 0;
    const validate = createSecurityEventTokenValidator({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: () => {
        lookups++;
        throw new Error('no');
      },
      replayStore: new MemoryLogoutStore(),
    });
    await refused(hs, 'ERR_SET_ALG_NOT_ALLOWED', 'invalid_request', validate);
    const none = `${Buffer.from('{"alg":"none","typ":"secevent+jwt"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    await refused(none, 'ERR_SET_ALG_NOT_ALLOWED', 'invalid_request', validate);
    assert.equal(lookups, 0);
  });

  test('RFC 8936 §2 / RFC 8935 §2: a replayed jti is refused', async () => {
    const validate = validator();
    const set = await op.set();
    await validate(set);
    await refused(set, 'ERR_SET_REPLAYED', 'invalid_request', validate);
  });

  test('SSF 1.0 §4.1: a SET with two events is refused', async () => {
    await refused(
      await op.set({ events: { [SESSION_REVOKED]: {}, [SSF_VERIFICATION]: {} } }),
      'ERR_SET_EVENTS_INVALID',
      'invalid_request',
    );
  });

  test('SSF 1.0 §4.1: a SET without events, or with a non-object event, is refused', async () => {
    await refused(await op.set({ events: undefined }), 'ERR_SET_EVENTS_INVALID', 'invalid_request');
    await refused(await op.set({ events: {} }), 'ERR_SET_EVENTS_INVALID', 'invalid_request');
    await refused(await op.set({ events: { [SESSION_REVOKED]: true } }), 'ERR_SET_EVENTS_INVALID', 'invalid_request');
  });

  test('SSF 1.0 §4.1: a SET with a top-level sub is refused (it could pass for an ID token)', async () => {
    await refused(await op.set({ sub: 'user-1' }), 'ERR_SET_SUB_PRESENT', 'invalid_request');
  });

  test('RFC 8417 §2.2: iat and jti are required; an iat from the future is refused', async () => {
    await refused(await op.set({ iat: undefined }), 'ERR_SET_IAT_INVALID', 'invalid_request');
    await refused(
      await op.set({ iat: Math.floor(Date.now() / 1000) + 3600 }),
      'ERR_SET_IAT_INVALID',
      'invalid_request',
    );
    await refused(await op.set({ jti: undefined }), 'ERR_SET_JTI_MISSING', 'invalid_request');
  });

  test('an expired exp is refused (SETs should carry none)', async () => {
    await refused(await op.set({ exp: 1000 }), 'ERR_SET_EXPIRED', 'invalid_request');
  });

  test('sub_id must be a subject identifier (an object with a format)', async () => {
    await refused(await op.set({ sub_id: 'user-1' }), 'ERR_SET_SUBJECT_INVALID', 'invalid_request');
  });

  test('not a JWT at all is invalid_request', async () => {
    await refused('not-a-jwt', 'ERR_SET_MALFORMED', 'invalid_request');
  });
});
