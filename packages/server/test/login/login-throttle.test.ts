// Throttling of password logins (form and password grant): attempts are reserved atomically
// before argon2 runs, in-flight verifications are capped per username and per address, address
// limits are keyed on (address, username), and a locked user is slowed down, not walled off.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { type PasswordVerifier, verifyStoredPassword } from '../../src/crypto/password.ts';
import { TooManyRequests } from '../../src/errors.ts';
import { CidrList } from '../../src/http/cidr.ts';
import { LoginThrottle } from '../../src/login/throttle.ts';
import type { ProviderOptions } from '../../src/provider.ts';
import { Browser, parseLoginForm, signIn } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, form } from '../helpers/oauth.ts';
import { startServerProcess } from '../helpers/process.ts';
import { ISSUER_BASE, OIDC, startTestProvider, type TestProvider } from '../helpers/provider.ts';

const WEB_CB = 'https://web.example/callback';
// The documented defaults: failures per (address, username) before a lockout, and
// verifications in flight at once per username and per client address.
const PAIR_LIMIT = 5;
const USER_CONCURRENCY = 2;
const ADDRESS_CONCURRENCY = 8;
const PROXY = '10.0.0.2';

/** What @hono/node-server hands the app for a request from `remoteAddress`. */
const peer = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

/**
 * Counts the password verifications that really run and how many overlap. With `holdUntil`,
 * each verification waits until that many requests are either verifying or answered, so every
 * request that the throttle lets through is in flight at the same moment.
 */
function countingVerifier(holdUntil = 0) {
  const stats = { calls: 0, inFlight: 0, maxInFlight: 0, answered: 0 };
  const waiting: Array<() => void> = [];
  const wake = () => {
    if (stats.inFlight + stats.answered >= holdUntil) for (const w of waiting.splice(0)) w();
  };
  const verify: PasswordVerifier = async (password, phc) => {
    stats.calls++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      if (holdUntil > 0) {
        const released = new Promise<void>((r) => waiting.push(r));
        wake();
        await released;
      }
      return await verifyStoredPassword(password, phc);
    } finally {
      stats.inFlight--;
    }
  };
  const answered = (res: Response) => {
    stats.answered++;
    wake();
    return res;
  };
  return { stats, verify, answered };
}

for (const database of TEST_DATABASES) {
  describe(`login throttling on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let counter: ReturnType<typeof countingVerifier>;
    const started: TestProvider[] = [];

    async function start(options: Partial<ProviderOptions> = {}, holdUntil = 0): Promise<TestProvider> {
      // One provider at a time: each keeps up to 11 PostgreSQL connections open, and sixteen of
      // them left open until the suite ends exhausted a server's default max_connections of 100.
      await closeStarted();
      counter = countingVerifier(holdUntil);
      t = await startTestProvider(database, { verifyPassword: counter.verify, ...options });
      started.push(t);
      return t;
    }
    async function closeStarted(): Promise<void> {
      for (const p of started.splice(0)) await p.close();
    }
    after(closeStarted);

    const fetchFrom =
      (remote: string, headers: Record<string, string> = {}) =>
      (input: string | Request, init?: RequestInit) => {
        const req = typeof input === 'string' ? new Request(input, init) : input;
        for (const [k, v] of Object.entries(headers)) req.headers.set(k, v);
        return Promise.resolve(t.provider.fetch(req, peer(remote))).then(counter.answered);
      };

    async function loginErrors(realmName: string): Promise<number> {
      const realm = (await t.provider.ctx.realms.realmByName(realmName))!;
      const events = await t.provider.ctx.events.list(realm.id, { type: 'LOGIN_ERROR', max: 1000 });
      return events.filter((e) => e.error === 'invalid_user_credentials').length;
    }

    async function openForms(n: number, fetcher: ReturnType<typeof fetchFrom>) {
      const forms: Array<{ browser: Browser; action: string; authRequest: string }> = [];
      for (let i = 0; i < n; i++) {
        const browser = new Browser(fetcher);
        const page = await browser.get(authUrl({ client_id: 'web', redirect_uri: WEB_CB }));
        forms.push({ browser, ...parseLoginForm(await page.text(), OIDC) });
      }
      return forms;
    }

    const submit = (f: { browser: Browser; action: string; authRequest: string }, username: string, password: string) =>
      f.browser.post(f.action, { auth_request: f.authRequest, username, password });

    test('login-throttle-race: 60 parallel wrong passwords on the form, one user, one address, reach argon2 at most 5 times', async () => {
      await start();
      const forms = await openForms(60, fetchFrom('203.0.113.9'));
      const results = await Promise.all(forms.map((f, i) => submit(f, 'bob', `guess-${i}`)));
      const statuses = results.map((r) => r.status);
      assert.ok(
        statuses.every((s) => s === 401 || s === 429),
        statuses.join(','),
      );
      const errors = await loginErrors('test');
      assert.equal(counter.stats.calls, errors, 'every verification that ran is a LOGIN_ERROR');
      assert.ok(errors >= 1 && errors <= PAIR_LIMIT, `${errors} guesses reached argon2`);
      assert.equal(statuses.filter((s) => s === 401).length, errors);
    });

    test("login-throttle-race: 60 parallel password grants on the master realm's admin-cli reach argon2 at most 5 times", async () => {
      await start();
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-password' });
      const token = `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`;
      const fetcher = fetchFrom('203.0.113.9');
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          fetcher(
            token,
            form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: `guess-${i}` }),
          ),
        ),
      );
      const statuses = results.map((r) => r.status);
      assert.ok(
        statuses.every((s) => s === 400 || s === 429),
        statuses.join(','),
      );
      const errors = await loginErrors('master');
      assert.equal(counter.stats.calls, errors);
      assert.ok(errors >= 1 && errors <= PAIR_LIMIT, `${errors} guesses reached argon2`);
      const refused = results.find((r) => r.status === 429)!;
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.equal(((await refused.json()) as { error: string }).error, 'temporarily_unavailable');
    });

    test('login-throttle-concurrency: in-flight verifications are capped per address (40 usernames at once)', async () => {
      await start({}, 40);
      const fetcher = fetchFrom('203.0.113.10');
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetcher(
            `${OIDC}/token`,
            form({ grant_type: 'password', client_id: 'cli', username: `user-${i}`, password: 'x' }),
          ),
        ),
      );
      const cap = ADDRESS_CONCURRENCY;
      assert.ok(counter.stats.calls >= 1);
      assert.equal(counter.stats.calls, await loginErrors('test'));
      assert.ok(counter.stats.maxInFlight <= cap, `${counter.stats.maxInFlight} verifications at once, cap ${cap}`);
      assert.equal(results.filter((r) => r.status === 429).length, 40 - counter.stats.calls);
    });

    test('login-throttle-concurrency: in-flight verifications are capped per username (40 addresses at once)', async () => {
      await start({ trustedProxies: CidrList.of(['10.0.0.0/8']) }, 40);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetchFrom(PROXY, { 'x-forwarded-for': `198.51.100.${i + 1}` })(
            `${OIDC}/token`,
            form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: `guess-${i}` }),
          ),
        ),
      );
      const cap = USER_CONCURRENCY;
      assert.ok(counter.stats.calls >= 1);
      assert.equal(counter.stats.calls, await loginErrors('test'));
      assert.ok(counter.stats.maxInFlight <= cap, `${counter.stats.maxInFlight} verifications at once, cap ${cap}`);
      assert.equal(results.filter((r) => r.status === 429).length, 40 - counter.stats.calls);
    });

    test('login-throttle-proxy: 30 bad logins with made-up usernames from one proxied address do not block a real user', async () => {
      await start({ trustedProxies: CidrList.of(['10.0.0.0/8']) });
      const attacker = fetchFrom(PROXY, { 'x-forwarded-for': '198.51.100.7' });
      const forms = await openForms(30, attacker);
      for (const [i, f] of forms.entries()) assert.equal((await submit(f, `made-up-${i}`, 'x')).status, 401);
      // The real user behind the same proxy, from another address, and from the very same one (NAT).
      for (const address of ['198.51.100.8', '198.51.100.7']) {
        const [f] = await openForms(1, fetchFrom(PROXY, { 'x-forwarded-for': address }));
        const res = await submit(f!, 'alice', 'alice-pw');
        assert.equal(res.status, 303, `alice from ${address}: ${res.status}`);
      }
      assert.equal(counter.stats.calls, 32, 'unknown users cost one verification each, like wrong passwords');
    });

    test('login-throttle-lockout: a user locked out by guesses from one address still signs in from another', async () => {
      await start({ trustedProxies: CidrList.of(['10.0.0.0/8']) });
      const attacker = fetchFrom(PROXY, { 'x-forwarded-for': '198.51.100.66' });
      const grant = (fetcher: ReturnType<typeof fetchFrom>, password: string) =>
        fetcher(`${OIDC}/token`, form({ grant_type: 'password', client_id: 'cli', username: 'alice', password }));
      for (let i = 0; i < PAIR_LIMIT; i++) assert.equal((await grant(attacker, `guess-${i}`)).status, 400);
      const locked = await grant(attacker, 'alice-pw');
      assert.equal(locked.status, 429, 'the guessing address is locked out, even with the right password');
      assert.equal((await grant(fetchFrom(PROXY, { 'x-forwarded-for': '198.51.100.8' }), 'alice-pw')).status, 200);
    });

    test('login-throttle-proxy-header-bypass: a locked (address, username) pair gets no more guesses by adding a Forwarded header that disagrees with X-Forwarded-For', async () => {
      await start({ trustedProxies: CidrList.of(['10.0.0.0/8']) });
      const grant = (headers: Record<string, string>, password: string) =>
        fetchFrom(PROXY, headers)(
          `${OIDC}/token`,
          form({ grant_type: 'password', client_id: 'cli', username: 'alice', password }),
        );
      const xff = { 'x-forwarded-for': '198.51.100.66' };
      for (let i = 0; i < PAIR_LIMIT; i++) assert.equal((await grant(xff, `guess-${i}`)).status, 400);
      assert.equal((await grant(xff, 'guess-locked')).status, 429);
      const calls = counter.stats.calls;
      // The proxy wrote X-Forwarded-For; the attacker adds a Forwarded header of their own,
      // a new value each time. Each attempt counts against both addresses: the locked one refuses it.
      for (let i = 0; i < 3; i++) {
        const res = await grant({ ...xff, forwarded: `for=203.0.113.${i + 1}` }, `forged-${i}`);
        assert.equal(res.status, 429, `guess with a Forwarded header: ${res.status}`);
      }
      // The same from the other side: a pair locked through Forwarded, and an added X-Forwarded-For.
      const fwd = { forwarded: 'for=198.51.100.77' };
      for (let i = 0; i < PAIR_LIMIT; i++) assert.equal((await grant(fwd, `guess-${i}`)).status, 400);
      assert.equal((await grant({ ...fwd, 'x-forwarded-for': '203.0.113.9' }, 'forged')).status, 429);
      assert.equal(counter.stats.calls, calls + PAIR_LIMIT, 'no verification ran for a locked pair');
    });

    test('login-throttle-proxy-header-bypass: disagreeing headers count every attempt against both addresses, on the login form too', async () => {
      await start({ trustedProxies: CidrList.of(['10.0.0.0/8']) });
      const grant = (headers: Record<string, string>, password: string) =>
        fetchFrom(PROXY, headers)(
          `${OIDC}/token`,
          form({ grant_type: 'password', client_id: 'cli', username: 'alice', password }),
        );
      const both = { 'x-forwarded-for': '198.51.100.81', forwarded: 'for=198.51.100.82' };
      // On the login form (the password grant in the test above): the same throttle keys.
      const forms = await openForms(PAIR_LIMIT + 1, fetchFrom(PROXY, both));
      for (const [i, f] of forms.slice(0, PAIR_LIMIT).entries())
        assert.equal((await submit(f, 'alice', `guess-${i}`)).status, 401);
      assert.equal((await submit(forms[PAIR_LIMIT]!, 'alice', 'alice-pw')).status, 429);
      assert.equal((await grant({ 'x-forwarded-for': '198.51.100.81' }, 'alice-pw')).status, 429);
      assert.equal((await grant({ forwarded: 'for=198.51.100.82' }, 'alice-pw')).status, 429);
      // Neither is the proxy's own address, which other clients behind it share.
      assert.equal((await grant({}, 'alice-pw')).status, 200);
    });

    test('login-throttle-proxy-header: with --trusted-proxy-header only that header names the client, for throttling and events', async () => {
      const from = {
        'x-forwarded-for': (a: string) => ({ 'x-forwarded-for': a }),
        forwarded: (a: string) => ({ forwarded: `for=${a}` }),
      };
      for (const [header, other] of [
        ['x-forwarded-for', 'forwarded'],
        ['forwarded', 'x-forwarded-for'],
      ] as const) {
        await start({ trustedProxies: CidrList.of(['10.0.0.0/8']), trustedProxyHeader: header });
        const grant = (headers: Record<string, string>, password: string) =>
          fetchFrom(PROXY, headers)(
            `${OIDC}/token`,
            form({ grant_type: 'password', client_id: 'cli', username: 'alice', password }),
          );
        // The proxy writes `header`; the client sends the other one, with a new value each time.
        for (let i = 0; i < PAIR_LIMIT; i++) {
          assert.equal(
            (await grant({ ...from[header]('198.51.100.90'), ...from[other](`203.0.113.${i + 1}`) }, `guess-${i}`))
              .status,
            400,
          );
        }
        assert.equal(
          (await grant({ ...from[header]('198.51.100.90'), ...from[other]('203.0.113.99') }, 'alice-pw')).status,
          429,
          `${header}: locked`,
        );
        // The other header was never believed: an address it named was not counted.
        assert.equal(
          (await grant(from[header]('203.0.113.1'), 'alice-pw')).status,
          200,
          `${header}: the other header's address is clean`,
        );
        const realm = (await t.provider.ctx.realms.realmByName('test'))!;
        const events = await t.provider.ctx.events.list(realm.id, { type: 'LOGIN_ERROR', max: 1000 });
        assert.ok(events.length >= PAIR_LIMIT);
        assert.ok(
          events.every((e) => e.ip_address === '198.51.100.90'),
          events.map((e) => e.ip_address).join(','),
        );
      }
    });

    test('login-throttle-slowdown: guesses from many addresses slow a username down, and the right password gets through at the next slot', async () => {
      await start({
        trustedProxies: CidrList.of(['10.0.0.0/8']),
        throttle: { userFailuresAnyAddress: 4, baseSlowdownMs: 400, maxSlowdownMs: 400 },
      });
      const grant = (address: string, password: string) =>
        fetchFrom(PROXY, { 'x-forwarded-for': address })(
          `${OIDC}/token`,
          form({ grant_type: 'password', client_id: 'cli', username: 'alice', password }),
        );
      for (let i = 0; i < 4; i++) assert.equal((await grant(`198.51.100.${20 + i}`, `guess-${i}`)).status, 400);
      // Over the limit: one verification per step for the username, from any address.
      const slowed = await grant('198.51.100.30', 'alice-pw');
      assert.equal(slowed.status, 429);
      assert.equal(slowed.headers.get('retry-after'), '1');
      const calls = counter.stats.calls;
      await new Promise((r) => setTimeout(r, 450));
      assert.equal((await grant('198.51.100.30', 'alice-pw')).status, 200, 'a correct password is slowed, not refused');
      assert.equal(counter.stats.calls, calls + 1);
    });

    test('login-throttle-known-device: while an attacker polling the username from many addresses keeps failing, the real user with their known-device cookie signs in on the first try', async () => {
      await start({
        trustedProxies: CidrList.of(['10.0.0.0/8']),
        throttle: { userFailuresAnyAddress: 4, baseSlowdownMs: 60_000, maxSlowdownMs: 60_000 },
      });
      // The real user signed in from this browser before: it holds a known-device cookie.
      const user = new Browser(fetchFrom(PROXY, { 'x-forwarded-for': '198.51.100.50' }));
      await signIn(user, authUrl({ client_id: 'web', redirect_uri: WEB_CB }), 'alice', 'alice-pw');
      assert.ok(user.cookie('SUNDOWN_DEVICE'), 'a successful sign-in sets the known-device cookie');
      // A distributed guesser slows the username down, then keeps polling it every 50 ms.
      let n = 0;
      const guess = () =>
        fetchFrom(PROXY, { 'x-forwarded-for': `198.51.100.${100 + (n++ % 100)}` })(
          `${OIDC}/token`,
          form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: `guess-${n}` }),
        );
      for (let i = 0; i < 4; i++) assert.equal((await guess()).status, 400);
      const attacker: number[] = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          attacker.push((await guess()).status);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      try {
        await new Promise((r) => setTimeout(r, 300));
        const page = await user.get(authUrl({ client_id: 'web', redirect_uri: WEB_CB, prompt: 'login' }));
        const f = parseLoginForm(await page.text(), OIDC);
        const res = await user.post(f.action, { auth_request: f.authRequest, username: 'alice', password: 'alice-pw' });
        assert.equal(res.status, 303, `the real user: ${res.status}`);
        // Without the cookie (another browser, a clean address) the username's slowdown applies.
        const [fresh] = await openForms(1, fetchFrom(PROXY, { 'x-forwarded-for': '198.51.100.51' }));
        assert.equal((await submit(fresh!, 'alice', 'alice-pw')).status, 429);
      } finally {
        polling = false;
        await poller;
      }
      assert.ok(attacker.length >= 3 && attacker.every((s) => s === 429), attacker.join(','));
    });

    test('login-throttle-known-device: a device cookie counts only for the username, realm and key it was signed for', async () => {
      await start();
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const devices = t.provider.ctx.throttle.devices;
      const cookie = await devices.issue(realm.id, 'Alice');
      assert.ok(await devices.recognise(realm.id, 'alice', cookie), 'usernames are case-insensitive');
      assert.equal(await devices.recognise(realm.id, 'bob', cookie), null);
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-password' });
      const master = (await t.provider.ctx.realms.realmByName('master'))!;
      assert.equal(await devices.recognise(master.id, 'alice', cookie), null, 'another realm, another key');
      assert.equal(await devices.recognise(realm.id, 'alice', `${cookie.slice(0, -2)}AA`), null);
      assert.equal(
        await devices.recognise(realm.id, 'alice', cookie, Date.now() + 31 * 86_400_000),
        null,
        'expired after 30 days',
      );
      assert.equal(await devices.recognise(realm.id, 'alice', 'garbage'), null);
    });
  });
}

test(
  'login-throttle-race: two server processes on one PostgreSQL let at most 5 of 60 parallel guesses reach argon2',
  { skip: TEST_DATABASES[1]!.skip },
  async () => {
    const created = await TEST_DATABASES[1]!.create();
    const url = (created.config as { url: string }).url;
    const realmFile = new URL('../fixtures/test-realm.json', import.meta.url).pathname;
    const a = await startServerProcess(['--database-url', url, '--import-realm', realmFile]);
    const b = await startServerProcess(['--database-url', url]);
    try {
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          fetch(
            `${i % 2 ? a.url : b.url}/realms/test/protocol/openid-connect/token`,
            form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: `guess-${i}` }),
          ),
        ),
      );
      const statuses = results.map((r) => r.status);
      assert.ok(
        statuses.every((s) => s === 400 || s === 429),
        statuses.join(','),
      );
      // Every verification that ran and failed left a LOGIN_ERROR event: the stored counter.
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      const { rows } = await db.query<{ n: string }>(
        "SELECT count(*) AS n FROM event WHERE type = 'LOGIN_ERROR' AND error = 'invalid_user_credentials'",
      );
      await db.end();
      const verified = Number(rows[0]!.n);
      assert.ok(verified >= 1 && verified <= PAIR_LIMIT, `${verified} guesses reached argon2 across both processes`);
      assert.equal(statuses.filter((s) => s === 400).length, verified);
    } finally {
      await Promise.all([a.kill(), b.kill()]);
      await created.drop();
    }
  },
);

/** `db` with its transactions counted, also through `withTables()` views of it. */
function countingTransactions<T extends object>(db: T, stats: { transactions: number }): T {
  return new Proxy(db, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === 'transaction') return (...args: unknown[]) => (stats.transactions++, fn.apply(target, args));
      if (prop === 'withTables')
        return (...args: unknown[]) => countingTransactions(fn.apply(target, args) as object, stats);
      return fn.bind(target);
    },
  });
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const database of TEST_DATABASES) {
  describe(`login throttle slots on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let realmId: string;
    after(async () => t?.close());
    const setup = async () => {
      t ??= await startTestProvider(database);
      realmId = (await t.provider.ctx.realms.realmByName('test'))!.id;
    };

    test('login-throttle-waiting: with both slots of a username held, 50 more logins cost about one store transaction each, those beyond the waiting cap are refused at once, and the waiters get in as slots free', async () => {
      await setup();
      const stats = { transactions: 0 };
      const throttle = new LoginThrottle(countingTransactions(t.store.db, stats), t.store.dialect, {
        inFlightWaitMs: 5000,
      });
      const held = [
        await throttle.reserve(realmId, 'wait-user', '198.51.100.1'),
        await throttle.reserve(realmId, 'wait-user', '198.51.100.2'),
      ];
      stats.transactions = 0;
      const waiters = throttle.policy.maxWaiters;
      const outcome: Array<'pending' | 'in' | 'refused'> = Array.from({ length: 50 }, () => 'pending');
      const attempts = outcome.map((_, i) =>
        throttle.reserve(realmId, 'wait-user', `198.51.100.${10 + i}`).then(
          async (attempt) => {
            outcome[i] = 'in';
            await attempt.finish('failure');
          },
          (err: unknown) => {
            assert.ok(err instanceof TooManyRequests);
            outcome[i] = 'refused';
          },
        ),
      );
      await until(() => outcome.filter((o) => o === 'refused').length >= 50 - waiters);
      assert.equal(
        outcome.filter((o) => o === 'pending').length,
        waiters,
        'refused at once beyond the cap, while both slots are still held',
      );
      const whileHeld = stats.transactions;
      assert.ok(whileHeld <= 50 + waiters, `${whileHeld} transactions while the slots were held`);
      for (const h of held) await h.finish('failure');
      await Promise.all(attempts);
      assert.equal(outcome.filter((o) => o === 'in').length, waiters, 'every waiter got in once slots freed');
      assert.ok(
        stats.transactions <= 50 + 3 * waiters,
        `${stats.transactions} store transactions for 50 waiting logins`,
      );
      t.provider.ctx.log.info({ whileHeld, total: stats.transactions }, 'login-throttle-waiting transactions');
    });

    test('login-throttle-waiting: an attempt waiting for a slot another process holds asks the store about every 250 ms, not continuously, and gets in when it frees', async () => {
      await setup();
      const stats = { transactions: 0 };
      const here = new LoginThrottle(countingTransactions(t.store.db, stats), t.store.dialect, {
        inFlightWaitMs: 5000,
      });
      const elsewhere = new LoginThrottle(t.store.db, t.store.dialect);
      const held = [
        await elsewhere.reserve(realmId, 'xproc-user', '198.51.100.1'),
        await elsewhere.reserve(realmId, 'xproc-user', '198.51.100.2'),
      ];
      const started = Date.now();
      const waiting = here.reserve(realmId, 'xproc-user', '198.51.100.3');
      await new Promise((r) => setTimeout(r, 700));
      await held[0]!.finish('failure');
      await (await waiting).finish('success');
      const elapsed = Date.now() - started;
      await held[1]!.finish('failure');
      const bound = 2 + Math.ceil(elapsed / here.policy.crossProcessRetryMs);
      assert.ok(
        stats.transactions <= bound,
        `${stats.transactions} store transactions in ${elapsed} ms of waiting (at most ${bound})`,
      );
    });

    test('login-throttle-lease: a leaked in-flight slot lapses after its lease even with a login every 0.5 s on the same counter', async () => {
      await setup();
      const throttle = new LoginThrottle(t.store.db, t.store.dialect, {
        addressConcurrency: 2,
        inFlightLeaseMs: 1500,
        inFlightWaitMs: 300,
      });
      const address = '203.0.113.77';
      await throttle.reserve(realmId, 'leaker', address); // never finished: its process "died"
      const end = Date.now() + 2500;
      for (let i = 0; Date.now() < end; i++) {
        await (await throttle.reserve(realmId, `steady-${i}`, address)).finish('success');
        await new Promise((r) => setTimeout(r, 500));
      }
      // Both slots of the address free again: two verifications at once.
      const both = await Promise.all([
        throttle.reserve(realmId, 'after-a', address),
        throttle.reserve(realmId, 'after-b', address),
      ]);
      for (const a of both) await a.finish('success');
    });

    test('login-throttle-burst: 4 parallel sign-ins of one user from two apps (form and password grant) all get through', async () => {
      await setup();
      const realmPeer = peer('198.51.100.200');
      const fetcher = (input: string | Request, init?: RequestInit) =>
        Promise.resolve(t.provider.fetch(typeof input === 'string' ? new Request(input, init) : input, realmPeer));
      const forms = await Promise.all(
        [0, 1].map(async () => {
          const browser = new Browser(fetcher);
          const page = await browser.get(authUrl({ client_id: 'web', redirect_uri: WEB_CB }));
          return { browser, ...parseLoginForm(await page.text(), OIDC) };
        }),
      );
      const results = await Promise.all([
        ...forms.map((f) =>
          f.browser.post(f.action, { auth_request: f.authRequest, username: 'alice', password: 'alice-pw' }),
        ),
        ...[0, 1].map(() =>
          fetcher(
            `${OIDC}/token`,
            form({ grant_type: 'password', client_id: 'cli', username: 'alice', password: 'alice-pw' }),
          ),
        ),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        [303, 303, 200, 200],
      );
    });
  });
}
