// --trusted-proxies: CIDR validation at start-up, and the client address taken from
// X-Forwarded-For / Forwarded (RFC 7239) only when the socket peer is a trusted proxy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError, parseStartConfig } from '../../src/config.ts';
import { addressKey, CidrList, parseCidr } from '../../src/http/cidr.ts';
import { clientAddress, resolveClientAddress } from '../../src/http/client-address.ts';
import type { RunningServer } from '../../src/server.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { form } from '../helpers/oauth.ts';
import { OIDC, startTestProvider, type TestProvider } from '../helpers/provider.ts';
import { startRealServer } from '../helpers/server.ts';

const PROXIES = CidrList.of(['10.0.0.0/8', '2001:db8:ffff::/48']);

/** What @hono/node-server hands the app for a request from `remoteAddress`. */
const peer = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

test('trusted-proxies config: CIDR lists from the flag (repeatable, comma-separated) and SUNDOWN_TRUSTED_PROXIES', () => {
  const c = parseStartConfig(['--trusted-proxies', '10.0.0.0/8, 192.0.2.7', '--trusted-proxies', '2001:db8::/32'], {});
  assert.equal(c.trustedProxies.toString(), '10.0.0.0/8,192.0.2.7/32,2001:db8::/32');
  const e = parseStartConfig([], { SUNDOWN_TRUSTED_PROXIES: '172.16.0.0/12,::1' });
  assert.equal(e.trustedProxies.toString(), '172.16.0.0/12,::1/128');
  assert.equal(parseStartConfig([], {}).trustedProxies.size, 0, 'no proxy is trusted by default');
});

test('trusted-proxies config: every bad CIDR is refused at start-up with a message naming it', () => {
  assert.throws(
    () =>
      parseStartConfig(['--trusted-proxies', '10.0.0.0/33,10.0.0.1/8,localhost,2001:db8::/129,1.2.3/24,10.0.0.0/'], {}),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, [
        '--trusted-proxies: "10.0.0.0/33": the prefix length must be a whole number from 0 to 32',
        '--trusted-proxies: "10.0.0.1/8" has bits set after the /8 prefix (write the network address)',
        '--trusted-proxies: "localhost" is not an IP address or CIDR range',
        '--trusted-proxies: "2001:db8::/129": the prefix length must be a whole number from 0 to 128',
        '--trusted-proxies: "1.2.3/24" is not an IP address or CIDR range',
        '--trusted-proxies: "10.0.0.0/": the prefix length must be a whole number from 0 to 32',
      ]);
      return true;
    },
  );
  assert.throws(
    () => parseStartConfig([], { SUNDOWN_TRUSTED_PROXIES: '300.1.1.1' }),
    /--trusted-proxies: "300\.1\.1\.1" is not an IP address/,
  );
});

test('CIDR parsing and IPv6 /64 address keys', () => {
  assert.deepEqual(parseCidr('2001:DB8::/32'), { address: '2001:db8::', prefix: 32, family: 'ipv6' });
  assert.deepEqual(parseCidr('::ffff:10.1.2.3'), { address: '10.1.2.3', prefix: 32, family: 'ipv4' });
  assert.ok(PROXIES.contains('::ffff:10.9.9.9'), 'IPv4-mapped peers match IPv4 ranges');
  assert.ok(PROXIES.contains('[2001:db8:ffff:1::2]'));
  assert.ok(!PROXIES.contains('11.0.0.1'));
  assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::ffff:1.2.3.4'), '0:0:0:0::/64');
  assert.equal(addressKey('198.51.100.7'), '198.51.100.7');
});

test("x-forwarded-for spoofing: an untrusted peer's forwarding headers are ignored", () => {
  const h = new Headers({ 'x-forwarded-for': '192.0.2.1', forwarded: 'for=192.0.2.2' });
  assert.equal(clientAddress('198.51.100.7', h, PROXIES), '198.51.100.7');
  assert.equal(clientAddress('::ffff:198.51.100.7', h, PROXIES), '198.51.100.7');
  assert.equal(clientAddress('198.51.100.7', h, CidrList.of([])), '198.51.100.7');
});

test('x-forwarded-for from a trusted peer: the right-most address that is not a trusted proxy', () => {
  const xff = (v: string) => new Headers({ 'x-forwarded-for': v });
  // The client wrote "6.6.6.6" itself; our proxies appended what they saw.
  assert.equal(clientAddress('10.0.0.2', xff('6.6.6.6, 198.51.100.7'), PROXIES), '198.51.100.7');
  assert.equal(clientAddress('10.0.0.2', xff('6.6.6.6, 198.51.100.7, 10.0.0.9'), PROXIES), '198.51.100.7');
  assert.equal(clientAddress('10.0.0.2', xff('198.51.100.7:5050'), PROXIES), '198.51.100.7');
  assert.equal(clientAddress('10.0.0.2', xff('[2001:db8:1::5]:443'), PROXIES), '2001:db8:1::5');
  // Garbage stops the walk at the last trusted hop; only proxies: the left-most of them.
  assert.equal(clientAddress('10.0.0.2', xff('198.51.100.7, not-an-ip, 10.0.0.9'), PROXIES), '10.0.0.9');
  assert.equal(clientAddress('10.0.0.2', xff('10.0.0.8, 10.0.0.9'), PROXIES), '10.0.0.8');
  assert.equal(clientAddress('10.0.0.2', new Headers(), PROXIES), '10.0.0.2');
});

test('forwarded header (RFC 7239) from a trusted peer, with quoting, ports, unknown and obfuscated hops', () => {
  const fwd = (v: string) => new Headers({ forwarded: v });
  assert.equal(clientAddress('10.0.0.2', fwd('for=6.6.6.6, for=198.51.100.7;proto=https'), PROXIES), '198.51.100.7');
  assert.equal(clientAddress('10.0.0.2', fwd('For="[2001:db8:cafe::17]:4711"'), PROXIES), '2001:db8:cafe::17');
  assert.equal(clientAddress('10.0.0.2', fwd('for="_gazonk", for=10.0.0.9'), PROXIES), '10.0.0.9');
  assert.equal(clientAddress('10.0.0.2', fwd('for=unknown'), PROXIES), '10.0.0.2');
  assert.equal(
    clientAddress('10.0.0.2', fwd('for="6.6.6.6, 7.7.7.7";by=x, for=198.51.100.7'), PROXIES),
    '198.51.100.7',
  );
  // Both headers agreeing is fine; disagreeing means one came from the client: neither is used.
  const both = (f: string, x: string) => new Headers({ forwarded: f, 'x-forwarded-for': x });
  assert.equal(clientAddress('10.0.0.2', both('for=198.51.100.7', '198.51.100.7'), PROXIES), '198.51.100.7');
  assert.equal(clientAddress('10.0.0.2', both('for=6.6.6.6', '198.51.100.7'), PROXIES), '10.0.0.2');
});

test('trusted-proxy-header config: x-forwarded-for or forwarded, from the flag or SUNDOWN_TRUSTED_PROXY_HEADER, only with --trusted-proxies', () => {
  const proxies = ['--trusted-proxies', '10.0.0.0/8'];
  assert.equal(parseStartConfig(proxies, {}).trustedProxyHeader, null, 'default: either header');
  assert.equal(
    parseStartConfig([...proxies, '--trusted-proxy-header', 'forwarded'], {}).trustedProxyHeader,
    'forwarded',
  );
  assert.equal(
    parseStartConfig([...proxies, '--trusted-proxy-header', 'X-Forwarded-For'], {}).trustedProxyHeader,
    'x-forwarded-for',
  );
  assert.equal(
    parseStartConfig(proxies, { SUNDOWN_TRUSTED_PROXY_HEADER: 'x-forwarded-for' }).trustedProxyHeader,
    'x-forwarded-for',
  );
  assert.throws(
    () => parseStartConfig([...proxies, '--trusted-proxy-header', 'x-real-ip'], {}),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.problems.includes('--trusted-proxy-header must be x-forwarded-for or forwarded (got "x-real-ip")'),
  );
  assert.throws(
    () => parseStartConfig(['--trusted-proxy-header', 'forwarded'], {}),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.problems.includes('--trusted-proxy-header needs --trusted-proxies (the proxies that write it)'),
  );
});

test('trusted-proxy-header: only the named header is read; the other is what the client wrote', () => {
  const both = new Headers({ forwarded: 'for=6.6.6.6', 'x-forwarded-for': '198.51.100.7' });
  assert.equal(clientAddress('10.0.0.2', both, PROXIES, 'x-forwarded-for'), '198.51.100.7');
  assert.equal(clientAddress('10.0.0.2', both, PROXIES, 'forwarded'), '6.6.6.6');
  // The named header absent: the proxy is the client as far as we know, whatever the other says.
  assert.equal(
    clientAddress('10.0.0.2', new Headers({ forwarded: 'for=6.6.6.6' }), PROXIES, 'x-forwarded-for'),
    '10.0.0.2',
  );
  assert.deepEqual(resolveClientAddress('10.0.0.2', both, PROXIES, 'forwarded'), {
    address: '6.6.6.6',
    candidates: ['6.6.6.6'],
  });
  // From an untrusted peer no header counts, named or not.
  assert.equal(clientAddress('198.51.100.9', both, PROXIES, 'forwarded'), '198.51.100.9');
});

test('login-throttle-proxy-header-bypass: headers that disagree give both addresses as candidates, never the shared proxy address alone', () => {
  const both = new Headers({ forwarded: 'for=6.6.6.6', 'x-forwarded-for': '198.51.100.7' });
  assert.deepEqual(resolveClientAddress('10.0.0.2', both, PROXIES), {
    address: '10.0.0.2',
    candidates: ['6.6.6.6', '198.51.100.7'],
  });
  const agree = new Headers({ forwarded: 'for=198.51.100.7', 'x-forwarded-for': '198.51.100.7' });
  assert.deepEqual(resolveClientAddress('10.0.0.2', agree, PROXIES), {
    address: '198.51.100.7',
    candidates: ['198.51.100.7'],
  });
  assert.deepEqual(resolveClientAddress('198.51.100.9', both, PROXIES), {
    address: '198.51.100.9',
    candidates: ['198.51.100.9'],
  });
  assert.deepEqual(resolveClientAddress(null, both, PROXIES), { address: null, candidates: [] });
});

for (const database of TEST_DATABASES) {
  describe(`client address in events on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database, { trustedProxies: PROXIES });
    });
    after(() => t?.close());

    async function failedLoginFrom(remote: string, headers: Record<string, string>): Promise<string | null> {
      const username = `probe-${Math.random().toString(36).slice(2)}`;
      const req = new Request(
        `${OIDC}/token`,
        form({ grant_type: 'password', client_id: 'cli', username, password: 'x' }, headers),
      );
      assert.equal((await t.provider.fetch(req, peer(remote))).status, 400);
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const events = await t.provider.ctx.events.list(realm.id, { type: 'LOGIN_ERROR' });
      return events.find((e) => e.details?.includes(username))!.ip_address;
    }

    test('x-forwarded-for spoofing: ignored from an untrusted peer, honoured from a trusted proxy', async () => {
      assert.equal(await failedLoginFrom('198.51.100.7', { 'x-forwarded-for': '192.0.2.1' }), '198.51.100.7');
      assert.equal(await failedLoginFrom('10.0.0.2', { 'x-forwarded-for': '6.6.6.6, 192.0.2.1' }), '192.0.2.1');
      assert.equal(await failedLoginFrom('10.0.0.2', { forwarded: 'for=192.0.2.3' }), '192.0.2.3');
    });
  });
}

describe('x-forwarded-for spoofing over a real socket', () => {
  const servers: RunningServer[] = [];
  let dropStores: Array<() => Promise<void>> = [];
  after(async () => {
    for (const s of servers) await s.close();
    for (const d of dropStores) await d();
    dropStores = [];
  });

  async function ipSeenBy(args: string[]): Promise<string | null> {
    const created = await TEST_DATABASES[0]!.create();
    dropStores.push(created.drop);
    const server = await startRealServer(created.config, args);
    servers.push(server);
    const res = await fetch(`${server.url}/realms/test/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '192.0.2.44' },
      body: new URLSearchParams({ grant_type: 'password', client_id: 'cli', username: 'nobody', password: 'x' }),
    });
    assert.equal(res.status, 400);
    const realm = (await server.provider.ctx.realms.realmByName('test'))!;
    const [event] = await server.provider.ctx.events.list(realm.id, { type: 'LOGIN_ERROR' });
    return event!.ip_address;
  }

  test('without --trusted-proxies the socket peer is the client; with it the header is read', async () => {
    assert.match((await ipSeenBy([]))!, /^(::ffff:)?127\.0\.0\.1$/);
    assert.equal(await ipSeenBy(['--trusted-proxies', '127.0.0.0/8']), '192.0.2.44');
    assert.match((await ipSeenBy(['--trusted-proxies', '10.0.0.0/8']))!, /^(::ffff:)?127\.0\.0\.1$/);
  });
});
