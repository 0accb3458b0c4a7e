// One clock option, one unit: the same `clock` governs the iat/exp checks (seconds) and the
// logout marker that is the session cut-off (ms). Before, `now` meant seconds in validation and
// milliseconds in applyLogout while one options object fed both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyLogout,
  type BackchannelLogoutOptions,
  createBackchannelLogoutHandler,
  isLoggedOut,
  MemoryLogoutStore,
  validateLogoutToken,
} from '../src/index.ts';
import { CLIENT, ISSUER, post, testIssuer } from './helpers/tokens.ts';

const op = await testIssuer();

test('one clock option governs both the iat/exp checks and the session cut-off', async () => {
  // An hour ago, between two whole seconds: the ms part must survive into the marker.
  const at = Math.floor(Date.now() / 1000) * 1000 - 3_600_000 + 500;
  const clock = () => new Date(at);
  const store = new MemoryLogoutStore();
  const handler = createBackchannelLogoutHandler({ issuer: ISSUER, clientId: CLIENT, keys: op.jwks, store, clock });

  const iat = Math.floor(at / 1000);
  // Expired by the system clock, valid by this one.
  assert.equal((await handler(post(await op.token({ iat, exp: iat + 60, sid: undefined })))).status, 200);
  // Issued "now" by the system clock is an hour in the future by this one.
  const future = await handler(post(await op.token({ sid: undefined })));
  assert.equal(future.status, 400);
  assert.match(((await future.json()) as { error_description: string }).error_description, /iat is in the future/);

  // The sub-only logout ends sessions that began up to the clock's time, in ms, and no later.
  assert.equal((await store.markersFor({ iss: ISSUER, sub: 'user-1' })).sub, at);
  assert.equal(await isLoggedOut(store, { iss: ISSUER, sub: 'user-1', createdAt: at - 1 }), true);
  assert.equal(
    await isLoggedOut(store, { iss: ISSUER, sub: 'user-1', createdAt: at + 1 }),
    false,
    'a session begun after the logout stays valid',
  );
});

test('validateLogoutToken and applyLogout read the same clock on their own', async () => {
  const at = Date.now() - 7_200_000;
  const clock = () => new Date(at);
  const store = new MemoryLogoutStore();
  const iat = Math.floor(at / 1000);
  const claims = await validateLogoutToken(await op.token({ iat, exp: iat + 60, sid: undefined }), {
    issuer: ISSUER,
    clientId: CLIENT,
    keys: op.jwks,
    replayStore: store,
    clock,
  });
  await applyLogout(store, claims, { clock });
  assert.equal((await store.markersFor({ iss: ISSUER, sub: 'user-1' })).sub, at);
});

test('the old `now` option is refused with a TypeError, not read in a guessed unit', async () => {
  const legacy = {
    issuer: ISSUER,
    clientId: CLIENT,
    keys: op.jwks,
    store: new MemoryLogoutStore(),
    now: () => Math.floor(Date.now() / 1000),
  } as unknown as BackchannelLogoutOptions;
  assert.throws(() => createBackchannelLogoutHandler(legacy), { name: 'TypeError', message: /clock/ });
  await assert.rejects(validateLogoutToken(await op.token(), { ...legacy, replayStore: legacy.store }), {
    name: 'TypeError',
    message: /clock/,
  });
  const claims = await validateLogoutToken(await op.token(), {
    issuer: ISSUER,
    clientId: CLIENT,
    keys: op.jwks,
    replayStore: new MemoryLogoutStore(),
  });
  await assert.rejects(applyLogout(legacy.store, claims, legacy), { name: 'TypeError', message: /clock/ });
});

test('a clock that returns an invalid Date is refused (NaN would pass every time check)', async () => {
  const opts = {
    issuer: ISSUER,
    clientId: CLIENT,
    keys: op.jwks,
    replayStore: new MemoryLogoutStore(),
    clock: () => new Date(Number.NaN),
  };
  await assert.rejects(validateLogoutToken(await op.token({ exp: 1 }), opts), {
    name: 'TypeError',
    message: /valid Date/,
  });
});
