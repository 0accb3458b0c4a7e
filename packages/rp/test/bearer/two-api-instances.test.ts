// Issue 25's "Done means": a logout ends an API's acceptance of the user's access token on two
// API instances at once, without waiting for the token's exp — learned by a back-channel logout
// token or by a CAEP session-revoked SET received by a third process, through the shared store
// (memory: one process; Redis and PostgreSQL: separate connections, as separate instances have).
// Instance A is Express (requireBearerToken), instance B Fastify (fastifyBearerGuard).
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { accessTokenClaims, requireBearerToken } from '../../src/adapters/express.ts';
import { fastifyAccessTokenClaims, fastifyBearerGuard } from '../../src/adapters/fastify.ts';
import { createBackchannelLogoutHandler, createSetPushHandler, type LogoutStore } from '../../src/index.ts';
import { API, AUDIENCE, ISSUER, sessionSubject, signer } from '../helpers/signals.ts';
import { namespace, STORES } from '../helpers/stores.ts';
import { CLIENT, post, testIssuer } from '../helpers/tokens.ts';

const as = await signer();
const op = await testIssuer();

interface Api {
  call(token: string): Promise<{ status: number; challenge: string | null }>;
  close(): Promise<void>;
}

async function expressApi(store: LogoutStore): Promise<Api> {
  const app = express();
  app.use('/api', requireBearerToken({ issuer: ISSUER, audience: API, keys: as.jwks, store }));
  app.get('/api/me', (req, res) => void res.json({ sub: accessTokenClaims(req)?.sub }));
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/me`;
  return {
    async call(token) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return { status: res.status, challenge: res.headers.get('www-authenticate') };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function fastifyApi(store: LogoutStore): Promise<Api> {
  const app = Fastify();
  app.addHook('preHandler', fastifyBearerGuard({ issuer: ISSUER, audience: API, keys: as.jwks, store }));
  app.get('/api/me', async (request) => ({ sub: fastifyAccessTokenClaims(request)?.sub }));
  return {
    async call(token) {
      const res = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
      const challenge = res.headers['www-authenticate'];
      return { status: res.statusCode, challenge: typeof challenge === 'string' ? challenge : null };
    },
    close: () => app.close(),
  };
}

for (const backend of STORES) {
  describe(`two API instances on ${backend.name}`, { skip: backend.skip }, () => {
    const ns = namespace();
    const opened: Array<{ close(): Promise<void> }> = [];
    after(async () => {
      for (const o of opened) await o.close();
      await backend.cleanup(ns);
    });

    async function setUp() {
      // Memory is one process: every "instance" shares the one store object.
      const shared = backend.name === 'memory' ? (await backend.open(ns)).store : undefined;
      const open = async () => {
        if (shared) return shared;
        const o = await backend.open(ns);
        opened.push(o);
        return o.store;
      };
      const [storeA, storeB, storeReceiver] = [await open(), await open(), await open()];
      const a = await expressApi(storeA);
      const b = await fastifyApi(storeB);
      opened.push(a, b);
      return { a, b, storeReceiver };
    }

    test('a back-channel logout token received elsewhere makes both refuse the old token, before its exp', async () => {
      const { a, b, storeReceiver } = await setUp();
      const token = await as.accessToken({ sid: `bcl-${ns}` });
      assert.equal((await a.call(token)).status, 200);
      assert.equal((await b.call(token)).status, 200);
      const logout = createBackchannelLogoutHandler({
        issuer: ISSUER,
        clientId: CLIENT,
        keys: op.jwks,
        store: storeReceiver,
      });
      assert.equal((await logout(post(await op.token({ sid: `bcl-${ns}` })))).status, 200);
      for (const api of [a, b]) {
        const res = await api.call(token);
        assert.equal(res.status, 401);
        assert.match(
          res.challenge ?? '',
          /^Bearer error="invalid_token", error_description="The session of this token has ended"$/,
        );
      }
      assert.equal((await a.call(await as.accessToken({ sid: `other-${ns}` }))).status, 200, 'other sessions stay');
    });

    test('a CAEP session-revoked SET pushed elsewhere makes both refuse the old token', async () => {
      const { a, b, storeReceiver } = await setUp();
      const token = await as.accessToken({ sid: `caep-${ns}` });
      assert.equal((await a.call(token)).status, 200);
      assert.equal((await b.call(token)).status, 200);
      const push = createSetPushHandler({ issuer: ISSUER, audience: AUDIENCE, keys: as.jwks, store: storeReceiver });
      const res = await push(
        new Request('https://app.test/ssf/events', {
          method: 'POST',
          headers: { 'content-type': 'application/secevent+jwt' },
          body: await as.set({ sub_id: sessionSubject(`caep-${ns}`) }),
        }),
      );
      assert.equal(res.status, 202);
      assert.equal((await a.call(token)).status, 401);
      assert.equal((await b.call(token)).status, 401);
    });

    test('a user-only session-revoked refuses every token of that user issued before it', async () => {
      const { a, b, storeReceiver } = await setUp();
      const user = `user-${ns}`;
      const earlier = Math.floor(Date.now() / 1000) - 5;
      const token = await as.accessToken({ sub: user, sid: `s1-${ns}`, iat: earlier });
      assert.equal((await b.call(token)).status, 200);
      const push = createSetPushHandler({ issuer: ISSUER, audience: AUDIENCE, keys: as.jwks, store: storeReceiver });
      const res = await push(
        new Request('https://app.test/ssf/events', {
          method: 'POST',
          headers: { 'content-type': 'application/secevent+jwt' },
          body: await as.set({ sub_id: sessionSubject(undefined, user) }),
        }),
      );
      assert.equal(res.status, 202);
      assert.equal((await a.call(token)).status, 401);
      assert.equal((await b.call(token)).status, 401);
    });
  });
}
