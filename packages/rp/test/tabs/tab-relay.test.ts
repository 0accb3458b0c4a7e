// The open-tabs relay: a logout received by any instance reaches the tabs of that session on
// every instance, through the store's publish/subscribe (Redis pub/sub, PostgreSQL
// LISTEN/NOTIFY, in-process for memory). Instance A is Express, instance B Fastify, each with its
// own store connection; the logout arrives at a third.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { tabRelayRouter } from '../../src/adapters/express.ts';
import { fastifyTabRelay } from '../../src/adapters/fastify.ts';
import {
  createBackchannelLogoutHandler,
  createTabRelayHandler,
  type LogoutStore,
  MemoryLogoutStore,
  type SessionIdentity,
  TAB_RELAY_SCRIPT,
} from '../../src/index.ts';
import { openSse, readSse } from '../helpers/sse.ts';
import { namespace, STORES } from '../helpers/stores.ts';
import { CLIENT, ISSUER, post, testIssuer } from '../helpers/tokens.ts';

const op = await testIssuer();

/** The test's "session": headers name the sid and sub; the session began at x-created. */
function identityOf(headers: { get(name: string): string | null }): SessionIdentity | undefined {
  const sid = headers.get('x-sid');
  if (!sid) return undefined;
  return { iss: ISSUER, sid, sub: headers.get('x-sub') ?? 'user-1', createdAt: Number(headers.get('x-created') ?? 0) };
}

async function expressInstance(store: LogoutStore): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  const tabs = tabRelayRouter({
    store,
    identify: (req) => identityOf({ get: (n) => (req.headers[n] as string | undefined) ?? null }),
  });
  app.use(tabs);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sundown/session-events`,
    close: async () => {
      await tabs.relay.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

async function fastifyInstance(store: LogoutStore): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify();
  await app.register(fastifyTabRelay, {
    store,
    identify: (request) => identityOf({ get: (n) => (request.headers[n] as string | undefined) ?? null }),
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `${address}/sundown/session-events`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

for (const backend of STORES) {
  describe(`tab relay on ${backend.name}`, { skip: backend.skip }, () => {
    const ns = namespace();
    const opened: Array<{ close(): Promise<void> }> = [];
    after(async () => {
      for (const o of opened.reverse()) await o.close();
      await backend.cleanup(ns);
    });

    test('two tabs on two relay instances both get signed-out; a tab of another session does not', async () => {
      const shared = backend.name === 'memory' ? (await backend.open(ns)).store : undefined;
      const open = async () => {
        if (shared) return shared;
        const o = await backend.open(ns);
        opened.push(o);
        return o.store;
      };
      const [storeA, storeB, storeReceiver] = [await open(), await open(), await open()];
      const a = await expressInstance(storeA);
      const b = await fastifyInstance(storeB);
      opened.push(a, b);
      const sid = `tab-${ns}`;
      const tab1 = await openSse(a.url, { 'x-sid': sid });
      const tab2 = await openSse(b.url, { 'x-sid': sid });
      const other = await openSse(b.url, { 'x-sid': `other-${ns}` });
      for (const t of [tab1, tab2, other]) {
        assert.equal(t.status, 200);
        assert.match(t.contentType ?? '', /^text\/event-stream/);
        await t.waitFor('ready');
      }
      const logout = createBackchannelLogoutHandler({
        issuer: ISSUER,
        clientId: CLIENT,
        keys: op.jwks,
        store: storeReceiver,
      });
      assert.equal((await logout(post(await op.token({ sid })))).status, 200);
      const [t1, t2] = await Promise.all([tab1.waitFor('signed-out'), tab2.waitFor('signed-out')]);
      assert.match(t1, /event: signed-out\ndata: \{"reason":"logout"\}\n\n/);
      assert.match(t2, /event: signed-out\n/);
      await new Promise((r) => setTimeout(r, 200));
      assert.doesNotMatch(other.text(), /signed-out/);
      other.close();
    });
  });
}

describe('tab relay (Web handler, memory)', () => {
  const store = new MemoryLogoutStore();
  const handler = createTabRelayHandler({ store, identify: (req) => identityOf(req.headers) });
  after(() => handler.close());
  const get = (headers: Record<string, string> = {}, path = '/sundown/session-events') =>
    handler(new Request(`https://app.test${path}`, { headers }));

  test('a first connection without a session is 204, so EventSource stops', async () => {
    const res = await get();
    assert.equal(res.status, 204);
  });

  test('a reconnect (Last-Event-ID) whose session is gone gets signed-out at once', async () => {
    const res = await get({ 'last-event-id': 'signed-in' });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /event: signed-out\n/);
  });

  test('a tab whose session was already logged out gets signed-out on connecting (missed messages are made good)', async () => {
    await store.markLoggedOut({ iss: ISSUER, sid: 'gone', at: Date.now() }, 60);
    const res = await get({ 'x-sid': 'gone' });
    const text = await res.text(); // the stream ends after the event
    assert.match(text, /event: ready\n[\s\S]*event: signed-out\n/);
  });

  test('a logout of the user (sub, no sid) ends tabs of sessions begun before it, not after', async () => {
    const old = readSse(await get({ 'x-sid': 'a1', 'x-sub': 'u9', 'x-created': String(Date.now() - 10_000) }));
    const fresh = readSse(await get({ 'x-sid': 'a2', 'x-sub': 'u9', 'x-created': String(Date.now() + 10_000) }));
    await old.waitFor('ready');
    await fresh.waitFor('ready');
    await store.markLoggedOut({ iss: ISSUER, sub: 'u9', at: Date.now() }, 60);
    await store.publishLogout({ iss: ISSUER, sub: 'u9', at: Date.now() });
    await old.waitFor('signed-out');
    await new Promise((r) => setTimeout(r, 50));
    assert.doesNotMatch(fresh.text(), /signed-out/);
    assert.equal(handler.relay.size, 1);
    fresh.close();
  });

  test('<path>.js serves the browser module', async () => {
    const res = await get({}, '/sundown/session-events.js');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(await res.text(), TAB_RELAY_SCRIPT);
  });

  test('the browser module is a syntactically valid ES module', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sundown-tab-script-'));
    try {
      const file = join(dir, 'session-events.mjs');
      writeFileSync(file, TAB_RELAY_SCRIPT);
      const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
