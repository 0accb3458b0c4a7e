// The RFC 8935 push endpoint on every adapter (Web, Express, Fastify): 202 for an accepted SET,
// 400 with {"err", "description"} (§2.3–2.4) otherwise, the stream's authorization_header
// checked, oversized bodies refused — and session-revoked ending the session in the store.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { securityEventPushRouter } from '../../src/adapters/express.ts';
import { fastifySecurityEventPush } from '../../src/adapters/fastify.ts';
import {
  ACCOUNT_DISABLED,
  createSetPushHandler,
  isLoggedOut,
  MemoryLogoutStore,
  type SecurityEvent,
  SESSION_REVOKED,
  type SessionRevokedEvent,
  type SetPushOptions,
  SSF_VERIFICATION,
} from '../../src/index.ts';
import { AUDIENCE, ISSUER, sessionSubject, signer } from '../helpers/signals.ts';

const op = await signer();
const AUTH = 'Bearer push-secret';

interface Answer {
  status: number;
  body: Record<string, unknown> | null;
}
interface Post {
  method?: string;
  contentType?: string;
  authorization?: string;
  body?: string;
}
type Endpoint = (p: Post) => Promise<Answer>;

async function json(text: string): Promise<Record<string, unknown> | null> {
  return text === '' ? null : (JSON.parse(text) as Record<string, unknown>);
}

function headers(p: Post): Record<string, string> {
  return {
    ...(p.contentType === undefined
      ? { 'content-type': 'application/secevent+jwt' }
      : { 'content-type': p.contentType }),
    ...(p.authorization === undefined
      ? { authorization: AUTH }
      : p.authorization === ''
        ? {}
        : { authorization: p.authorization }),
  };
}

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

const adapters: Array<[string, (options: SetPushOptions) => Promise<Endpoint>]> = [
  [
    'Web',
    async (options) => {
      const handler = createSetPushHandler(options);
      return async (p) => {
        const method = p.method ?? 'POST';
        const res = await handler(
          new Request('https://app.test/ssf/events', {
            method,
            headers: headers(p),
            ...(method === 'POST' ? { body: p.body ?? '' } : {}),
          }),
        );
        return { status: res.status, body: await json(await res.text()) };
      };
    },
  ],
  [
    'Express',
    async (options) => {
      const app = express();
      app.use(express.json()); // a global body parser must not get in the way
      app.use(securityEventPushRouter({ ...options, path: '/ssf/events' }));
      const server = app.listen(0, '127.0.0.1');
      servers.push(server);
      await new Promise<void>((r) => server.once('listening', () => r()));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ssf/events`;
      return async (p) => {
        const method = p.method ?? 'POST';
        const res = await fetch(url, {
          method,
          headers: headers(p),
          ...(method === 'POST' ? { body: p.body ?? '' } : {}),
        });
        return { status: res.status, body: await json(await res.text()) };
      };
    },
  ],
  [
    'Fastify',
    async (options) => {
      const app = Fastify();
      await app.register(fastifySecurityEventPush, { ...options, path: '/ssf/events' });
      return async (p) => {
        const method = p.method ?? 'POST';
        const res = await app.inject({
          method: method as 'POST',
          url: '/ssf/events',
          headers: headers(p),
          ...(method === 'POST' ? { payload: p.body ?? '' } : {}),
        });
        return { status: res.statusCode, body: await json(res.body) };
      };
    },
  ],
];

for (const [name, make] of adapters) {
  describe(`RFC 8935 push receiver (${name})`, () => {
    test('a valid session-revoked SET: 202, its session ends in the shared store, the callback sees it', async () => {
      const store = new MemoryLogoutStore();
      const seen: SessionRevokedEvent[] = [];
      const post = await make({
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: op.jwks,
        store,
        authorizationHeader: AUTH,
        onSessionRevoked: (e) => void seen.push(e),
      });
      assert.equal(await isLoggedOut(store, { iss: ISSUER, sid: 'sid-1', createdAt: 0 }), false);
      const res = await post({ body: await op.set() });
      assert.equal(res.status, 202);
      assert.equal(res.body, null);
      assert.equal(await isLoggedOut(store, { iss: ISSUER, sid: 'sid-1', createdAt: 0 }), true);
      assert.equal(await isLoggedOut(store, { iss: ISSUER, sid: 'sid-2', sub: 'user-1', createdAt: 0 }), false);
      assert.equal(seen.length, 1);
      assert.deepEqual(seen[0]!.target, { sub: 'user-1', subIss: ISSUER, sid: 'sid-1' });
    });

    test('CAEP session-revoked with only the user ends every session of that user so far', async () => {
      const store = new MemoryLogoutStore();
      const post = await make({ issuer: ISSUER, audience: AUDIENCE, keys: op.jwks, store, authorizationHeader: AUTH });
      const before = Date.now() - 1000;
      assert.equal((await post({ body: await op.set({ sub_id: sessionSubject(undefined) }) })).status, 202);
      assert.equal(await isLoggedOut(store, { iss: ISSUER, sid: 'any', sub: 'user-1', createdAt: before }), true);
      assert.equal(
        await isLoggedOut(store, { iss: ISSUER, sid: 'any', sub: 'user-1', createdAt: Date.now() + 1000 }),
        false,
      );
    });

    test('RISC and SSF events reach their callbacks', async () => {
      const got: Array<[string, SecurityEvent]> = [];
      const post = await make({
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: op.jwks,
        store: new MemoryLogoutStore(),
        authorizationHeader: AUTH,
        onAccountDisabled: (e) => void got.push(['disabled', e]),
        onVerification: (e) => void got.push(['verification', e]),
      });
      const disabled = await op.set({ events: { [ACCOUNT_DISABLED]: { reason: 'hijacking' } } });
      const verification = await op.set({
        sub_id: { format: 'opaque', id: 'stream-1' },
        events: { [SSF_VERIFICATION]: { state: 'abc' } },
      });
      assert.equal((await post({ body: disabled })).status, 202);
      assert.equal((await post({ body: verification })).status, 202);
      assert.deepEqual(
        got.map(([k, e]) => [k, e.payload]),
        [
          ['disabled', { reason: 'hijacking' }],
          ['verification', { state: 'abc' }],
        ],
      );
    });

    test('RFC 8935 §2.3: refusals are 400 with {"err","description"}', async () => {
      const post = await make({
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: op.jwks,
        store: new MemoryLogoutStore(),
        authorizationHeader: AUTH,
        maxBodyBytes: 4096,
      });
      const replayed = await op.set();
      assert.equal((await post({ body: replayed })).status, 202);
      const cases: Array<[string, Post, string]> = [
        ['bad typ', { body: await op.set({}, { typ: 'JWT' }) }, 'invalid_request'],
        ['unknown aud', { body: await op.set({ aud: 'other' }) }, 'invalid_audience'],
        ['wrong iss', { body: await op.set({ iss: 'https://evil.test' }) }, 'invalid_issuer'],
        ['replayed jti', { body: replayed }, 'invalid_request'],
        [
          'two events',
          { body: await op.set({ events: { [SESSION_REVOKED]: {}, [ACCOUNT_DISABLED]: {} } }) },
          'invalid_request',
        ],
        ['sub present', { body: await op.set({ sub: 'user-1' }) }, 'invalid_request'],
        ['oversized body', { body: `${await op.set()}${' '.repeat(5000)}` }, 'invalid_request'],
        ['wrong content type', { contentType: 'application/jwt', body: await op.set() }, 'invalid_request'],
        ['no authorization header', { authorization: '', body: await op.set() }, 'authentication_failed'],
        ['wrong authorization header', { authorization: 'Bearer nope', body: await op.set() }, 'authentication_failed'],
        ['not a JWT', { body: 'hello' }, 'invalid_request'],
      ];
      for (const [what, p, err] of cases) {
        const res = await post(p);
        assert.equal(res.status, 400, what);
        assert.equal(res.body?.err, err, what);
        assert.equal(typeof res.body?.description, 'string', what);
      }
    });

    test('the store failing half-way: 503, and the retry of the same SET (same jti) is applied, not refused as a replay', async () => {
      const store = new MemoryLogoutStore();
      const markLoggedOut = store.markLoggedOut.bind(store);
      let failures = 1;
      store.markLoggedOut = (...args) => (failures-- > 0 ? Promise.reject(new Error('down')) : markLoggedOut(...args));
      const post = await make({ issuer: ISSUER, audience: AUDIENCE, keys: op.jwks, store });
      const set = await op.set({ sub_id: sessionSubject('sid-retry') });
      assert.equal((await post({ body: set })).status, 503);
      assert.equal((await post({ body: set })).status, 202);
      assert.equal(await isLoggedOut(store, { iss: ISSUER, sid: 'sid-retry', createdAt: 0 }), true);
      assert.equal((await post({ body: set })).status, 400, 'once applied, a replay is refused');
    });

    test('only POST: other methods are 405', async () => {
      const post = await make({ issuer: ISSUER, audience: AUDIENCE, keys: op.jwks, store: new MemoryLogoutStore() });
      assert.equal((await post({ method: 'GET' })).status, 405);
    });

    test('the store unreachable: 503, so the transmitter retries', async () => {
      const store = new MemoryLogoutStore();
      store.rememberJti = () => Promise.reject(new Error('down'));
      const post = await make({ issuer: ISSUER, audience: AUDIENCE, keys: op.jwks, store });
      assert.equal((await post({ body: await op.set() })).status, 503);
    });
  });
}
