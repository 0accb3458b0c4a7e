// Who owns the remote key-set cache (issue 11, RP SDK): each handler and validator its own, so
// two handlers never share one and nothing global grows with them; the one-shot
// validateLogoutToken keeps a small LRU. Real HTTP on loopback for the JWKS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createBackchannelLogoutHandler,
  createLogoutTokenValidator,
  MemoryLogoutStore,
  validateLogoutToken,
} from '../src/index.ts';
import { jwksServer } from './helpers/jwks-server.ts';
import { CLIENT, ISSUER, post, testIssuer } from './helpers/tokens.ts';

const op = await testIssuer();
const OTHER_ISSUER = 'https://op.test/realms/other';

test('two handlers for two issuers do not share or grow a global key-set cache', async () => {
  // One key endpoint for both (one provider, two realms' worth of settings): the worst case for a
  // cache keyed by URL, which is what the process-wide cache was.
  const jwks = await jwksServer(op.jwks);
  const url = jwks.url();
  try {
    const a = createBackchannelLogoutHandler({
      issuer: ISSUER,
      clientId: CLIENT,
      keys: url,
      store: new MemoryLogoutStore(),
    });
    const b = createBackchannelLogoutHandler({
      issuer: OTHER_ISSUER,
      clientId: CLIENT,
      keys: url,
      store: new MemoryLogoutStore(),
    });
    assert.equal((await a(post(await op.token()))).status, 200);
    assert.equal((await b(post(await op.token({ iss: OTHER_ISSUER })))).status, 200);
    assert.equal(jwks.fetches(), 2, 'each handler fetched its own key set');
    assert.equal((await a(post(await op.token()))).status, 200);
    assert.equal((await b(post(await op.token({ iss: OTHER_ISSUER })))).status, 200);
    assert.equal(jwks.fetches(), 2, 'and keeps it');
    // Handlers put nothing in the process-wide cache of the one-shot function.
    await validateLogoutToken(await op.token(), {
      issuer: ISSUER,
      clientId: CLIENT,
      keys: url,
      replayStore: new MemoryLogoutStore(),
    });
    assert.equal(jwks.fetches(), 3);
    // A validator owns its key set the same way.
    const validate = createLogoutTokenValidator({
      issuer: ISSUER,
      clientId: CLIENT,
      keys: url,
      replayStore: new MemoryLogoutStore(),
    });
    await validate(await op.token());
    await validate(await op.token());
    assert.equal(jwks.fetches(), 4);
  } finally {
    await jwks.close();
  }
});

test("validateLogoutToken's process-wide key-set cache is bounded: the least recently used URL is evicted", async () => {
  const jwks = await jwksServer(op.jwks);
  const validate = async (path: string) =>
    validateLogoutToken(await op.token(), {
      issuer: ISSUER,
      clientId: CLIENT,
      keys: jwks.url(path),
      replayStore: new MemoryLogoutStore(),
    });
  try {
    await validate('/first');
    for (let i = 0; i < 20; i++) await validate(`/tenant-${i}/certs`);
    await validate('/tenant-19/certs');
    assert.equal(jwks.fetches('/tenant-19/certs'), 1, 'a recently used key set stays cached');
    await validate('/first');
    assert.equal(jwks.fetches('/first'), 2, 'the oldest was evicted, not kept for ever');
  } finally {
    await jwks.close();
  }
});
