// SSRF defence of back-channel delivery and the doctor (standards §4): never connect to
// link-local (cloud metadata), unspecified, multicast or broadcast addresses, in any spelling,
// nor to ranges the operator denies; one resolution per attempt, pinned for the connection;
// only a short escaped excerpt of a receiver's body is kept; redirects are not followed.
import { decodeJwt } from 'jose';
import { type LookupAddress, promises as dns } from 'node:dns';
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { CidrList } from '../../../src/http/cidr.ts';
import { BackchannelHttp, DeliveryNetworkError, type Resolver } from '../../../src/logout/delivery/backchannel-http.ts';
import { AddressPolicy } from '../../../src/logout/delivery/outbound-address.ts';
import { checkClientBackchannel } from '../../../src/logout/diagnostics/doctor.ts';
import { recordConnectionAttempts, type ConnectionAttempts } from '../../helpers/connection-attempts.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import { logoutUrl } from '../../helpers/logout-flow.ts';
import { basic, form } from '../../helpers/oauth.ts';
import { OIDC, type TestProvider } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

const FAST_RETRY = { baseDelayMs: 50, maxDelayMs: 300, maxAgeMs: 60_000 };
const FAST_HTTP = { connectTimeoutMs: 1000, responseTimeoutMs: 1000 };
const METADATA = ['169.254.169.254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '0.0.0.0'];

type Delivery = { status: string; attempts: number; last_error: string | null; last_status: number | null };

async function deliveries(t: TestProvider, clientId: string): Promise<Delivery[]> {
  return t.store.db
    .selectFrom('logout_delivery')
    .innerJoin('client', 'client.id', 'logout_delivery.client_id')
    .select([
      'logout_delivery.status',
      'logout_delivery.attempts',
      'logout_delivery.last_error',
      'logout_delivery.last_status',
    ])
    .where('client.client_id', '=', clientId)
    .orderBy('logout_delivery.created_at')
    .execute() as Promise<Delivery[]>;
}

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Signs alice in to `clientId` and logs that session out: one delivery to the client. */
async function logoutThrough(t: TestProvider, clientId: string): Promise<void> {
  const res = await t.fetch(
    `${OIDC}/token`,
    form(
      { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
      { authorization: basic(clientId, `${clientId}-secret`) },
    ),
  );
  assert.equal(res.status, 200, await res.clone().text());
  const tokens = (await res.json()) as { id_token: string };
  await t.fetch(logoutUrl({ id_token_hint: tokens.id_token }));
}

/** The first attempt's outcome of the client's latest delivery. */
async function firstOutcome(t: TestProvider, clientId: string): Promise<Delivery> {
  await until(async () =>
    (await deliveries(t, clientId)).some(
      (d) => d.attempts >= 1 && d.status !== 'pending' && (d.status === 'delivered' || d.last_error !== null),
    ),
  );
  return (await deliveries(t, clientId)).at(-1)!;
}

const client = (clientId: string, url: string) => ({
  clientId,
  secret: `${clientId}-secret`,
  directAccessGrantsEnabled: true,
  attributes: { 'backchannel.logout.url': url },
});

/** A resolver for test names (`metadata.test` is link-local, `rebind.test` changes its answer after the first lookup), else the system's. */
function testResolver(calls: string[]): Resolver {
  const table: Record<string, (n: number) => LookupAddress[]> = {
    'receiver.test': () => [{ address: '127.0.0.1', family: 4 }],
    'metadata.test': () => [{ address: '169.254.169.254', family: 4 }],
    'mixed.test': () => [
      { address: '127.0.0.1', family: 4 },
      { address: 'fe80::1', family: 6 },
    ],
    'rebind.test': (n) => [{ address: n === 1 ? '127.0.0.1' : '169.254.169.254', family: 4 }],
  };
  return async (hostname) => {
    calls.push(hostname);
    const answer = table[hostname];
    if (!answer) return dns.lookup(hostname, { all: true });
    return answer(calls.filter((c) => c === hostname).length);
  };
}

for (const database of TEST_DATABASES) {
  describe(`back-channel SSRF defence on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r: Receiver;
    let attempts: ConnectionAttempts;
    const lookups: string[] = [];
    before(async () => {
      r = await Receiver.start();
      const port = r.port;
      t = await startLogoutProvider(
        database,
        {
          rp1: r.url,
          rp2: r.url,
          extraClients: [
            client('to-metadata-ip', 'http://169.254.169.254/latest/meta-data/'),
            client('to-unspecified', `http://0.0.0.0:${port}/backchannel-logout`),
            client('to-mapped-metadata', 'http://[::ffff:169.254.169.254]/latest/meta-data/'),
            client('to-metadata-name', `http://metadata.test:${port}/backchannel-logout`),
            client('to-mixed-name', `http://mixed.test:${port}/backchannel-logout`),
            client('to-broadcast', `http://255.255.255.255:${port}/`),
            client('to-multicast', `http://[ff02::1]:${port}/`),
            client('to-localhost', `http://localhost:${port}/backchannel-logout`),
            client('to-receiver-name', `http://receiver.test:${port}/backchannel-logout`),
            client('to-rebind-name', `http://rebind.test:${port}/backchannel-logout`),
          ],
        },
        { logout: { retry: FAST_RETRY, http: { ...FAST_HTTP, resolve: testResolver(lookups) }, waitMs: 2000 } },
      );
    });
    after(async () => {
      await t?.close();
      await r?.close();
    });
    afterEach(() => {
      attempts?.stop();
      r.answer = () => ({ status: 200 });
    });

    for (const [clientId, what] of [
      ['to-metadata-ip', '169.254.169.254 (cloud metadata)'],
      ['to-unspecified', '0.0.0.0 (reaches this host on Linux)'],
      ['to-mapped-metadata', '[::ffff:169.254.169.254] (IPv4-mapped)'],
      ['to-metadata-name', 'a DNS name resolving to link-local'],
      ['to-mixed-name', 'a DNS name with one link-local address among others'],
      ['to-broadcast', '255.255.255.255 (broadcast)'],
      ['to-multicast', '[ff02::1] (multicast)'],
    ] as const) {
      test(`ssrf: a delivery to ${what} is refused as address_denied without connecting`, async () => {
        attempts = recordConnectionAttempts();
        const before = r.connections;
        await logoutThrough(t, clientId);
        const d = await firstOutcome(t, clientId);
        assert.equal(d.status, 'retrying', 'refused, and retried later: a corrected URL or DNS record is picked up');
        assert.match(d.last_error!, /^address_denied: /);
        assert.equal(d.last_status, null);
        assert.deepEqual(
          attempts.to([...METADATA, 'fe80::1', '255.255.255.255', 'ff02::1']),
          [],
          'no connection was attempted',
        );
        assert.equal(r.connections, before, 'the receiver behind 0.0.0.0 / the mixed name saw no connection');
      });

      test(`ssrf: the doctor refuses ${what} at its resolve step and probes nothing`, async () => {
        attempts = recordConnectionAttempts();
        const before = r.connections;
        const realm = (await t.provider.ctx.realms.realmByName('test'))!;
        const c = (await t.provider.ctx.realms.clientByClientId(realm.id, clientId))!;
        const result = (await checkClientBackchannel(t.provider.ctx, t.provider.http, realm, c, 1000))!;
        assert.equal(result.ok, false);
        assert.equal(result.resolve.cause, 'address_denied', result.resolve.detail);
        assert.deepEqual([result.connect.detail, result.logoutToken.detail], ['skipped', 'skipped']);
        assert.deepEqual(attempts.to([...METADATA, 'fe80::1', '255.255.255.255', 'ff02::1']), []);
        assert.equal(r.connections, before);
      });
    }

    for (const clientId of ['to-localhost', 'to-receiver-name'] as const) {
      test(`ssrf: loopback stays allowed (${clientId})`, async () => {
        const n = r.received.length;
        await logoutThrough(t, clientId);
        assert.equal((await firstOutcome(t, clientId)).status, 'delivered');
        assert.equal(r.received.length, n + 1);
      });
    }

    test('ssrf: one resolution per attempt, pinned for the connection — a name that rebinds to link-local after the check still reaches the checked address', async () => {
      const before = lookups.filter((h) => h === 'rebind.test').length;
      assert.equal(before, 0);
      const n = r.received.length;
      await logoutThrough(t, 'to-rebind-name');
      assert.equal((await firstOutcome(t, 'to-rebind-name')).status, 'delivered');
      assert.equal(r.received.length, n + 1);
      assert.equal(
        lookups.filter((h) => h === 'rebind.test').length,
        1,
        'resolved once; the connection used that answer',
      );
    });

    test('ssrf: a long HTML answer body is kept only as a short escaped excerpt, in the delivery and the doctor', async () => {
      const secret = `<html><body><h1>Internal admin</h1><script>alert(document.cookie)</script>${'internal-data '.repeat(400)}</body></html>`;
      r.answer = () => ({ status: 500, body: secret, headers: { 'Content-Type': 'text/html' } });
      await logoutThrough(t, 'rp1');
      const d = await firstOutcome(t, 'rp1');
      for (const stored of [
        d.last_error!,
        (await checkClientBackchannel(
          t.provider.ctx,
          t.provider.http,
          (await t.provider.ctx.realms.realmByName('test'))!,
          (await t.provider.ctx.realms.clientByClientId((await t.provider.ctx.realms.realmByName('test'))!.id, 'rp1'))!,
        ))!.logoutToken.detail,
      ]) {
        assert.match(stored, /^HTTP 500: \\u003chtml\\u003e\\u003cbody\\u003e/);
        assert.ok(stored.length < 200, `${stored.length} characters kept`);
        assert.doesNotMatch(stored, /[<>]/);
        assert.match(stored, /more characters not kept\)$/);
      }
    });

    test('ssrf: the doctor does not follow a redirect (BCL §2.5)', async () => {
      r.answer = () => ({ status: 307, headers: { Location: `${r.url}?followed=yes` } });
      const n = r.received.length;
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const result = (await checkClientBackchannel(
        t.provider.ctx,
        t.provider.http,
        realm,
        (await t.provider.ctx.realms.clientByClientId(realm.id, 'rp1'))!,
      ))!;
      assert.equal(result.logoutToken.detail, 'HTTP 307');
      // Only the doctor's own POSTs count (its token's subject is sundown-doctor-…): a retry of an
      // earlier test's delivery may reach the shared receiver meanwhile.
      const doctorPosts = r.received
        .slice(n)
        .filter((x) => x.token && String(decodeJwt(x.token).sub).startsWith('sundown-doctor-'));
      assert.deepEqual(
        doctorPosts.map((x) => x.path),
        ['/backchannel-logout'],
        'one POST; the Location was not followed',
      );
    });
  });

  describe(`back-channel deny-CIDRs on ${database.name}`, { skip: database.skip }, () => {
    test('ssrf: a receiver in a range from --backchannel-deny-cidrs is refused without connecting, by delivery and doctor', async () => {
      const r = await Receiver.start();
      const t = await startLogoutProvider(
        database,
        { rp1: r.url, rp2: r.url },
        {
          logout: {
            retry: FAST_RETRY,
            http: { ...FAST_HTTP, denyCidrs: CidrList.of(['10.0.0.0/8', '127.0.0.0/8']).ranges },
            waitMs: 2000,
          },
        },
      );
      try {
        await logoutThrough(t, 'rp1');
        const d = await firstOutcome(t, 'rp1');
        assert.equal(d.status, 'retrying');
        assert.match(d.last_error!, /^address_denied: 127\.0\.0\.1 in a range denied by --backchannel-deny-cidrs/);
        const realm = (await t.provider.ctx.realms.realmByName('test'))!;
        const result = (await checkClientBackchannel(
          t.provider.ctx,
          t.provider.http,
          realm,
          (await t.provider.ctx.realms.clientByClientId(realm.id, 'rp1'))!,
        ))!;
        assert.equal(result.resolve.cause, 'address_denied', result.resolve.detail);
        assert.equal(r.connections, 0);
      } finally {
        await t.close();
        await r.close();
      }
    });
  });
}

describe('ssrf address policy: IPv6 forms that embed an IPv4 address, cloud metadata, numeric IPv4 URL forms', () => {
  const policy = new AddressPolicy(CidrList.of(['10.0.0.0/8']));
  const rows: Array<[name: string, address: string, refused: boolean]> = [
    ['NAT64 well-known prefix of 169.254.169.254', '64:ff9b::a9fe:a9fe', true],
    ['NAT64 well-known prefix, dotted', '64:ff9b::169.254.169.254', true],
    ['NAT64 local-use prefix /96 layout', '64:ff9b:1::a9fe:a9fe', true],
    ['NAT64 local-use prefix /48 layout (RFC 6052)', '64:ff9b:1:a9fe:00:a9fe::', true],
    ['6to4 of 169.254.169.254', '2002:a9fe:a9fe::1', true],
    ['IPv4-compatible of 169.254.169.254', '::a9fe:a9fe', true],
    ['IPv4-compatible, dotted', '::169.254.169.254', true],
    ['IPv4-translated of 169.254.169.254', '::ffff:0:a9fe:a9fe', true],
    ['IPv4-mapped of 169.254.169.254', '::ffff:a9fe:a9fe', true],
    ['NAT64 of an operator-denied range', '64:ff9b::a00:1', true],
    ['6to4 of broadcast', '2002:ffff:ffff::', true],
    ['AWS IPv6 instance metadata', 'fd00:ec2::254', true],
    ['IPv6 loopback stays allowed', '::1', false],
    ['NAT64 of a public address stays allowed', '64:ff9b::c000:201', false],
    ['6to4 of a public address stays allowed', '2002:c000:201::1', false],
    ['another unique-local address stays allowed', 'fd00:ec2::253', false],
    ['a global IPv6 address stays allowed', '2001:db8::a9fe:a9fe', false],
  ];
  for (const [name, address, refused] of rows) {
    test(`ssrf-embedded-ipv4: ${name} (${address}) is ${refused ? 'refused' : 'allowed'}`, () => {
      assert.equal(policy.refusal(address) !== null, refused, String(policy.refusal(address)));
    });
  }

  const http = new BackchannelHttp({
    ...FAST_HTTP,
    resolve: async () => assert.fail('an IP literal is never resolved'),
  });
  for (const url of [
    'http://2852039166/',
    'http://0251.0376.0251.0376/',
    'http://0xa9fea9fe/',
    'http://169.254.43518/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[fd00:ec2::254]/',
  ]) {
    test(`ssrf-numeric-forms: ${url} is refused as address_denied`, async () => {
      await assert.rejects(
        http.resolveTarget(url),
        (err: unknown) => err instanceof DeliveryNetworkError && err.kind === 'address_denied',
      );
    });
  }

  test('ssrf-invalid-url: a URL that does not parse (an IPv6 zone) is a classified invalid_url failure, not a TypeError', async () => {
    for (const attempt of [
      () => http.resolveTarget('http://[fe80::1%25eth0]/'),
      () => http.post('http://[fe80::1%25eth0]/', 'token'),
    ]) {
      await assert.rejects(
        attempt(),
        (err: unknown) => err instanceof DeliveryNetworkError && err.kind === 'invalid_url',
      );
    }
  });
});
