// registerStream against a transmitter written from SSF 1.0 §7 and §8.1.1 (discovery with the
// issuer path appended, client credentials, POST configuration_endpoint, 409 then GET).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  PUSH_DELIVERY,
  POLL_DELIVERY,
  registerStream,
  requestVerification,
  SESSION_REVOKED,
  ssfConfigurationUrl,
} from '../../src/index.ts';

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (d: Buffer) => (s += d.toString()));
    req.on('end', () => resolve(s));
  });
}

describe('registerStream (SSF 1.0 §8.1.1)', () => {
  let base: string;
  let issuer: string;
  const streams = new Map<string, Record<string, unknown>>();
  const tokenRequests: URLSearchParams[] = [];
  const verifications: Array<Record<string, unknown>> = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, base);
    const body = await read(req);
    const send = (status: number, json?: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(json === undefined ? '' : JSON.stringify(json));
    if (url.pathname === '/.well-known/ssf-configuration/realms/r')
      return send(200, {
        spec_version: '1_0',
        issuer,
        jwks_uri: `${issuer}/protocol/openid-connect/certs`,
        delivery_methods_supported: [PUSH_DELIVERY, POLL_DELIVERY],
        configuration_endpoint: `${issuer}/ssf/streams`,
        verification_endpoint: `${issuer}/ssf/verify`,
      });
    if (url.pathname === '/realms/r/.well-known/openid-configuration')
      return send(200, { issuer, token_endpoint: `${issuer}/protocol/openid-connect/token` });
    if (url.pathname === '/realms/r/protocol/openid-connect/token') {
      const form = new URLSearchParams(body);
      tokenRequests.push(form);
      const basic = Buffer.from('receiver:secret').toString('base64');
      if (req.headers.authorization !== `Basic ${basic}` || form.get('grant_type') !== 'client_credentials')
        return send(401, { error: 'invalid_client' });
      return send(200, { access_token: 'at-receiver', token_type: 'Bearer', expires_in: 300 });
    }
    if (url.pathname === '/realms/r/ssf/verify') {
      if (req.headers.authorization !== 'Bearer at-receiver') return send(401);
      verifications.push(JSON.parse(body) as Record<string, unknown>);
      return send(204);
    }
    if (url.pathname === '/realms/r/ssf/streams') {
      if (req.headers.authorization !== 'Bearer at-receiver') return send(401);
      if (req.method === 'GET') return send(200, [...streams.values()]);
      if (streams.has('receiver')) return send(409, { error: 'conflict' });
      const asked = JSON.parse(body) as { delivery: { method: string }; events_requested?: string[] };
      const stream = {
        stream_id: 'stream-1',
        iss: issuer,
        aud: 'receiver',
        delivery:
          asked.delivery.method === POLL_DELIVERY
            ? { method: POLL_DELIVERY, endpoint_url: `${issuer}/ssf/poll/stream-1` }
            : asked.delivery,
        events_supported: [SESSION_REVOKED],
        events_requested: asked.events_requested ?? [],
        events_delivered: [SESSION_REVOKED],
      };
      streams.set('receiver', stream);
      return send(201, stream);
    }
    send(404);
  });

  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    issuer = `${base}/realms/r`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('§7.2: the well-known URI has the issuer path after /.well-known/ssf-configuration', () => {
    assert.equal(
      ssfConfigurationUrl('https://sso.example.com/realms/acme').href,
      'https://sso.example.com/.well-known/ssf-configuration/realms/acme',
    );
    assert.equal(
      ssfConfigurationUrl('https://ssf.example.com').href,
      'https://ssf.example.com/.well-known/ssf-configuration',
    );
  });

  test('creates a push stream with the authorization_header, by client credentials; a second call reads it (409)', async () => {
    const options = {
      issuer,
      clientId: 'receiver',
      clientSecret: 'secret',
      delivery: {
        method: 'push' as const,
        endpointUrl: 'https://app.test/ssf/events',
        authorizationHeader: 'Bearer s3',
      },
      eventsRequested: [SESSION_REVOKED],
    };
    const first = await registerStream(options);
    assert.equal(first.created, true);
    assert.equal(first.stream.stream_id, 'stream-1');
    assert.deepEqual(first.stream.delivery, {
      method: PUSH_DELIVERY,
      endpoint_url: 'https://app.test/ssf/events',
      authorization_header: 'Bearer s3',
    });
    assert.equal(first.transmitter.jwks_uri, `${issuer}/protocol/openid-connect/certs`);
    assert.equal(tokenRequests[0]!.get('scope'), 'ssf.manage ssf.read');
    const second = await registerStream(options);
    assert.equal(second.created, false);
    assert.equal(second.stream.stream_id, 'stream-1');
  });

  test('a poll stream gets its poll URL from the transmitter', async () => {
    streams.clear();
    const { stream, accessToken } = await registerStream({
      issuer,
      clientId: 'receiver',
      clientSecret: 'secret',
      delivery: { method: 'poll' },
    });
    assert.equal(stream.delivery.method, POLL_DELIVERY);
    assert.equal(stream.delivery.endpoint_url, `${issuer}/ssf/poll/stream-1`);
    assert.equal(accessToken, 'at-receiver');
  });

  test('§8.1.4.2: requestVerification posts stream_id and state with the bearer token', async () => {
    const { stream, transmitter, accessToken } = await registerStream({
      issuer,
      clientId: 'receiver',
      clientSecret: 'secret',
      delivery: { method: 'poll' },
    });
    await requestVerification({ transmitter, accessToken, streamId: stream.stream_id, state: 'st-1' });
    assert.deepEqual(verifications, [{ stream_id: 'stream-1', state: 'st-1' }]);
    await assert.rejects(requestVerification({ transmitter, accessToken: 'wrong', streamId: 'stream-1' }), /HTTP 401/);
  });

  test('wrong client credentials: a StreamRegistrationError naming the token error', async () => {
    await assert.rejects(
      registerStream({ issuer, clientId: 'receiver', clientSecret: 'nope', delivery: { method: 'poll' } }),
      /Token request failed \(HTTP 401: invalid_client\)/,
    );
  });
});
