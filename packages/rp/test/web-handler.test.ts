// The Web-standard handler mounted in Hono, as a Next.js route handler would use it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { createBackchannelLogoutHandler, isLoggedOut, MemoryLogoutStore } from '../src/index.ts';
import { CLIENT, ISSUER, post, testIssuer } from './helpers/tokens.ts';

test('Hono: app.all(path, (c) => handler(c.req.raw))', async () => {
  const op = await testIssuer();
  const store = new MemoryLogoutStore();
  const handler = createBackchannelLogoutHandler({ issuer: ISSUER, clientId: CLIENT, keys: op.jwks, store });
  const app = new Hono();
  app.all('/backchannel-logout', (c) => handler(c.req.raw));
  const ok = await app.fetch(post(await op.token()));
  assert.equal(ok.status, 200);
  assert.equal(await isLoggedOut(store, { iss: ISSUER, sid: 'sid-1', createdAt: 0 }), true);
  assert.equal((await app.request('/backchannel-logout')).status, 405);
  assert.equal((await app.fetch(post(await op.token({ iss: 'x' })))).status, 400);
});
