// Interop with Keycloak's own Node adapter, keycloak-connect 26, in an Express app with an
// express-session MemoryStore, configured like a keycloak.json pointing at Sundown: sign-in keeps
// a session (its ID token check wants typ "ID"), bearer and introspection checks work, a logout
// elsewhere ends its session through the admin URL (k_logout, also after the app was down for a
// while), logout-all and push-revocation make its old tokens fail (PUSH_NOT_BEFORE, and Sundown's
// own not-before checks), and its own /logout works.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import session from 'express-session';
import Keycloak from 'keycloak-connect';
import { pino } from 'pino';
import { parseStartConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { Browser, signIn } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { basic, form } from '../helpers/oauth.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
async function eventually(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Sleeps into the next second: not-before compares whole seconds (`iat < notBefore`). */
const nextSecond = () => sleep(1100 - (Date.now() % 1000));

function kcRealm(appOrigin: string) {
  return {
    realm: 'kc',
    clients: [
      {
        clientId: 'kc-app',
        secret: 'kc-secret',
        rootUrl: appOrigin,
        // Relative to rootUrl, as Keycloak resolves it (ResolveRelative): {appOrigin}/k_logout.
        adminUrl: '/',
        redirectUris: ['/*'],
        directAccessGrantsEnabled: true,
        attributes: { 'post.logout.redirect.uris': '+' },
      },
      { clientId: 'kc-other', secret: 'other-secret', redirectUris: ['https://other.example/cb'] },
    ],
    users: [
      {
        username: 'alice',
        credentials: [{ value: 'alice-pw' }],
        realmRoles: ['admin'],
        clientRoles: { 'kc-app': ['editor'] },
      },
      { username: 'bob', credentials: [{ value: 'bob-pw' }] },
    ],
  };
}

for (const database of TEST_DATABASES) {
  describe(
    `keycloak-connect 26 in an Express app against a running server on ${database.name}`,
    { skip: database.skip },
    () => {
      let server: RunningServer;
      let drop: () => Promise<void>;
      let app: express.Express;
      let appServer: http.Server;
      let appPort: number;
      let appOrigin: string;
      let keycloak: Keycloak.Keycloak;
      const store = new session.MemoryStore();

      const listen = (port: number) =>
        new Promise<http.Server>((resolve, reject) => {
          const s = http.createServer((req, res) => (app ? app(req, res) : res.writeHead(503).end()));
          s.once('error', reject);
          s.listen(port, '127.0.0.1', () => resolve(s));
        });
      const stopApp = () =>
        new Promise<void>((resolve) => {
          appServer.closeAllConnections();
          appServer.close(() => resolve());
        });

      before(async () => {
        appServer = await listen(0);
        appPort = (appServer.address() as AddressInfo).port;
        appOrigin = `http://127.0.0.1:${appPort}`;
        const dir = mkdtempSync(join(tmpdir(), 'sundown-kc-'));
        writeFileSync(join(dir, 'kc-realm.json'), JSON.stringify(kcRealm(appOrigin)));
        const created = await database.create();
        drop = created.drop;
        const config = parseStartConfig(
          [
            '--port',
            '0',
            '--host',
            '127.0.0.1',
            '--import-realm',
            join(dir, 'kc-realm.json'),
            '--logout-wait-ms',
            '3000',
          ],
          {
            SUNDOWN_ADMIN_USERNAME: 'admin',
            SUNDOWN_ADMIN_PASSWORD: 'admin-pw',
          },
        );
        server = await startServer({ ...config, store: created.config }, pino({ level: 'silent' }));

        // keycloak.json as Keycloak's admin console exports it for a confidential client.
        keycloak = new Keycloak({ store }, {
          realm: 'kc',
          'auth-server-url': `${server.url}/`,
          'ssl-required': 'none',
          resource: 'kc-app',
          credentials: { secret: 'kc-secret' },
          'confidential-port': 0,
        } as unknown as Keycloak.KeycloakConfig);
        const a = express();
        a.use(session({ secret: 'kc-test', resave: false, saveUninitialized: true, store }));
        a.use(keycloak.middleware({ logout: '/logout', admin: '/' }));
        a.get('/protected', keycloak.protect(), (req, res) => {
          const grant = (
            req as unknown as {
              kauth: { grant: { access_token: { token: string; content: Record<string, unknown> } } };
            }
          ).kauth.grant;
          res.json({ user: grant.access_token.content.preferred_username, accessToken: grant.access_token.token });
        });
        // An introspection-based check: keycloak-connect's validateAccessToken asks Sundown.
        a.get('/introspect', async (req, res) => {
          const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
          const ok = await keycloak.grantManager.validateAccessToken(token);
          res.json({ active: ok !== false });
        });
        // Role checks as keycloak-connect apps write them (issue 23): a realm role, a role of this
        // client (no prefix), and a role of another client.
        const ok = (_req: express.Request, res: express.Response) => res.json({ ok: true });
        a.get('/realm-admin', keycloak.protect('realm:admin'), ok);
        a.get('/app-editor', keycloak.protect('editor'), ok);
        a.get('/app-editor-qualified', keycloak.protect('kc-app:editor'), ok);
        a.get('/other-manager', keycloak.protect('kc-other:manager'), ok);
        a.get('/', (_req, res) => res.send('home'));
        app = a;
      });
      after(async () => {
        await stopApp().catch(() => undefined);
        await server?.close();
        await drop?.();
      });

      /** The admin REST API, as the master realm's admin (Keycloak's paths). */
      async function adminCall(method: string, path: string, body?: unknown): Promise<Response> {
        const token = (await (
          await fetch(
            `${server.url}/realms/master/protocol/openid-connect/token`,
            form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
          )
        ).json()) as { access_token: string };
        return fetch(`${server.url}/admin/realms/kc${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token.access_token}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      }

      /** Signs in through keycloak-connect's redirect and the login page; returns the app's session data. */
      async function signInToApp(browser: Browser): Promise<{ accessToken: string; user: string }> {
        const start = await browser.get(`${appOrigin}/protected`);
        assert.equal(start.status, 302, 'keycloak.protect() redirects to the login');
        const auth = start.headers.get('location')!;
        assert.ok(auth.startsWith(`${server.url}/realms/kc/protocol/openid-connect/auth?`), auth);
        const callback = await signIn(browser, auth, 'alice', 'alice-pw');
        assert.equal(callback.origin, appOrigin);
        const back = await browser.get(callback.href);
        assert.equal(back.status, 302, `the code is exchanged and the grant kept: ${await back.clone().text()}`);
        const page = await browser.get(new URL(back.headers.get('location')!, appOrigin).href);
        assert.equal(
          page.status,
          200,
          'the session is kept: the ID token (typ "ID") and access token passed its checks',
        );
        return (await page.json()) as { accessToken: string; user: string };
      }

      /** The protected route with a bearer token; a refused token is sent to sign in (302), never served. */
      const bearerGet = (token: string) =>
        fetch(`${appOrigin}/protected`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });

      async function deliveryRows(kind: string) {
        return server.store.db
          .selectFrom('logout_delivery')
          .selectAll()
          .where('kind', '=', kind as 'k_logout')
          .orderBy('created_at')
          .execute();
      }

      test('login through the login page keeps a session; adapterSessionIds come from client_session_state', async () => {
        const browser = new Browser((input, init) => fetch(input, init));
        const { user } = await signInToApp(browser);
        assert.equal(user, 'alice');
        const again = await browser.get(`${appOrigin}/protected`);
        assert.equal(again.status, 200);
        const rows = await server.store.db.selectFrom('adapter_session').selectAll().execute();
        const sid = decodeURIComponent(browser.cookie('connect.sid')!).replace(/^s:/, '').replace(/\..*$/, '');
        assert.ok(
          rows.some((r) => r.adapter_session_id === sid),
          'the express-session id was recorded',
        );
      });

      test('bearer route (keycloak.protect) and introspection (Basic plus client_secret in the body) work', async () => {
        const browser = new Browser((input, init) => fetch(input, init));
        const { accessToken } = await signInToApp(browser);
        const bearer = await bearerGet(accessToken);
        assert.equal(bearer.status, 200);
        assert.equal(((await bearer.json()) as { user: string }).user, 'alice');
        assert.equal((await bearerGet(`${accessToken.slice(0, -4)}AAAA`)).status, 302, 'a bad signature is refused');
        const introspected = await fetch(`${appOrigin}/introspect`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
        assert.deepEqual(await introspected.json(), { active: true });
      });

      test("protect('realm:admin') and protect('app:role') follow the token's realm_access and resource_access", async () => {
        const token = async (username: string) =>
          (
            (await (
              await fetch(
                `${server.url}/realms/kc/protocol/openid-connect/token`,
                form(
                  { grant_type: 'password', username, password: `${username}-pw` },
                  { authorization: basic('kc-app', 'kc-secret') },
                ),
              )
            ).json()) as { access_token: string }
          ).access_token;
        const get = (path: string, bearer: string) =>
          fetch(`${appOrigin}${path}`, { headers: { authorization: `Bearer ${bearer}` }, redirect: 'manual' });
        const alice = await token('alice');
        const bob = await token('bob');
        for (const path of ['/realm-admin', '/app-editor', '/app-editor-qualified'])
          assert.equal((await get(path, alice)).status, 200, `alice ${path}`);
        assert.equal((await get('/other-manager', alice)).status, 403);
        for (const path of ['/realm-admin', '/app-editor', '/app-editor-qualified'])
          assert.equal((await get(path, bob)).status, 403, `bob ${path}`);
      });

      test('a logout from another client ends the keycloak-connect session through k_logout, also after the app was down', async () => {
        for (const down of [false, true]) {
          const browser = new Browser((input, init) => fetch(input, init));
          await signInToApp(browser);
          // The other client signs in by SSO and logs out with its ID token.
          const otherCb = await signIn(
            browser,
            `${server.url}/realms/kc/protocol/openid-connect/auth?client_id=kc-other&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://other.example/cb')}`,
            'alice',
            'alice-pw',
          );
          const tokens = (await (
            await fetch(
              `${server.url}/realms/kc/protocol/openid-connect/token`,
              form(
                {
                  grant_type: 'authorization_code',
                  code: otherCb.searchParams.get('code')!,
                  redirect_uri: 'https://other.example/cb',
                },
                { authorization: basic('kc-other', 'other-secret') },
              ),
            )
          ).json()) as { id_token: string };
          if (down) await stopApp();
          const before = (await deliveryRows('k_logout')).length;
          const out = await browser.get(
            `${server.url}/realms/kc/protocol/openid-connect/logout?id_token_hint=${tokens.id_token}`,
          );
          assert.ok(out.status < 400, `logout answered ${out.status}`);
          const mine = async () => (await deliveryRows('k_logout')).slice(before);
          await eventually('the k_logout delivery', async () => (await mine()).length === 1);
          if (down) {
            await eventually('a retry after connection_refused', async () => (await mine())[0]!.status === 'retrying');
            assert.match((await mine())[0]!.last_error ?? '', /^connection_refused/);
            await sleep(1500);
            appServer = await listen(appPort);
          }
          await eventually('the k_logout delivery to land', async () => (await mine())[0]!.status === 'delivered');
          const d = (await mine())[0]!;
          assert.deepEqual(Object.keys(JSON.parse(d.payload!) as object).sort(), [
            'adapterSessionIds',
            'keycloakSessionIds',
            'notBefore',
          ]);
          // The app's session lost its grant: protect() sends the browser to sign in again.
          const after = await browser.get(`${appOrigin}/protected`);
          assert.equal(after.status, 302, `down=${down}: the keycloak-connect session ended`);
          assert.ok(after.headers.get('location')!.startsWith(`${server.url}/realms/kc/`));
        }
      });

      test('logout-all: keycloak-connect takes the not-before time, old tokens fail there and at Sundown', async () => {
        const browser = new Browser((input, init) => fetch(input, init));
        const { accessToken } = await signInToApp(browser);
        await nextSecond();
        const res = await adminCall('POST', '/logout-all');
        assert.equal(res.status, 200);
        const result = (await res.json()) as {
          successRequests: string[];
          failedRequests: string[];
          sundown: { notBefore: number };
        };
        assert.deepEqual(result.successRequests, [`${appOrigin}/k_logout`]);
        assert.equal(
          ((await (await adminCall('GET', '')).json()) as { notBefore: number }).notBefore,
          result.sundown.notBefore,
        );
        const listed = (await (await adminCall('GET', '/sundown/deliveries?clientId=kc-app')).json()) as Array<{
          kind: string;
          sessionId: string | null;
          status: string;
        }>;
        assert.ok(
          listed.some((d) => d.kind === 'k_logout' && d.sessionId === null && d.status === 'delivered'),
          'the realm-wide LogoutAction is listed with its kind',
        );
        assert.equal((keycloak.grantManager as unknown as { notBefore: number }).notBefore, result.sundown.notBefore);
        assert.equal((await bearerGet(accessToken)).status, 302, 'keycloak-connect refuses the stale token');
        const introspected = await fetch(
          `${server.url}/realms/kc/protocol/openid-connect/token/introspect`,
          form({ token: accessToken }, { authorization: basic('kc-app', 'kc-secret') }),
        );
        assert.deepEqual(await introspected.json(), { active: false });
      });

      test('push-revocation: PUSH_NOT_BEFORE reaches k_push_not_before; tokens issued before fail everywhere, newer ones work', async () => {
        const browser = new Browser((input, init) => fetch(input, init));
        const { accessToken } = await signInToApp(browser);
        const refreshed = (await (
          await fetch(
            `${server.url}/realms/kc/protocol/openid-connect/token`,
            form({
              grant_type: 'password',
              username: 'alice',
              password: 'alice-pw',
              client_id: 'kc-app',
              client_secret: 'kc-secret',
              scope: 'openid',
            }),
          )
        ).json()) as { refresh_token?: string; error?: string };
        await nextSecond();
        // Keycloak's console: "Revocation → Set to now", then "Push".
        const notBefore = Math.floor(Date.now() / 1000);
        assert.equal((await adminCall('PUT', '', { notBefore })).status, 204);
        const res = await adminCall('POST', '/push-revocation');
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { successRequests: [`${appOrigin}/k_push_not_before`], failedRequests: [] });
        assert.equal((keycloak.grantManager as unknown as { notBefore: number }).notBefore, notBefore);
        assert.equal((await bearerGet(accessToken)).status, 302, 'keycloak-connect refuses the stale token');
        // Sundown's own checks: the session is still live, only the not-before time refuses them.
        const introspect = await fetch(
          `${server.url}/realms/kc/protocol/openid-connect/token/introspect`,
          form({ token: accessToken }, { authorization: basic('kc-app', 'kc-secret') }),
        );
        assert.deepEqual(await introspect.json(), { active: false });
        assert.equal(
          (
            await fetch(`${server.url}/realms/kc/protocol/openid-connect/userinfo`, {
              headers: { authorization: `Bearer ${accessToken}` },
            })
          ).status,
          401,
        );
        assert.ok(refreshed.refresh_token, refreshed.error);
        const refresh = await fetch(
          `${server.url}/realms/kc/protocol/openid-connect/token`,
          form(
            { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token },
            { authorization: basic('kc-app', 'kc-secret') },
          ),
        );
        assert.equal(
          refresh.status,
          400,
          'the refresh grant refuses a refresh token issued before the not-before time',
        );
        // A token issued after the not-before time works.
        await nextSecond();
        const fresh = new Browser((input, init) => fetch(input, init));
        const { accessToken: newer } = await signInToApp(fresh);
        assert.equal((await bearerGet(newer)).status, 200);
      });

      test('sundown doctor (admin API) probes the admin URL with a LogoutAction for an unknown adapter session', async () => {
        const [client] = (await (await adminCall('GET', '/clients?clientId=kc-app')).json()) as Array<{ id: string }>;
        const res = await adminCall('GET', `/sundown/clients/${client!.id}/doctor`);
        assert.equal(res.status, 200);
        const result = (await res.json()) as {
          kind: string;
          url: string;
          ok: boolean;
          logoutToken: { ok: boolean; detail: string };
        };
        assert.deepEqual(
          { kind: result.kind, url: result.url, ok: result.ok, probe: result.logoutToken },
          { kind: 'k_logout', url: `${appOrigin}/k_logout`, ok: true, probe: { ok: true, detail: 'HTTP 200' } },
        );
      });

      test('its own logout URL (/logout) ends the SSO session and comes back to the app ("+" includes the wildcard redirect URI)', async () => {
        const browser = new Browser((input, init) => fetch(input, init));
        await signInToApp(browser);
        const out = await browser.get(`${appOrigin}/logout`);
        assert.equal(out.status, 302);
        const sundownLogout = new URL(out.headers.get('location')!);
        assert.equal(sundownLogout.searchParams.get('post_logout_redirect_uri'), `${appOrigin}/`);
        const done = await browser.get(sundownLogout.href);
        assert.ok(
          [302, 303].includes(done.status),
          `Sundown answered ${done.status}: ${(await done.clone().text()).slice(0, 300)}`,
        );
        assert.equal(done.headers.get('location'), `${appOrigin}/`);
        const again = await browser.get(`${appOrigin}/protected`);
        assert.equal(again.status, 302);
        const login = await browser.get(again.headers.get('location')!);
        assert.equal(login.status, 200, 'the SSO session is gone: the login page shows');
      });
    },
  );
}
