// `sundown start` configuration: flags, SUNDOWN_* variables, and clear errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseDoctorCommand, parseLogoutCommand, parseStartConfig } from '../src/config.ts';

test('defaults: port 8080, embedded store in ./.sundown, no prefix', () => {
  const c = parseStartConfig([], {}, '/srv');
  assert.equal(c.port, 8080);
  assert.deepEqual(c.store, { kind: 'sqlite', dataDir: '/srv/.sundown' });
  assert.equal(c.httpRelativePath, '');
  assert.equal(c.publicUrl, null);
});

test('flags override environment variables', () => {
  const c = parseStartConfig(
    ['--port', '9000', '--import-realm', 'a.json', '--import-realm', 'b.json'],
    { SUNDOWN_PORT: '7000', SUNDOWN_HTTP_RELATIVE_PATH: '/auth/' },
    '/srv',
  );
  assert.equal(c.port, 9000);
  assert.deepEqual(c.importRealms, ['/srv/a.json', '/srv/b.json']);
  assert.equal(c.httpRelativePath, '/auth');
});

test('--database-url selects PostgreSQL; --public-url is reduced to its origin', () => {
  const c = parseStartConfig(['--database-url', 'postgres://u@db/x', '--public-url', 'https://sso.example.com/'], {});
  assert.deepEqual(c.store, { kind: 'postgres', url: 'postgres://u@db/x' });
  assert.equal(c.publicUrl, 'https://sso.example.com');
});

test('every invalid value is reported at once, with the flag name', () => {
  assert.throws(
    () =>
      parseStartConfig(
        [
          '--port',
          'abc',
          '--public-url',
          'ftp://x',
          '--http-relative-path',
          'auth',
          '--database-url',
          'mysql://x',
          '--log-level',
          'loud',
        ],
        {},
      ),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 5);
      assert.match(err.message, /--port must be a whole number from 0 to 65535 \(got "abc"\)/);
      assert.match(err.message, /--public-url/);
      assert.match(err.message, /--http-relative-path must look like \/auth/);
      assert.match(err.message, /--database-url must start with postgres/);
      assert.match(err.message, /--log-level/);
      return true;
    },
  );
});

test('unknown flags are refused', () => {
  assert.throws(() => parseStartConfig(['--prot', '1'], {}), /Unknown option '--prot'/);
});

test('logout command: exactly one target, realm required', async () => {
  const { parseLogoutCommand } = await import('../src/config.ts');
  assert.deepEqual(parseLogoutCommand(['--realm', 'r', '--user', 'bob'], {}).target, { user: 'bob' });
  assert.deepEqual(parseLogoutCommand(['--realm', 'r', '--all'], {}).target, { all: true });
  assert.throws(() => parseLogoutCommand(['--user', 'bob', '--all'], {}), /--realm is required[\s\S]*exactly one of/);
});

test('start: logout options are validated', () => {
  const c = parseStartConfig(
    ['--logout-wait-ms', '0', '--delivery-max-age-hours', '2', '--events-retention-days', '7'],
    {},
  );
  assert.equal(c.logout.waitMs, 0);
  assert.equal(c.logout.retry.maxAgeMs, 2 * 3_600_000);
  assert.equal(c.logout.eventsRetentionDays, 7);
  assert.throws(
    () => parseStartConfig(['--logout-wait-ms', '99999'], {}),
    /--logout-wait-ms must be a whole number from 0 to 60000/,
  );
});

test("bootstrap admin from SUNDOWN_ADMIN_* or Keycloak's KC_BOOTSTRAP_ADMIN_*, both or neither", () => {
  assert.deepEqual(parseStartConfig([], { SUNDOWN_ADMIN_USERNAME: 'a', SUNDOWN_ADMIN_PASSWORD: 'p' }).bootstrapAdmin, {
    username: 'a',
    password: 'p',
  });
  assert.deepEqual(
    parseStartConfig([], { KC_BOOTSTRAP_ADMIN_USERNAME: 'k', KC_BOOTSTRAP_ADMIN_PASSWORD: 'q' }).bootstrapAdmin,
    {
      username: 'k',
      password: 'q',
    },
  );
  assert.equal(parseStartConfig([], {}).bootstrapAdmin, null);
  assert.throws(() => parseStartConfig([], { SUNDOWN_ADMIN_USERNAME: 'a' }), /must be set together/);
});

test('--backchannel-deny-cidrs and --backchannel-ca-dir (or their SUNDOWN_* variables) reach the back-channel client of start, logout and doctor', () => {
  const caDir = mkdtempSync(join(tmpdir(), 'sundown-ca-dir-'));
  const c = parseStartConfig(
    ['--backchannel-deny-cidrs', '10.0.0.0/8, fd00::/8,192.0.2.7', '--backchannel-ca-dir', caDir],
    {},
  );
  assert.deepEqual(c.logout.http.denyCidrs, [
    { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
    { address: 'fd00::', prefix: 8, family: 'ipv6' },
    { address: '192.0.2.7', prefix: 32, family: 'ipv4' },
  ]);
  assert.equal(c.logout.http.caDir, caDir);
  const env = { SUNDOWN_BACKCHANNEL_DENY_CIDRS: '172.16.0.0/12', SUNDOWN_BACKCHANNEL_CA_DIR: caDir };
  assert.deepEqual(parseDoctorCommand(['--realm', 'r'], env).backchannel, {
    denyCidrs: [{ address: '172.16.0.0', prefix: 12, family: 'ipv4' }],
    caDir,
  });
  assert.deepEqual(parseLogoutCommand(['--realm', 'r', '--all'], env).backchannel.caDir, caDir);
  assert.deepEqual(parseStartConfig([], {}).logout.http.denyCidrs, []);
});

test('--backchannel-deny-cidrs and --trusted-proxies are both repeatable and comma-separated', () => {
  const c = parseStartConfig(
    [
      '--backchannel-deny-cidrs',
      '10.0.0.0/8',
      '--backchannel-deny-cidrs',
      '192.0.2.0/24,fd00::/8',
      '--trusted-proxies',
      '10.1.0.0/16',
      '--trusted-proxies',
      '10.2.0.0/16,10.3.0.7',
    ],
    {},
  );
  assert.deepEqual(
    (c.logout.http.denyCidrs ?? []).map((r) => `${r.address}/${r.prefix}`),
    ['10.0.0.0/8', '192.0.2.0/24', 'fd00::/8'],
  );
  assert.equal(c.trustedProxies.toString(), '10.1.0.0/16,10.2.0.0/16,10.3.0.7/32');
});

test('bad deny ranges and a CA folder that is not a folder are refused at start-up, each named', () => {
  assert.throws(
    () =>
      parseStartConfig(
        [
          '--backchannel-deny-cidrs',
          '10.0.0.0/33,not-an-ip,::1/129,1.2.3.4/8/9',
          '--backchannel-ca-dir',
          '/nonexistent/sundown-ca',
        ],
        {},
      ),
    (err: unknown) =>
      err instanceof ConfigError &&
      ['"10.0.0.0/33"', '"not-an-ip"', '"::1/129"', '"1.2.3.4/8/9"'].every((v) =>
        err.problems.some((p) => p.startsWith('--backchannel-deny-cidrs') && p.includes(v)),
      ) &&
      err.problems.some((p) => p.startsWith('--backchannel-ca-dir must be an existing folder')),
  );
});

test('--mail-without-smtp: log by default only for an http loopback issuer; log|refuse otherwise; anything else refused', () => {
  assert.equal(parseStartConfig([], {}).mailWithoutSmtp, 'log');
  assert.equal(parseStartConfig(['--public-url', 'http://127.0.0.1:9000'], {}).mailWithoutSmtp, 'log');
  assert.equal(parseStartConfig(['--public-url', 'https://sso.example.com'], {}).mailWithoutSmtp, 'refuse');
  assert.equal(parseStartConfig(['--public-url', 'http://sso.internal'], {}).mailWithoutSmtp, 'refuse');
  assert.equal(
    parseStartConfig(['--public-url', 'https://sso.example.com'], { SUNDOWN_MAIL_WITHOUT_SMTP: 'log' }).mailWithoutSmtp,
    'log',
  );
  assert.equal(parseStartConfig(['--mail-without-smtp', 'refuse'], {}).mailWithoutSmtp, 'refuse');
  assert.throws(
    () => parseStartConfig(['--mail-without-smtp', 'print'], {}),
    /--mail-without-smtp must be log or refuse \(got "print"\)/,
  );
});

test('mail caps: 3 per user and 10 per address in 15 minutes by default; flags or SUNDOWN_MAIL_LIMIT_*; bad values refused, each named', () => {
  assert.deepEqual(parseStartConfig([], {}).mailRate, { perUser: 3, perAddress: 10, windowMs: 15 * 60_000 });
  assert.deepEqual(
    parseStartConfig(['--mail-limit-per-user', '5', '--mail-limit-window-minutes', '60'], {
      SUNDOWN_MAIL_LIMIT_PER_ADDRESS: '50',
    }).mailRate,
    { perUser: 5, perAddress: 50, windowMs: 60 * 60_000 },
  );
  assert.throws(
    () =>
      parseStartConfig(
        ['--mail-limit-per-user', '0', '--mail-limit-per-address', 'many', '--mail-limit-window-minutes', '2000'],
        {},
      ),
    (err: unknown) =>
      err instanceof ConfigError &&
      /--mail-limit-per-user must be a whole number from 1 to 1000 \(got "0"\)/.test(err.message) &&
      /--mail-limit-per-address must be a whole number from 1 to 100000 \(got "many"\)/.test(err.message) &&
      /--mail-limit-window-minutes must be a whole number from 1 to 1440 \(got "2000"\)/.test(err.message),
  );
});
