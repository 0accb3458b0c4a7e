// The RFC 8936 poller against a poll server written from the RFC (helpers/poll-server.ts).
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { after, describe, test } from 'node:test';
import { createSetPoller, isLoggedOut, MemoryLogoutStore, PollRequestError } from '../../src/index.ts';
import { pollServer, type PollServer } from '../helpers/poll-server.ts';
import { AUDIENCE, ISSUER, sessionSubject, signer } from '../helpers/signals.ts';

const op = await signer();
const servers: PollServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function queued(server: PollServer, claims: Record<string, unknown> = {}): Promise<string> {
  const set = await op.set(claims);
  const jti = decodeJwt(set).jti!;
  server.queue(jti, set);
  return jti;
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('RFC 8936 poller', () => {
  test('§2.4: processes the SETs, acknowledges them in the next request, and honours moreAvailable', async () => {
    const server = await pollServer('poll-token');
    servers.push(server);
    const store = new MemoryLogoutStore();
    const jtis: string[] = [];
    for (let i = 0; i < 5; i++) jtis.push(await queued(server, { sub_id: sessionSubject(`sid-${i}`) }));
    const poller = createSetPoller({
      endpoint: server.url,
      accessToken: () => 'poll-token',
      receiver: { issuer: ISSUER, audience: AUDIENCE, keys: op.jwks, store },
      maxEvents: 2,
      returnImmediately: true,
      intervalMs: 60_000, // an empty answer would wait a minute: all five must come through moreAvailable
    });
    const started = Date.now();
    poller.start();
    await until(() => server.acked.length === 5);
    assert.ok(Date.now() - started < 10_000, 'no pause while moreAvailable');
    await poller.stop();
    // An ack repeated after stop() aborted the request carrying it is harmless (acks are idempotent).
    assert.deepEqual([...new Set(server.acked)].sort(), [...jtis].sort());
    for (let i = 0; i < 5; i++)
      assert.equal(await isLoggedOut(store, { iss: ISSUER, sid: `sid-${i}`, createdAt: 0 }), true);
    assert.deepEqual(server.requests[0], { maxEvents: 2, returnImmediately: true, ack: [] });
    assert.deepEqual(
      server.requests.slice(1, 4).map((r) => (r.ack as string[]).length),
      [2, 2, 1],
      'each request acknowledges the batch before it',
    );
  });

  test('§2.4.2: stop() sends the pending acknowledgements without asking for more (maxEvents 0)', async () => {
    const server = await pollServer('t');
    servers.push(server);
    const jti = await queued(server);
    const poller = createSetPoller({
      endpoint: server.url,
      accessToken: 't',
      receiver: { issuer: ISSUER, audience: AUDIENCE, keys: op.jwks, store: new MemoryLogoutStore() },
      returnImmediately: true,
    });
    assert.deepEqual(await poller.pollOnce(), { received: 1, moreAvailable: false });
    await poller.stop();
    assert.deepEqual(server.requests.at(-1), { maxEvents: 0, returnImmediately: true, ack: [jti] });
  });

  test('§2.4.4: a refused SET is reported in setErrs with its RFC 8935 code, not acknowledged', async () => {
    const server = await pollServer('t');
    servers.push(server);
    const good = await queued(server);
    const bad = await queued(server, { aud: 'someone-else' });
    const poller = createSetPoller({
      endpoint: server.url,
      accessToken: 't',
      receiver: { issuer: ISSUER, audience: AUDIENCE, keys: op.jwks, store: new MemoryLogoutStore() },
      returnImmediately: true,
    });
    await poller.pollOnce();
    await poller.pollOnce();
    assert.deepEqual(server.acked, [good]);
    assert.equal(server.errors[bad]?.err, 'invalid_audience');
  });

  test('long polling (returnImmediately false) gets a SET queued while the request is held; stop() ends it cleanly', async () => {
    const server = await pollServer('t', 30_000);
    servers.push(server);
    const store = new MemoryLogoutStore();
    const poller = createSetPoller({
      endpoint: server.url,
      accessToken: 't',
      receiver: { issuer: ISSUER, audience: AUDIENCE, keys: op.jwks, store },
    });
    poller.start();
    await until(() => server.requests.length === 1);
    assert.equal(server.requests[0]!.returnImmediately, false);
    const jti = await queued(server, { sub_id: sessionSubject('sid-held') });
    await until(() => isLoggedOut(store, { iss: ISSUER, sid: 'sid-held', createdAt: 0 }));
    const started = Date.now();
    await poller.stop(); // aborts the next held request at once
    assert.ok(Date.now() - started < 5000, `stop took ${Date.now() - started} ms`);
    assert.ok(server.acked.includes(jti));
  });

  test('a refused bearer token is a PollRequestError with the status, given to onError', async () => {
    const server = await pollServer('right');
    servers.push(server);
    const errors: Error[] = [];
    const poller = createSetPoller({
      endpoint: server.url,
      accessToken: 'wrong',
      receiver: { issuer: ISSUER, audience: AUDIENCE, keys: op.jwks, store: new MemoryLogoutStore() },
      returnImmediately: true,
      retryDelayMs: 60_000,
      onError: (e) => void errors.push(e),
    });
    await assert.rejects(poller.pollOnce(), (e: unknown) => e instanceof PollRequestError && e.status === 401);
    poller.start();
    await until(() => errors.length === 1);
    await poller.stop();
  });
});
