// CORS as Keycloak answers browser apps (issue 14): discovery and certs for any origin; token,
// userinfo, logout, revoke and introspection for the web origins of the request's client
// (`+` = its redirect URIs' origins, `*` = any), credentials allowed, Vary: Origin; preflights
// always 204; an origin that is not allowed gets no CORS headers and an unchanged response.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { resolveWebOrigins, webOriginProblem } from '../../src/http/cors.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { basic, form } from '../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../helpers/provider.ts';

const ISSUER = `${ISSUER_BASE}/realms/cors`;
const OIDC = `${ISSUER}/protocol/openid-connect`;
const APP = 'https://app.example';
const EVIL = 'https://evil.example';

const CORS_REALM = {
  realm: 'cors',
  clients: [
    {
      clientId: 'spa-explicit',
      publicClient: true,
      directAccessGrantsEnabled: true,
      redirectUris: ['https://spa.example/cb'],
      webOrigins: [APP],
    },
    {
      clientId: 'spa-plus',
      publicClient: true,
      directAccessGrantsEnabled: true,
      redirectUris: ['https://plus.example/cb', 'http://localhost:5173/*'],
      webOrigins: ['+'],
    },
    {
      clientId: 'spa-none',
      publicClient: true,
      directAccessGrantsEnabled: true,
      redirectUris: ['https://none.example/cb'],
    },
    {
      clientId: 'conf',
      secret: 'conf-secret',
      directAccessGrantsEnabled: true,
      redirectUris: ['https://conf.example/cb'],
      webOrigins: ['https://conf.example'],
    },
    {
      clientId: 'off',
      publicClient: true,
      enabled: false,
      directAccessGrantsEnabled: true,
      redirectUris: ['https://off.example/cb'],
      webOrigins: ['https://off.example'],
    },
  ],
  users: [{ username: 'alice', credentials: [{ type: 'password', value: 'alice-pw' }] }],
};
/** `*` in one client opens preflights for every origin, so it lives in a realm of its own. */
const ANY_REALM = {
  realm: 'cors-any',
  clients: [
    {
      clientId: 'spa-any',
      publicClient: true,
      directAccessGrantsEnabled: true,
      redirectUris: ['https://any.example/cb'],
      webOrigins: ['*'],
    },
  ],
  users: [{ username: 'alice', credentials: [{ type: 'password', value: 'alice-pw' }] }],
};

function corsOf(res: Response): { origin: string | null; credentials: string | null; vary: string | null } {
  return {
    origin: res.headers.get('access-control-allow-origin'),
    credentials: res.headers.get('access-control-allow-credentials'),
    vary: res.headers.get('vary'),
  };
}

test('webOriginProblem accepts origins, + and *, and names what is wrong with anything else', () => {
  for (const ok of [
    '+',
    '*',
    'https://app.example',
    'http://localhost:5173',
    'http://127.0.0.1:8080',
    'https://[::1]:8443',
  ])
    assert.equal(webOriginProblem(ok), null, ok);
  assert.match(webOriginProblem('https://app.example/')!, /did you mean "https:\/\/app.example"/);
  assert.match(webOriginProblem('https://app.example/path')!, /no path/);
  assert.match(webOriginProblem('https://App.example')!, /did you mean "https:\/\/app.example"/);
  assert.match(webOriginProblem('https://app.example:443')!, /did you mean "https:\/\/app.example"/);
  assert.match(webOriginProblem('ftp://app.example')!, /http or https/);
  assert.match(webOriginProblem('app.example')!, /not an origin/);
  assert.match(webOriginProblem('https://*.example')!, /not an origin as browsers send it/);
});

test('resolveWebOrigins expands + to the origins of the redirect URIs, wildcards included', () => {
  assert.deepEqual(
    [
      ...resolveWebOrigins({
        webOrigins: ['+', 'https://x.example'],
        redirectUris: ['https://a.example/cb', 'http://localhost:5173/*', 'https://a.example/other'],
      }),
    ].sort(),
    ['http://localhost:5173', 'https://a.example', 'https://x.example'],
  );
  assert.deepEqual([...resolveWebOrigins({ webOrigins: [], redirectUris: ['https://a.example/cb'] })], []);
});

test('realm import refuses a web origin with a path, naming the field', () => {
  assert.throws(
    () =>
      parseRealmJson({
        realm: 'r',
        clients: [
          { clientId: 'c', redirectUris: ['https://a.example/cb'], webOrigins: ['+', 'https://a.example/app'] },
        ],
      }),
    /\$\.clients\[0\]\.webOrigins\[1\]: "https:\/\/a.example\/app" is not an origin/,
  );
});

for (const database of TEST_DATABASES) {
  describe(`CORS on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startTestProvider(database);
      await importRealm(t.store.db, parseRealmJson(CORS_REALM));
      await importRealm(t.store.db, parseRealmJson(ANY_REALM));
    });
    after(() => t?.close());

    const password = (
      clientId: string,
      origin?: string,
      extra: Record<string, string> = {},
      headers: Record<string, string> = {},
    ) =>
      t.fetch(
        `${OIDC}/token`,
        form(
          {
            grant_type: 'password',
            client_id: clientId,
            username: 'alice',
            password: 'alice-pw',
            scope: 'openid',
            ...extra,
          },
          { ...headers, ...(origin ? { origin } : {}) },
        ),
      );
    const preflight = (path: string, origin: string, method = 'POST') =>
      t.fetch(`${OIDC}/${path}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': 'content-type, authorization',
        },
      });

    test('discovery and certs answer any origin with *', async () => {
      for (const url of [`${ISSUER}/.well-known/openid-configuration`, `${OIDC}/certs`]) {
        const res = await t.fetch(url, { headers: { origin: EVIL } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('access-control-allow-origin'), '*', url);
        const pre = await t.fetch(url, {
          method: 'OPTIONS',
          headers: { origin: EVIL, 'access-control-request-method': 'GET' },
        });
        assert.equal(pre.status, 204, url);
        assert.equal(pre.headers.get('access-control-allow-origin'), '*');
        assert.match(pre.headers.get('access-control-allow-methods')!, /GET/);
      }
    });

    test('token: a listed origin is echoed with credentials and Vary: Origin; an unlisted one gets no CORS headers and the same answer', async () => {
      const allowed = await password('spa-explicit', APP);
      assert.equal(allowed.status, 200);
      assert.deepEqual(corsOf(allowed), { origin: APP, credentials: 'true', vary: 'Origin' });

      const denied = await password('spa-explicit', EVIL);
      assert.equal(denied.status, 200, 'the request itself is not changed');
      assert.ok(((await denied.json()) as { access_token?: string }).access_token);
      assert.equal(corsOf(denied).origin, null);
      assert.equal(corsOf(denied).credentials, null);

      const noOrigin = await password('spa-explicit');
      assert.equal(noOrigin.status, 200);
      assert.equal(corsOf(noOrigin).origin, null);
    });

    test('token errors carry CORS too, so the app can read them', async () => {
      const res = await t.fetch(
        `${OIDC}/token`,
        form({ grant_type: 'refresh_token', client_id: 'spa-explicit', refresh_token: 'nope' }, { origin: APP }),
      );
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
      assert.equal(corsOf(res).origin, APP);
    });

    test('+ allows the origins of the redirect URIs and nothing else', async () => {
      assert.equal(corsOf(await password('spa-plus', 'https://plus.example')).origin, 'https://plus.example');
      assert.equal(corsOf(await password('spa-plus', 'http://localhost:5173')).origin, 'http://localhost:5173');
      assert.equal(corsOf(await password('spa-plus', APP)).origin, null);
      assert.equal(
        corsOf(await password('spa-plus', 'https://plus.example:8443')).origin,
        null,
        'another port is another origin',
      );
    });

    test('* allows any origin, echoed with credentials (never a literal * on a credentialed answer)', async () => {
      const res = await t.fetch(
        `${ISSUER_BASE}/realms/cors-any/protocol/openid-connect/token`,
        form(
          { grant_type: 'password', client_id: 'spa-any', username: 'alice', password: 'alice-pw' },
          { origin: EVIL },
        ),
      );
      assert.equal(res.status, 200);
      assert.deepEqual(corsOf(res), { origin: EVIL, credentials: 'true', vary: 'Origin' });
      const pre = await t.fetch(`${ISSUER_BASE}/realms/cors-any/protocol/openid-connect/token`, {
        method: 'OPTIONS',
        headers: { origin: EVIL, 'access-control-request-method': 'POST' },
      });
      assert.equal(pre.headers.get('access-control-allow-origin'), EVIL);
    });

    test('a client without web origins, or a disabled one, allows none', async () => {
      assert.equal(corsOf(await password('spa-none', 'https://none.example')).origin, null);
      const off = await password('off', 'https://off.example');
      assert.equal(off.status, 401);
      assert.equal(corsOf(off).origin, null);
    });

    test('the client is read from Basic credentials too', async () => {
      const res = await password('conf', 'https://conf.example', {}, { authorization: basic('conf', 'conf-secret') });
      assert.equal(res.status, 200);
      assert.equal(corsOf(res).origin, 'https://conf.example');
      const body = new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-pw' });
      const basicOnly = await t.fetch(`${OIDC}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic('conf', 'conf-secret'),
          origin: APP,
        },
        body,
      });
      assert.equal(corsOf(basicOnly).origin, null, "another client's origin is not conf's");
    });

    test('preflights answer 204 (never 405) with methods and headers for an origin some client trusts, and no CORS headers otherwise', async () => {
      for (const [path, method] of [
        ['token', 'POST'],
        ['userinfo', 'GET'],
        ['revoke', 'POST'],
        ['token/introspect', 'POST'],
        ['logout', 'POST'],
      ] as const) {
        const ok = await preflight(path, APP, method);
        assert.equal(ok.status, 204, path);
        assert.equal(ok.headers.get('access-control-allow-origin'), APP, path);
        assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
        assert.match(ok.headers.get('access-control-allow-methods')!, new RegExp(method));
        assert.match(ok.headers.get('access-control-allow-headers')!, /Content-Type/);
        assert.match(ok.headers.get('access-control-allow-headers')!, /Authorization/);
        assert.match(ok.headers.get('vary')!, /Origin/);
        const denied = await preflight(path, EVIL, method);
        assert.equal(denied.status, 204, path);
        assert.equal(denied.headers.get('access-control-allow-origin'), null, path);
        assert.equal(denied.headers.get('access-control-allow-methods'), null, path);
      }
      // An origin only a disabled client lists is not trusted.
      assert.equal((await preflight('token', 'https://off.example')).headers.get('access-control-allow-origin'), null);
    });

    test("userinfo answers the origins of the access token's azp", async () => {
      const { access_token } = (await (await password('spa-explicit')).json()) as { access_token: string };
      const ok = await t.fetch(`${OIDC}/userinfo`, {
        headers: { authorization: `Bearer ${access_token}`, origin: APP },
      });
      assert.equal(ok.status, 200);
      assert.deepEqual(corsOf(ok), { origin: APP, credentials: 'true', vary: 'Origin' });
      const other = await t.fetch(`${OIDC}/userinfo`, {
        headers: { authorization: `Bearer ${access_token}`, origin: 'https://plus.example' },
      });
      assert.equal(other.status, 200);
      assert.equal(corsOf(other).origin, null);
      const bad = await t.fetch(`${OIDC}/userinfo`, { headers: { authorization: 'Bearer not.a.jwt', origin: APP } });
      assert.equal(bad.status, 401);
      assert.equal(corsOf(bad).origin, null);
    });

    test('revoke, introspect and logout answer their client’s origins', async () => {
      const tokens = (await (
        await password('conf', undefined, {}, { authorization: basic('conf', 'conf-secret') })
      ).json()) as {
        access_token: string;
        refresh_token: string;
        id_token: string;
      };
      const introspect = await t.fetch(
        `${OIDC}/token/introspect`,
        form(
          { token: tokens.access_token },
          { authorization: basic('conf', 'conf-secret'), origin: 'https://conf.example' },
        ),
      );
      assert.equal(introspect.status, 200);
      assert.equal(corsOf(introspect).origin, 'https://conf.example');
      const spa = (await (await password('spa-explicit')).json()) as { refresh_token: string };
      const revoke = await t.fetch(
        `${OIDC}/revoke`,
        form({ token: spa.refresh_token, client_id: 'spa-explicit' }, { origin: APP }),
      );
      assert.equal(revoke.status, 200);
      assert.equal(corsOf(revoke).origin, APP);
      const logout = await t.fetch(
        `${OIDC}/logout`,
        form({ id_token_hint: tokens.id_token }, { origin: 'https://conf.example' }),
      );
      assert.equal(corsOf(logout).origin, 'https://conf.example');
      const logoutOther = await t.fetch(`${OIDC}/logout?client_id=spa-explicit`, {
        headers: { origin: 'https://conf.example' },
      });
      assert.equal(corsOf(logoutOther).origin, null);
    });

    test('the admin API refuses a client with an invalid web origin (same rule as import)', async () => {
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const login = await t.fetch(
        `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      const { access_token } = (await login.json()) as { access_token: string };
      const create = (webOrigins: string[]) =>
        t.fetch(`${ISSUER_BASE}/admin/realms/cors/clients`, {
          method: 'POST',
          headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            clientId: `new-${webOrigins.length}`,
            publicClient: true,
            redirectUris: ['https://n.example/cb'],
            webOrigins,
          }),
        });
      const bad = await create(['https://n.example/']);
      assert.equal(bad.status, 400);
      assert.match(
        ((await bad.json()) as { error_description: string }).error_description,
        /\$\.webOrigins\[0\]: "https:\/\/n.example\/" is not an origin/,
      );
      assert.equal((await create(['+', '*'])).status, 201);
    });
  });
}
