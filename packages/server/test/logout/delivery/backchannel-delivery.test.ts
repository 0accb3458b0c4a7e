// Back-channel delivery (standards §4): outcomes, retries, outages, bounds, TLS causes, and
// every logout trigger sending tokens — with real receivers on loopback.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { Browser } from '../../helpers/browser.ts';
import { selfSignedCert } from '../../helpers/certs.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import { logoutUrl, signInTo } from '../../helpers/logout-flow.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { OIDC, type TestProvider } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

const FAST = {
  retry: { baseDelayMs: 50, maxDelayMs: 300, maxAgeMs: 60_000 },
  http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000 },
  waitMs: 2000,
};

type Delivery = {
  status: string;
  attempts: number;
  last_error: string | null;
  last_status: number | null;
  sso_session_id: string;
};

async function deliveries(t: TestProvider, clientId: string): Promise<Delivery[]> {
  return t.store.db
    .selectFrom('logout_delivery')
    .innerJoin('client', 'client.id', 'logout_delivery.client_id')
    .select([
      'logout_delivery.status',
      'logout_delivery.attempts',
      'logout_delivery.last_error',
      'logout_delivery.last_status',
      'logout_delivery.sso_session_id',
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

async function passwordLogin(t: TestProvider, clientId: string, scope = 'openid'): Promise<Record<string, string>> {
  const res = await t.fetch(
    `${OIDC}/token`,
    form(
      { grant_type: 'password', username: 'alice', password: 'alice-pw', scope },
      { authorization: basic(clientId, `${clientId}-secret`) },
    ),
  );
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, string>;
}

const realmOf = async (t: TestProvider) => (await t.provider.ctx.realms.realmByName('test'))!;

for (const database of TEST_DATABASES) {
  describe(`back-channel delivery on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r1: Receiver;
    let r2: Receiver;
    before(async () => {
      [r1, r2] = await Promise.all([Receiver.start(), Receiver.start()]);
      t = await startLogoutProvider(database, { rp1: r1.url, rp2: r2.url }, { logout: FAST });
    });
    after(async () => {
      await t?.close();
      await Promise.all([r1?.close(), r2?.close()]);
    });
    afterEach(() => {
      r1.answer = () => ({ status: 200 });
      r2.answer = () => ({ status: 200 });
    });

    test('400 from a receiver is recorded as rejected with its error body, and not retried', async () => {
      r1.answer = () => ({ status: 400, body: '{"error":"invalid_request","error_description":"bad aud"}' });
      const tokens = await passwordLogin(t, 'rp1');
      const n = r1.received.length;
      await t.fetch(logoutUrl({ id_token_hint: tokens.id_token! }));
      await until(async () => (await deliveries(t, 'rp1')).some((d) => d.status === 'rejected'));
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(r1.received.length, n + 1, 'exactly one attempt');
      const d = (await deliveries(t, 'rp1')).find((x) => x.status === 'rejected')!;
      assert.equal(d.attempts, 1);
      assert.equal(d.last_status, 400);
      assert.match(d.last_error!, /bad aud/);
      const events = await t.provider.ctx.events.list((await realmOf(t)).id, { type: 'BACKCHANNEL_LOGOUT_REJECTED' });
      assert.match(events[0]!.error!, /HTTP 400.*bad aud/);
    });

    test('503 with Retry-After is retried after that delay, with a new jti each attempt, then delivered', async () => {
      r2.answer = (n) =>
        n === r2.received.length && r2Count++ === 0
          ? { status: 503, headers: { 'Retry-After': '1' } }
          : { status: 200 };
      let r2Count = 0;
      const tokens = await passwordLogin(t, 'rp2');
      const n = r2.received.length;
      await t.fetch(logoutUrl({ id_token_hint: tokens.id_token! }));
      await r2.waitFor(n + 2, 5000);
      const [first, second] = r2.received.slice(n);
      assert.ok(second!.at - first!.at >= 950, `waited ${second!.at - first!.at} ms for Retry-After: 1`);
      assert.notEqual(decodeJwt(first!.token).payload.jti, decodeJwt(second!.token).payload.jti);
      await until(async () => (await deliveries(t, 'rp2')).at(-1)!.status === 'delivered');
      const events = await t.provider.ctx.events.list((await realmOf(t)).id, { type: 'BACKCHANNEL_LOGOUT_RETRYING' });
      assert.ok(events.some((e) => /HTTP 503/.test(e.error ?? '')));
    });

    test('receiver down during several logouts, back up later: every token is delivered', async () => {
      await r1.stop();
      const sids: string[] = [];
      for (let i = 0; i < 4; i++) sids.push(decodeJwt((await passwordLogin(t, 'rp1')).id_token!).payload.sid as string);
      const realm = await realmOf(t);
      for (const sid of sids) await t.provider.ctx.logout.endSessions(realm, [sid], 'admin_session');
      await until(
        async () =>
          (await deliveries(t, 'rp1')).filter((d) => sids.includes(d.sso_session_id) && d.attempts >= 2).length === 4,
      );
      const waiting = (await deliveries(t, 'rp1')).filter((d) => sids.includes(d.sso_session_id));
      assert.ok(
        waiting.every((d) => d.status === 'retrying' && /connection_refused/.test(d.last_error ?? '')),
        JSON.stringify(waiting),
      );
      const n = r1.received.length;
      await r1.listen();
      await until(async () =>
        (await deliveries(t, 'rp1'))
          .filter((d) => sids.includes(d.sso_session_id))
          .every((d) => d.status === 'delivered'),
      );
      const got = r1.received.slice(n).map((r) => decodeJwt(r.token).payload.sid as string);
      assert.deepEqual([...new Set(got)].sort(), [...sids].sort());
    });

    test('a receiver that never answers delays neither the others nor the browser past the bound', async () => {
      const bounded = await startLogoutProvider(
        database,
        { rp1: r1.url, rp2: r2.url },
        { logout: { ...FAST, waitMs: 500, http: { connectTimeoutMs: 1000, responseTimeoutMs: 2000 } } },
      );
      try {
        r1.answer = () => 'hang';
        const browser = new Browser(bounded.fetch);
        const tokens = await signInTo(bounded, browser, 'rp1');
        await signInTo(bounded, browser, 'rp2');
        const n2 = r2.received.length;
        const started = Date.now();
        const res = await browser.get(
          logoutUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp1.example/after' }),
        );
        const elapsed = Date.now() - started;
        // Not every app is confirmed signed out yet: the browser gets the signed-out page, which
        // says so and continues to the redirect (issue 24), instead of a silent 302.
        assert.equal(res.status, 200);
        const page = await res.text();
        assert.match(page, /<a id="continue" href="https:\/\/rp1\.example\/after">/);
        assert.match(page, /data-client="rp1" data-state="pending"/);
        assert.match(page, /data-client="rp2" data-state="signed_out"/);
        assert.ok(elapsed < 1500, `browser waited ${elapsed} ms with a 500 ms bound`);
        assert.equal(r2.received.length, n2 + 1, 'the healthy receiver already has its token');
        assert.ok(r2.received.at(-1)!.at - started < 500);
      } finally {
        r1.answer = () => ({ status: 200 });
        await bounded.close();
      }
    });

    test('logout-wait 0: the browser does not wait at all', async () => {
      const nowait = await startLogoutProvider(
        database,
        { rp1: r1.url, rp2: r2.url },
        { logout: { ...FAST, waitMs: 0 } },
      );
      try {
        r1.answer = () => 'hang';
        const tokens = await passwordLogin(nowait, 'rp1');
        const started = Date.now();
        const res = await nowait.fetch(logoutUrl({ id_token_hint: tokens.id_token! }));
        assert.equal(res.status, 200);
        assert.ok(Date.now() - started < 400);
      } finally {
        r1.answer = () => ({ status: 200 });
        await nowait.close();
      }
    });

    test('a user with 3 sessions gets 3 tokens per client, one per sid (admin: log out user)', async () => {
      const sids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const browser = new Browser(t.fetch);
        const tok = await signInTo(t, browser, 'rp1', 'bob', 'bob-pw');
        await signInTo(t, browser, 'rp2', 'bob', 'bob-pw');
        sids.push(decodeJwt(tok.id_token!).payload.sid as string);
      }
      const [n1, n2] = [r1.received.length, r2.received.length];
      const realm = await realmOf(t);
      const bob = (await t.provider.ctx.realms.userByUsername(realm.id, 'bob'))!;
      const result = await t.provider.ctx.logout.logoutUser(realm, bob.id);
      assert.deepEqual([...result.ended].sort(), [...sids].sort());
      await r1.waitFor(n1 + 3);
      await r2.waitFor(n2 + 3);
      for (const r of [r1, r2]) {
        const got = r.received.slice(-3).map((x) => decodeJwt(x.token).payload.sid);
        assert.deepEqual([...got].sort(), [...sids].sort());
      }
    });

    test('admin: one session, and every session of the realm', async () => {
      const a = decodeJwt((await passwordLogin(t, 'rp1')).id_token!).payload.sid as string;
      const b = decodeJwt((await passwordLogin(t, 'rp1')).id_token!).payload.sid as string;
      const realm = await realmOf(t);
      const n = r1.received.length;
      await t.provider.ctx.logout.endSessions(realm, [a], 'admin_session');
      await r1.waitFor(n + 1);
      const all = await t.provider.ctx.logout.logoutAll(realm);
      assert.ok(all.ended.includes(b));
      await until(async () => r1.received.slice(n).some((x) => decodeJwt(x.token).payload.sid === b));
    });

    test('session expiry sends tokens (the sweeper)', async () => {
      const sid = decodeJwt((await passwordLogin(t, 'rp2')).id_token!).payload.sid as string;
      const n = r2.received.length;
      const realm = await realmOf(t);
      const ended = await t.provider.sweeper.sweepOnce(Date.now() + realm.ssoSessionIdleTimeout * 1000 + 1000);
      assert.ok(ended >= 1);
      await until(async () => r2.received.slice(n).some((x) => decodeJwt(x.token).payload.sid === sid));
      const row = await t.store.db
        .selectFrom('sso_session')
        .select('end_reason')
        .where('id', '=', sid)
        .executeTakeFirstOrThrow();
      assert.equal(row.end_reason, 'expired_idle');
    });

    test("signing in as another user in the same browser sends the previous session's tokens", async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const n = r1.received.length;
      const { signIn } = await import('../../helpers/browser.ts');
      const { authUrl } = await import('../../helpers/oauth.ts');
      await signIn(
        browser,
        authUrl({ client_id: 'rp1', redirect_uri: 'https://rp1.example/cb', prompt: 'login' }),
        'bob',
        'bob-pw',
      );
      await r1.waitFor(n + 1);
      assert.equal(decodeJwt(r1.received.at(-1)!.token).payload.sid, decodeJwt(tokens.id_token!).payload.sid);
    });
  });
}

describe('back-channel options', () => {
  const database = TEST_DATABASES[0]!;

  test('revoke offline tokens: revoke_offline_access sits beside the event in events (as Keycloak writes it) and the offline token dies', async () => {
    const r = await Receiver.start();
    const t = await startLogoutProvider(
      database,
      {
        rp1: r.url,
        rp2: r.url,
        extraClients: [
          {
            clientId: 'rp5',
            secret: 'rp5-secret',
            directAccessGrantsEnabled: true,
            attributes: { 'backchannel.logout.url': r.url, 'backchannel.logout.revoke.offline.tokens': 'true' },
          },
        ],
      },
      { logout: FAST },
    );
    try {
      const offline = await passwordLogin(t, 'rp5', 'openid offline_access');
      const online = await passwordLogin(t, 'rp5');
      await t.fetch(logoutUrl({ id_token_hint: online.id_token! }));
      await r.waitFor(1);
      const events = decodeJwt(r.received[0]!.token).payload.events;
      assert.deepEqual(events, {
        'http://schemas.openid.net/event/backchannel-logout': {},
        revoke_offline_access: true,
      });
      const refresh = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'refresh_token', refresh_token: offline.refresh_token! },
          { authorization: basic('rp5', 'rp5-secret') },
        ),
      );
      assert.equal(refresh.status, 400, 'offline token revoked');
    } finally {
      await t.close();
      await r.close();
    }
  });

  test('backchannel.logout.session.required=false: the token has sub but no sid', async () => {
    const r = await Receiver.start();
    const t = await startLogoutProvider(
      database,
      {
        rp1: r.url,
        rp2: r.url,
        extraClients: [
          {
            clientId: 'rp6',
            secret: 'rp6-secret',
            directAccessGrantsEnabled: true,
            attributes: { 'backchannel.logout.url': r.url, 'backchannel.logout.session.required': 'false' },
          },
        ],
      },
      { logout: FAST },
    );
    try {
      const tokens = await passwordLogin(t, 'rp6');
      await t.fetch(logoutUrl({ id_token_hint: tokens.id_token! }));
      await r.waitFor(1);
      const payload = decodeJwt(r.received[0]!.token).payload;
      assert.equal(payload.sub, decodeJwt(tokens.id_token!).payload.sub);
      assert.equal('sid' in payload, false);
    } finally {
      await t.close();
      await r.close();
    }
  });

  test('a self-signed HTTPS receiver fails with a certificate-named error, and succeeds once its CA is configured', async () => {
    const cert = selfSignedCert('IP:127.0.0.1');
    const r = await Receiver.start(cert);
    const t = await startLogoutProvider(database, { rp1: r.url, rp2: r.url }, { logout: FAST });
    try {
      const tokens = await passwordLogin(t, 'rp1');
      await t.fetch(logoutUrl({ id_token_hint: tokens.id_token! }));
      await until(async () => (await deliveries(t, 'rp1')).some((d) => d.attempts >= 1 && d.status === 'retrying'));
      assert.match((await deliveries(t, 'rp1'))[0]!.last_error!, /certificate_self_signed/);
      assert.equal(r.received.length, 0);
      const client = await t.store.db
        .selectFrom('client')
        .select(['id', 'attributes'])
        .where('client_id', '=', 'rp1')
        .executeTakeFirstOrThrow();
      const attributes = { ...JSON.parse(client.attributes), 'sundown.backchannel.ca.file': cert.cert };
      await t.store.db
        .updateTable('client')
        .set({ attributes: JSON.stringify(attributes) })
        .where('id', '=', client.id)
        .execute();
      await until(async () => (await deliveries(t, 'rp1'))[0]!.status === 'delivered');
      assert.equal(r.received.length, 1);
    } finally {
      await t.close();
      await r.close();
    }
  });

  test('a certificate for another host name fails with a hostname error even when trusted', async () => {
    const cert = selfSignedCert('DNS:other.example');
    const r = await Receiver.start(cert);
    const t = await startLogoutProvider(
      database,
      {
        rp1: r.url,
        rp2: r.url,
        extraClients: [
          {
            clientId: 'rp7',
            secret: 'rp7-secret',
            directAccessGrantsEnabled: true,
            attributes: { 'backchannel.logout.url': r.url, 'sundown.backchannel.ca.file': cert.cert },
          },
        ],
      },
      { logout: FAST },
    );
    try {
      const tokens = await passwordLogin(t, 'rp7');
      await t.fetch(logoutUrl({ id_token_hint: tokens.id_token! }));
      await until(async () => (await deliveries(t, 'rp7')).some((d) => d.attempts >= 1 && d.last_error !== null));
      assert.match((await deliveries(t, 'rp7'))[0]!.last_error!, /certificate_hostname_mismatch/);
    } finally {
      await t.close();
      await r.close();
    }
  });

  test('a delivery that keeps failing past the maximum age is marked failed with an event', async () => {
    const r = await Receiver.start();
    r.answer = () => ({ status: 500 });
    const t = await startLogoutProvider(
      database,
      { rp1: r.url, rp2: r.url },
      { logout: { ...FAST, retry: { baseDelayMs: 50, maxDelayMs: 100, maxAgeMs: 400 } } },
    );
    try {
      const tokens = await passwordLogin(t, 'rp1');
      await t.fetch(logoutUrl({ id_token_hint: tokens.id_token! }));
      await until(async () => (await deliveries(t, 'rp1'))[0]?.status === 'failed');
      const d = (await deliveries(t, 'rp1'))[0]!;
      assert.ok(d.attempts >= 2);
      const events = await t.provider.ctx.events.list((await realmOf(t)).id, { type: 'BACKCHANNEL_LOGOUT_FAILED' });
      assert.equal(events.length, 1);
      assert.match(events[0]!.error!, /HTTP 500/);
    } finally {
      await t.close();
      await r.close();
    }
  });

  test('the back-channel URL keeps its own query, and a redirect from the receiver is not followed (standards §4)', async () => {
    const r = await Receiver.start();
    r.answer = () => ({ status: 302, headers: { Location: `${r.url}?followed=yes` } });
    const t = await startLogoutProvider(database, { rp1: `${r.url}?tenant=acme`, rp2: r.url }, { logout: FAST });
    try {
      const tokens = await passwordLogin(t, 'rp1');
      await t.fetch(logoutUrl({ id_token_hint: tokens.id_token! }));
      await until(async () => (await deliveries(t, 'rp1'))[0]?.status === 'rejected');
      await new Promise((x) => setTimeout(x, 300));
      assert.deepEqual(
        r.received.map((x) => x.path),
        ['/backchannel-logout?tenant=acme'],
        'one POST, to the URL with its query; the Location was not followed',
      );
      assert.match((await deliveries(t, 'rp1'))[0]!.last_error!, /HTTP 302/);
    } finally {
      await t.close();
      await r.close();
    }
  });

  test("legacy redirect_uri with the realm's opt-in redirects only to a registered redirect URI", async () => {
    const r = await Receiver.start();
    const t = await startLogoutProvider(
      database,
      { rp1: r.url, rp2: r.url, realmAttributes: { legacyLogoutRedirectUri: 'true' } },
      { logout: FAST },
    );
    try {
      const tokens = await passwordLogin(t, 'rp1');
      const ok = await t.fetch(logoutUrl({ id_token_hint: tokens.id_token!, redirect_uri: 'https://rp1.example/cb' }));
      assert.equal(ok.status, 302);
      assert.equal(ok.headers.get('location'), 'https://rp1.example/cb');
      const bad = await t.fetch(
        logoutUrl({ id_token_hint: tokens.id_token!, redirect_uri: 'https://evil.example/cb' }),
      );
      assert.equal(bad.status, 400);
    } finally {
      await t.close();
      await r.close();
    }
  });
});
