// The back-channel logout endpoint: the conformance suite's RP cases (standards §8) with exact
// status codes, plus the cases the suite misses. Names follow the suite's modules.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { generateKeyPair } from 'jose';
import { ACCEPT_JWT_TYP, createBackchannelLogoutHandler, isLoggedOut, MemoryLogoutStore } from '../src/index.ts';
import { CLIENT, EVENT, ISSUER, post, type TestIssuer, testIssuer, unsigned } from './helpers/tokens.ts';

const op: TestIssuer = await testIssuer();

describe('back-channel logout endpoint', () => {
  let store: MemoryLogoutStore;
  let handler: (req: Request) => Promise<Response>;
  beforeEach(() => {
    store = new MemoryLogoutStore();
    handler = createBackchannelLogoutHandler({ issuer: ISSUER, clientId: CLIENT, keys: op.jwks, store });
  });

  async function expect400(req: Request, pattern?: RegExp): Promise<void> {
    const res = await handler(req);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'invalid_request');
    if (pattern) assert.match(body.error_description, pattern);
  }

  test('oidcc-backchannel-rp-initiated-logout: a valid token → exactly 200, no-store, and the session is logged out', async () => {
    const res = await handler(post(await op.token()));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(
      await isLoggedOut(store, { iss: ISSUER, sid: 'sid-1', sub: 'user-1', createdAt: Date.now() - 1000 }),
      true,
    );
    assert.equal(
      await isLoggedOut(store, { iss: ISSUER, sid: 'sid-2', sub: 'user-1', createdAt: Date.now() - 1000 }),
      false,
      'other sessions of the user stay',
    );
  });

  test('the 200 carries a receipt (BCL §2.8 allows a body): logged out, and the count onLogout returns', async () => {
    const plain = await handler(post(await op.token()));
    assert.equal(plain.status, 200);
    assert.match(plain.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await plain.json(), { logged_out: true }, 'no count when the app cannot know it');
    const counting = createBackchannelLogoutHandler({
      issuer: ISSUER,
      clientId: CLIENT,
      keys: op.jwks,
      store,
      onLogout: () => 3,
    });
    const res = await counting(post(await op.token({ jti: 'receipt-2', sid: 'sid-r2' })));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { logged_out: true, sessions_ended: 3 });
  });

  test('oidcc-backchannel-rp-initiated-logout-token-alg-none → 400', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect400(
      post(
        unsigned({ iss: ISSUER, aud: CLIENT, iat: now, exp: now + 60, jti: 'n1', sid: 's', events: { [EVENT]: {} } }),
      ),
      /alg "none"/,
    );
  });

  test('oidcc-backchannel-rp-initiated-logout-token-no-events → 400', async () => {
    await expect400(post(await op.token({ events: undefined })), /events/);
  });

  test('oidcc-backchannel-rp-initiated-logout-token-wrong-events → 400', async () => {
    await expect400(
      post(await op.token({ events: { 'http://schemas.openid.net/event/other': {} } })),
      /back-channel logout event/,
    );
    await expect400(post(await op.token({ events: { [EVENT]: 'yes' } })));
    await expect400(post(await op.token({ events: [EVENT] })));
  });

  test('oidcc-backchannel-rp-initiated-logout-token-contains-nonce → 400', async () => {
    await expect400(post(await op.token({ nonce: 'abc' })), /nonce/);
  });

  test('oidcc-backchannel-rp-initiated-logout-token-wrong-alg (the key is in the JWKS) → 400', async () => {
    await expect400(post(await op.token({}, {}, 'ec')), /algorithm ES256 is not allowed/);
  });

  test('oidcc-backchannel-rp-initiated-logout-token-wrong-aud → 400', async () => {
    await expect400(post(await op.token({ aud: 'someone-else' })), /not addressed to this client/);
    await expect400(post(await op.token({ aud: [CLIENT, 'untrusted'] })), /does not trust/);
  });

  test('oidcc-backchannel-rp-initiated-logout-token-wrong-iss → 400', async () => {
    await expect400(post(await op.token({ iss: 'https://evil.test' })), /issuer/);
  });

  test('bad signature → 400', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await expect400(post(await op.token({}, {}, privateKey)), /signature/);
    const good = await op.token();
    const [h, p, s] = good.split('.');
    await expect400(post(`${h}.${p}.${s!.slice(0, -4)}AAAA`), /signature/);
  });

  test('no sub and no sid → 400', async () => {
    await expect400(post(await op.token({ sub: undefined, sid: undefined })), /neither sub nor sid/);
  });

  test('future iat → 400', async () => {
    await expect400(post(await op.token({ iat: Math.floor(Date.now() / 1000) + 3600 })), /iat is in the future/);
  });

  test('missing iat → 400', async () => {
    await expect400(post(await op.token({ iat: undefined })), /iat/);
  });

  test('expired exp → 400', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect400(post(await op.token({ iat: now - 600, exp: now - 300 })), /expired/);
  });

  test('replayed jti → 400 the second time', async () => {
    const token = await op.token();
    assert.equal((await handler(post(token))).status, 200);
    await expect400(post(token), /already used/);
  });

  test('missing jti → 400', async () => {
    await expect400(post(await op.token({ jti: undefined })), /jti/);
  });

  test('wrong typ → 400; JWT typ only with the named compatibility option', async () => {
    await expect400(post(await op.token({}, { typ: 'at+jwt' })), /typ/);
    await expect400(post(await op.token({}, { typ: 'JWT' })), /typ "JWT"/);
    const compat = createBackchannelLogoutHandler({
      issuer: ISSUER,
      clientId: CLIENT,
      keys: op.jwks,
      store,
      compatibility: [ACCEPT_JWT_TYP],
    });
    assert.equal((await compat(post(await op.token({}, { typ: 'JWT' })))).status, 200);
  });

  test('no typ header at all is accepted (the conformance suite sends none)', async () => {
    assert.equal((await handler(post(await op.token({}, { typ: undefined })))).status, 200);
  });

  test('application/logout+jwt typ is accepted', async () => {
    assert.equal((await handler(post(await op.token({}, { typ: 'application/logout+jwt' })))).status, 200);
  });

  test('oversized body → 400', async () => {
    await expect400(post(await op.token(), { padding: 'x'.repeat(20_000) }), /larger than/);
  });

  test('duplicated logout_token → 400', async () => {
    const t = await op.token();
    await expect400(post([t, t]), /once/);
  });

  test('missing logout_token → 400', async () => {
    await expect400(post([], { other: 'x' }), /Missing logout_token/);
  });

  test('unknown form fields and unknown claims are ignored', async () => {
    const res = await handler(post(await op.token({ custom: { a: 1 }, acr: 'x' }), { foo: 'bar' }));
    assert.equal(res.status, 200);
  });

  test('GET and other methods → 405 with Allow: POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await handler(new Request('https://app.test/backchannel-logout', { method }));
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('allow'), 'POST');
    }
  });

  test('wrong content type → 400', async () => {
    const res = await handler(
      new Request('https://app.test/backchannel-logout', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ logout_token: await op.token() }),
      }),
    );
    assert.equal(res.status, 400);
  });

  test('already logged out is still 200', async () => {
    assert.equal((await handler(post(await op.token()))).status, 200);
    assert.equal((await handler(post(await op.token()))).status, 200);
  });

  test('store unreachable → 503 with Retry-After, so the provider retries and nothing is lost', async () => {
    const broken = new MemoryLogoutStore();
    broken.markLoggedOut = async () => {
      throw new Error('ECONNREFUSED');
    };
    const h = createBackchannelLogoutHandler({
      issuer: ISSUER,
      clientId: CLIENT,
      keys: op.jwks,
      store: broken,
      retryAfterSeconds: 7,
    });
    const res = await h(post(await op.token()));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '7');
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('a token with only sub ends every earlier session of the user, not later ones', async () => {
    // A session begun before the request, not a guessed few ms before its answer (slow machines).
    const token = await op.token({ sid: undefined });
    const before = Date.now() - 1;
    assert.equal((await handler(post(token))).status, 200);
    assert.equal(await isLoggedOut(store, { iss: ISSUER, sub: 'user-1', sid: 'any', createdAt: before }), true);
    assert.equal(
      await isLoggedOut(store, { iss: ISSUER, sub: 'user-1', sid: 'new', createdAt: Date.now() + 10 }),
      false,
      'signed in again after the logout',
    );
    assert.equal(
      await isLoggedOut(store, { iss: 'https://other.test', sub: 'user-1', createdAt: before }),
      false,
      'other issuers untouched',
    );
  });

  test('onLogout receives the claims and the indexed app sessions', async () => {
    const seen: string[][] = [];
    await store.indexSession({ iss: ISSUER, sid: 'sid-1', sub: 'user-1' }, 'app-session-A', 3600);
    const h = createBackchannelLogoutHandler({
      issuer: ISSUER,
      clientId: CLIENT,
      keys: op.jwks,
      store,
      onLogout: (e) => void seen.push(e.appSessionIds),
    });
    assert.equal((await h(post(await op.token()))).status, 200);
    assert.deepEqual(seen, [['app-session-A']]);
  });
});

describe('Keycloak-shaped tokens', () => {
  const store = new MemoryLogoutStore();
  const handler = createBackchannelLogoutHandler({
    issuer: ISSUER,
    clientId: CLIENT,
    keys: op.jwks,
    store,
    compatibility: [ACCEPT_JWT_TYP],
  });

  test('header typ logout+jwt, claim typ "Logout", revoke_offline_access inside the event\'s value (older Sundown), with exp', async () => {
    const { validateLogoutToken } = await import('../src/index.ts');
    const token = await op.token({ typ: 'Logout', events: { [EVENT]: { revoke_offline_access: true } } });
    const claims = await validateLogoutToken(token, {
      issuer: ISSUER,
      clientId: CLIENT,
      keys: op.jwks,
      replayStore: new MemoryLogoutStore(),
    });
    assert.equal(claims.revokeOfflineAccess, true);
    assert.equal(claims.sid, 'sid-1');
    assert.equal((await handler(post(await op.token({ typ: 'Logout' })))).status, 200);
  });

  test('revoke_offline_access beside the event inside events, as Keycloak writes it', async () => {
    const { validateLogoutToken } = await import('../src/index.ts');
    const validate = async (events: Record<string, unknown>) =>
      (
        await validateLogoutToken(await op.token({ typ: 'Logout', events }), {
          issuer: ISSUER,
          clientId: CLIENT,
          keys: op.jwks,
          replayStore: new MemoryLogoutStore(),
        })
      ).revokeOfflineAccess;
    assert.equal(await validate({ [EVENT]: {}, revoke_offline_access: true }), true);
    assert.equal(await validate({ [EVENT]: {} }), false);
    assert.equal(await validate({ [EVENT]: {}, revoke_offline_access: 'true' }), false, 'only the boolean true counts');
  });

  test('old Keycloak: header typ JWT and no exp', async () => {
    const res = await handler(post(await op.token({ typ: 'Logout', exp: undefined }, { typ: 'JWT' })));
    assert.equal(res.status, 200);
  });

  test('without exp, a token older than maxTokenAgeSeconds is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await handler(post(await op.token({ exp: undefined, iat: now - 3600 })));
    assert.equal(res.status, 400);
  });
});
