// RP-initiated logout (standards §2, §8 OP side), with real back-channel receivers on loopback.
// Test names follow the conformance suite's modules where one exists.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { Browser } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import { logoutUrl, signInTo } from '../../helpers/logout-flow.ts';
import { authUrl, decodeJwt } from '../../helpers/oauth.ts';
import { ISSUER, OIDC, type TestProvider } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';

const BCL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

for (const database of TEST_DATABASES) {
  describe(`RP-initiated logout on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r1: Receiver;
    let r2: Receiver;
    let r4: Receiver;
    before(async () => {
      [r1, r2, r4] = await Promise.all([Receiver.start(), Receiver.start(), Receiver.start()]);
      t = await startLogoutProvider(database, { rp1: r1.url, rp2: r2.url, rp4: r4.url });
    });
    after(async () => {
      await t?.close();
      await Promise.all([r1?.close(), r2?.close(), r4?.close()]);
    });

    const prompted = async (browser: Browser, clientId = 'rp1') => {
      const res = await browser.get(
        authUrl({ client_id: clientId, redirect_uri: `https://${clientId}.example/cb`, prompt: 'none' }),
      );
      return new URL(res.headers.get('location')!).searchParams.get('error');
    };

    test('oidcc-rp-initiated-logout: redirect with exact state, every RP told first, prompt=none then login_required', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      await signInTo(t, browser, 'rp2');
      const sid = decodeJwt(tokens.id_token!).payload.sid as string;
      const before1 = r1.received.length;
      const before2 = r2.received.length;

      const res = await browser.get(
        logoutUrl({
          id_token_hint: tokens.id_token!,
          post_logout_redirect_uri: 'https://rp1.example/after',
          state: 'st&=1',
        }),
      );
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), 'https://rp1.example/after?state=st%26%3D1');
      // Both receivers — including the RP that asked — had their token before the redirect.
      assert.equal(r1.received.length, before1 + 1);
      assert.equal(r2.received.length, before2 + 1);
      for (const r of [r1, r2]) assert.equal(decodeJwt(r.received.at(-1)!.token).payload.sid, sid);
      assert.equal(await prompted(browser), 'login_required');
    });

    test('oidcc-rp-initiated-logout-no-state: redirect carries no state parameter', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const res = await browser.get(
        logoutUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp1.example/after' }),
      );
      assert.equal(res.headers.get('location'), 'https://rp1.example/after');
    });

    test('a registered redirect URI keeps its own query; state is appended, nothing else', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const res = await browser.get(
        logoutUrl({
          id_token_hint: tokens.id_token!,
          post_logout_redirect_uri: 'https://rp1.example/bye?from=sso',
          state: 'x',
        }),
      );
      assert.equal(res.headers.get('location'), 'https://rp1.example/bye?from=sso&state=x');
    });

    test('"+" in post.logout.redirect.uris means the client\'s redirect URIs', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const res = await browser.get(
        logoutUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp1.example/cb' }),
      );
      assert.equal(res.status, 302);
    });

    test('logout token: header and every claim exactly as standards §3, per-client alg', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp2');
      const idToken = decodeJwt(tokens.id_token!).payload;
      const n = r2.received.length;
      await browser.get(logoutUrl({ id_token_hint: tokens.id_token! }));
      await r2.waitFor(n + 1);
      const { token, contentType } = r2.received.at(-1)!;
      assert.equal(contentType, 'application/x-www-form-urlencoded');
      const jwks = createLocalJWKSet((await (await t.fetch(`${OIDC}/certs`)).json()) as never);
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: ISSUER,
        audience: 'rp2',
        typ: 'logout+jwt',
      });
      assert.equal(protectedHeader.alg, 'ES256', "the client's ID token algorithm");
      assert.ok(protectedHeader.kid);
      assert.equal(payload.sub, idToken.sub);
      assert.equal(payload.sid, idToken.sid);
      assert.equal(payload.exp! - payload.iat!, 120);
      assert.ok(Math.abs(payload.iat! - Date.now() / 1000) < 10);
      assert.equal(typeof payload.jti, 'string');
      assert.deepEqual(payload.events, { [BCL_EVENT]: {} });
      assert.equal(payload.typ, 'Logout');
      assert.equal('nonce' in payload, false);
    });

    test('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri: unregistered URI is an error page, no redirect', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const res = await browser.get(
        logoutUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/after' }),
      );
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /Invalid redirect uri/);
      assert.equal(await prompted(browser), null, 'session not ended on error');
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const events = await t.provider.ctx.events.list(realm.id, { type: 'LOGOUT_ERROR' });
      assert.ok(events.some((e) => e.error === 'invalid_redirect_uri'));
    });

    test('oidcc-rp-initiated-logout-modified-id-token-hint / query-modified URI: no redirect', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const modified = await browser.get(
        logoutUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp1.example/after?x=1' }),
      );
      assert.equal(modified.status, 400);
      assert.equal(modified.headers.get('location'), null);
      const prefix = await browser.get(
        logoutUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp1.example/aft' }),
      );
      assert.equal(prefix.status, 400);
    });

    test('alg:none hint is rejected with an error page', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const { payload } = decodeJwt(tokens.id_token!);
      const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
      const res = await browser.get(
        logoutUrl({ id_token_hint: none, post_logout_redirect_uri: 'https://rp1.example/after' }),
      );
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /Invalid parameter: id_token_hint/);
    });

    test('a hint signed by someone else is rejected', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const { payload, header } = decodeJwt(tokens.id_token!);
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: header.kid as string })
        .sign(privateKey);
      const res = await browser.get(
        logoutUrl({ id_token_hint: forged, post_logout_redirect_uri: 'https://rp1.example/after' }),
      );
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
    });

    test('a logout token is not an id_token_hint: refused with an error page, the session kept', async () => {
      // A real logout token of this realm: another session of alice's at rp1 ends, rp1 receives it.
      const other = new Browser(t.fetch);
      const otherTokens = await signInTo(t, other, 'rp1');
      const n = r1.received.length;
      assert.equal((await other.get(logoutUrl({ id_token_hint: otherTokens.id_token! }))).status, 200);
      await r1.waitFor(n + 1);
      const logoutToken = r1.received.at(-1)!.token;
      assert.equal(decodeJwt(logoutToken).header.typ, 'logout+jwt');

      const browser = new Browser(t.fetch);
      await signInTo(t, browser, 'rp1');
      const res = await browser.get(
        logoutUrl({ id_token_hint: logoutToken, post_logout_redirect_uri: 'https://rp1.example/after' }),
      );
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /Invalid parameter: id_token_hint/);
      assert.equal(await prompted(browser), null, 'still signed in');
    });

    test('only ID tokens are hints: a typ other than JWT, an events claim or a typ claim other than ID is refused', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const { payload } = decodeJwt(tokens.id_token!);
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const key = await t.provider.ctx.keys.activeKey(realm.id, 'RS256');
      const sign = (claims: Record<string, unknown>, typ?: string) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, ...(typ ? { typ } : {}) }).sign(key.key);
      const refused = [
        await sign(payload, 'logout+jwt'),
        await sign(payload, 'at+jwt'),
        await sign(payload, 'secevent+jwt'),
        await sign({ ...payload, events: { [BCL_EVENT]: {} } }, 'JWT'),
        await sign({ ...payload, events: { [BCL_EVENT]: {} } }),
        await sign({ ...payload, typ: 'Logout' }),
        await sign({ ...payload, typ: 'Refresh' }, 'JWT'),
      ];
      for (const hint of refused) {
        const res = await browser.get(
          logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: 'https://rp1.example/after' }),
        );
        assert.equal(res.status, 400, JSON.stringify(decodeJwt(hint).header));
        assert.equal(res.headers.get('location'), null);
      }
      assert.equal(await prompted(browser), null, 'still signed in');
      // RFC 7515 §4.1.9: "JWT" in any case, with or without "application/", or no typ at all.
      for (const typ of ['jwt', 'application/JWT', undefined]) {
        const fresh = new Browser(t.fetch);
        const own = decodeJwt((await signInTo(t, fresh, 'rp1')).id_token!).payload;
        const res = await fresh.get(
          logoutUrl({
            id_token_hint: await sign({ ...own, typ: 'ID' }, typ),
            post_logout_redirect_uri: 'https://rp1.example/after',
          }),
        );
        assert.equal(res.status, 302, String(typ));
      }
    });

    test("logout CSRF: a link with another user's ID token asks the browser's user first and keeps the cookie; confirming ends the right sessions", async () => {
      const victim = new Browser(t.fetch);
      const victimTokens = await signInTo(t, victim, 'rp1');
      const victimSid = decodeJwt(victimTokens.id_token!).payload.sid as string;
      const attackerTokens = await signInTo(t, new Browser(t.fetch), 'rp1', 'bob', 'bob-pw');
      const attackerSid = decodeJwt(attackerTokens.id_token!).payload.sid as string;
      const cookie = victim.cookie('SUNDOWN_SESSION');
      assert.ok(cookie);

      const page = await victim.get(
        logoutUrl({
          id_token_hint: attackerTokens.id_token!,
          post_logout_redirect_uri: 'https://rp1.example/after',
          state: 'c',
        }),
      );
      assert.equal(page.status, 200, 'a confirmation, not a silent logout');
      assert.equal(page.headers.get('location'), null);
      const html = await page.text();
      assert.match(html, /Sign out\?/);
      assert.equal(victim.cookie('SUNDOWN_SESSION'), cookie, 'the session cookie is not cleared');
      assert.equal(await prompted(victim), null, 'the victim is still signed in');
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      assert.ok(await t.provider.ctx.sessions.findLive(realm, victimSid), 'the victim session is alive');
      assert.ok(await t.provider.ctx.sessions.findLive(realm, attackerSid), 'nothing ended before the confirmation');

      // The user of this browser confirms: their session ends with a logout token to rp1, and the
      // hint's session too; the cookie goes and the validated redirect follows.
      const n = r1.received.length;
      const id = /name="logout_request" value="([^"]+)"/.exec(html)![1]!;
      const action = new URL(/action="([^"]+)"/.exec(html)![1]!, OIDC).toString();
      const done = await victim.post(action, { logout_request: id });
      assert.equal(done.status, 302);
      assert.equal(done.headers.get('location'), 'https://rp1.example/after?state=c');
      assert.equal(victim.cookie('SUNDOWN_SESSION'), undefined);
      assert.equal(await t.provider.ctx.sessions.findLive(realm, victimSid), undefined);
      assert.equal(await t.provider.ctx.sessions.findLive(realm, attackerSid), undefined);
      await r1.waitFor(n + 2);
      assert.deepEqual(
        new Set(r1.received.slice(n).map((x) => decodeJwt(x.token).payload.sid)),
        new Set([victimSid, attackerSid]),
      );
    });

    test('an expired hint is accepted while its session is live; a very old one is session_expired', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const { payload } = decodeJwt(tokens.id_token!);
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const key = await t.provider.ctx.keys.activeKey(realm.id, 'RS256');
      const now = Math.floor(Date.now() / 1000);
      const expired = await new SignJWT({ ...payload, iat: now - 7200, exp: now - 3600 })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .sign(key.key);
      const ok = await browser.get(
        logoutUrl({ id_token_hint: expired, post_logout_redirect_uri: 'https://rp1.example/after' }),
      );
      assert.equal(ok.status, 302);
      const ancient = await new SignJWT({ ...payload, iat: now - 90 * 86400, exp: now - 89 * 86400 })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .sign(key.key);
      const old = await browser.get(
        logoutUrl({ id_token_hint: ancient, post_logout_redirect_uri: 'https://rp1.example/after' }),
      );
      assert.equal(old.status, 400);
      const events = await t.provider.ctx.events.list(realm.id, { type: 'LOGOUT_ERROR' });
      assert.ok(events.some((e) => e.error === 'session_expired'));
    });

    test("client_id that is not the hint's audience is an error", async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const res = await browser.get(logoutUrl({ id_token_hint: tokens.id_token!, client_id: 'rp2' }));
      assert.equal(res.status, 400);
      assert.match(await res.text(), /Invalid parameter: client_id/);
    });

    test('logging out twice is not an error (idempotent)', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const params = { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp1.example/after' };
      assert.equal((await browser.get(logoutUrl(params))).status, 302);
      assert.equal((await browser.get(logoutUrl(params))).status, 302);
    });

    test('oidcc-rp-initiated-logout-no-id-token-hint: redirect URI without hint is refused, nothing redirects', async () => {
      const browser = new Browser(t.fetch);
      await signInTo(t, browser, 'rp1');
      const res = await browser.get(logoutUrl({ post_logout_redirect_uri: 'https://rp1.example/after' }));
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /Missing parameters: id_token_hint/);
    });

    test('no hint, client_id and a registered post_logout_redirect_uri: a CSRF-protected confirmation, then every RP told and the redirect with state (as Keycloak)', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      await signInTo(t, browser, 'rp2');
      const n1 = r1.received.length;
      const n2 = r2.received.length;
      const page = await browser.get(
        logoutUrl({ client_id: 'rp1', post_logout_redirect_uri: 'https://rp1.example/after', state: 's' }),
      );
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('location'), null, 'no redirect before the click');
      const html = await page.text();
      assert.match(html, /Sign out\?/);
      const id = /name="logout_request" value="([^"]+)"/.exec(html)![1]!;
      const action = new URL(/action="([^"]+)"/.exec(html)![1]!, OIDC).toString();

      const attacker = new Browser(t.fetch);
      const forged = await attacker.post(action, { logout_request: id });
      assert.equal(forged.status, 400, 'cross-site POST refused');
      assert.equal(forged.headers.get('location'), null);
      assert.equal(await prompted(browser), null, 'still signed in');

      const done = await browser.post(action, { logout_request: id });
      assert.equal(done.status, 302);
      assert.equal(done.headers.get('location'), 'https://rp1.example/after?state=s');
      // Every RP had its token before the redirect (standards §2).
      assert.equal(r1.received.length, n1 + 1);
      assert.equal(r2.received.length, n2 + 1);
      assert.equal(decodeJwt(r1.received.at(-1)!.token).payload.sid, decodeJwt(tokens.id_token!).payload.sid);
      assert.equal(await prompted(browser), 'login_required');
    });

    test('no hint, only client_id: a CSRF-protected confirmation, then the signed-out page, and tokens go out', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const n = r1.received.length;
      const page = await browser.get(logoutUrl({ client_id: 'rp1', state: 's' }));
      const html = await page.text();
      assert.match(html, /Sign out\?/);
      const id = /name="logout_request" value="([^"]+)"/.exec(html)![1]!;
      const action = new URL(/action="([^"]+)"/.exec(html)![1]!, OIDC).toString();
      const done = await browser.post(action, { logout_request: id });
      assert.equal(done.status, 200, 'signed-out page: no redirect URI was named');
      assert.equal(done.headers.get('location'), null);
      assert.match(await done.text(), /You are signed out/);
      assert.equal(await prompted(browser), 'login_required');
      await r1.waitFor(n + 1);
      assert.equal(decodeJwt(r1.received.at(-1)!.token).payload.sid, decodeJwt(tokens.id_token!).payload.sid);
    });

    test('oidcc-rp-initiated-logout-only-state / no params without a session: the signed-out page', async () => {
      for (const params of [{}, { state: 'only' }] as Record<string, string>[]) {
        const res = await new Browser(t.fetch).get(logoutUrl(params));
        assert.equal(res.status, 200);
        assert.match(await res.text(), /You are signed out/);
        assert.equal(res.headers.get('location'), null);
      }
    });

    test('POST works like GET', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const res = await browser.post(`${OIDC}/logout`, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: 'https://rp1.example/after',
        state: 'p',
      });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), 'https://rp1.example/after?state=p');
    });

    test('ui_locales and logout_hint are accepted', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp1');
      const res = await browser.get(
        logoutUrl({
          id_token_hint: tokens.id_token!,
          post_logout_redirect_uri: 'https://rp1.example/after',
          ui_locales: 'xx-YY',
          logout_hint: 'whatever',
        }),
      );
      assert.equal(res.status, 302);
    });

    test("legacy redirect_uri without the realm's opt-in: an error page saying what to send", async () => {
      const browser = new Browser(t.fetch);
      await signInTo(t, browser, 'rp1');
      const res = await browser.get(logoutUrl({ redirect_uri: 'https://rp1.example/cb' }));
      assert.equal(res.status, 400);
      assert.match(await res.text(), /post_logout_redirect_uri together with id_token_hint/);
      assert.equal(await prompted(browser), null);
    });

    test('oidcc-rp-initiated-logout front-channel: iframe with iss and sid, then continue to the redirect', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp3');
      await signInTo(t, browser, 'rp1');
      const sid = decodeJwt(tokens.id_token!).payload.sid as string;
      const res = await browser.get(
        logoutUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp3.example/cb', state: 'f' }),
      );
      assert.equal(res.status, 200);
      const html = await res.text();
      const src = /<iframe[^>]+src="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
      const frame = new URL(src);
      assert.equal(frame.origin + frame.pathname, 'https://rp3.example/frontchannel-logout');
      assert.equal(frame.searchParams.get('iss'), ISSUER);
      assert.equal(frame.searchParams.get('sid'), sid);
      assert.match(html, /href="https:\/\/rp3\.example\/cb\?state=f"/);
      const csp = res.headers.get('content-security-policy')!;
      assert.match(csp, /frame-src https:\/\/rp3\.example/);
      assert.match(csp, /script-src 'nonce-/);
    });

    test('a client with both URLs gets both channels', async () => {
      const browser = new Browser(t.fetch);
      const tokens = await signInTo(t, browser, 'rp4');
      const n = r4.received.length;
      const res = await browser.get(logoutUrl({ id_token_hint: tokens.id_token! }));
      const html = await res.text();
      assert.match(html, /rp4\.example\/fcl\?x=1&amp;iss=/);
      await r4.waitFor(n + 1);
    });

    test('the /auth-prefixed logout path works with --http-relative-path /auth', async () => {
      const { startTestProvider } = await import('../../helpers/provider.ts');
      const p = await startTestProvider(TEST_DATABASES[0]!, { httpRelativePath: '/auth' });
      try {
        const res = await p.fetch('https://sso.test/auth/realms/test/protocol/openid-connect/logout');
        assert.equal(res.status, 200);
        assert.match(await res.text(), /You are signed out/);
      } finally {
        await p.close();
      }
    });
  });
}
