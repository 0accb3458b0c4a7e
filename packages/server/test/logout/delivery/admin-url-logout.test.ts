// Keycloak's admin-URL logout (k_logout): the LogoutAction and PushNotBeforeAction wire format,
// adapter session ids from client_session_state, skipped deliveries without them, admin URL
// resolution and validation, and introspection with Basic plus the body secret (keycloak-connect).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { adminActionUrl, adminUrlProblem, resolveAdminUrl } from '../../../src/logout/channels/admin-url/admin-url.ts';
import { NO_ADAPTER_SESSIONS } from '../../../src/logout/channels/admin-url/planner.ts';
import { signLogoutAction, signPushNotBefore } from '../../../src/logout/channels/admin-url/logout-action.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { Browser, signIn } from '../../helpers/browser.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { signInTo } from '../../helpers/logout-flow.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import { authUrl, basic, form } from '../../helpers/oauth.ts';
import { OIDC, type TestProvider } from '../../helpers/provider.ts';

const DEAD = 'http://127.0.0.1:9/logout';
const KC_CLIENT = {
  clientId: 'kc',
  secret: 'kc-secret',
  redirectUris: ['https://kc.example/cb'],
  rootUrl: 'http://127.0.0.1:9',
  adminUrl: '/app',
};

describe('admin URL resolution (Keycloak ResolveRelative) and validation', () => {
  test('absolute as is; "/" paths below rootUrl, else below the server; action paths appended as a segment', () => {
    assert.equal(
      resolveAdminUrl({ adminUrl: 'https://app.example/adm', rootUrl: 'https://other.example' }, 'https://sso.test'),
      'https://app.example/adm',
    );
    assert.equal(
      resolveAdminUrl({ adminUrl: '/adm', rootUrl: 'https://app.example/' }, 'https://sso.test'),
      'https://app.example/adm',
    );
    assert.equal(resolveAdminUrl({ adminUrl: '/adm', rootUrl: null }, 'https://sso.test'), 'https://sso.test/adm');
    assert.equal(resolveAdminUrl({ adminUrl: null, rootUrl: 'https://app.example' }, 'https://sso.test'), null);
    assert.equal(adminActionUrl('https://app.example/adm', 'k_logout'), 'https://app.example/adm/k_logout');
    assert.equal(adminActionUrl('https://app.example/adm/', 'k_logout'), 'https://app.example/adm/k_logout');
    assert.equal(adminActionUrl('https://app.example', 'k_push_not_before'), 'https://app.example/k_push_not_before');
  });

  test('http admin URLs: loopback allowed; elsewhere only for confidential clients with the realm opt-in; no fragments', () => {
    const c = (adminUrl: string, publicClient = false) => ({ adminUrl, rootUrl: null, publicClient });
    assert.equal(adminUrlProblem(c('http://localhost:3000/'), false), null);
    assert.equal(adminUrlProblem(c('http://127.0.0.1:3000/'), false), null);
    assert.equal(adminUrlProblem(c('https://app.example/'), false), null);
    assert.match(adminUrlProblem(c('http://app.example/'), false)!, /backchannelLogoutAllowHttp/);
    assert.equal(adminUrlProblem(c('http://app.example/'), true), null);
    assert.match(adminUrlProblem(c('http://app.example/', true), true)!, /public client/);
    assert.match(adminUrlProblem(c('https://app.example/#x'), false)!, /fragment/);
    assert.throws(
      () => parseRealmJson({ realm: 'r', clients: [{ clientId: 'a', adminUrl: 'http://app.example/' }] }),
      /\$\.clients\[0\]\.adminUrl/,
    );
  });
});

for (const database of TEST_DATABASES) {
  describe(`admin-URL logout on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    before(async () => {
      t = await startLogoutProvider(
        database,
        { rp1: DEAD, rp2: DEAD, extraClients: [KC_CLIENT] },
        { background: false },
      );
    });
    after(() => t?.close());

    const realmId = async () => (await t.provider.ctx.realms.realmByName('test'))!.id;

    test('LogoutAction wire format: compact JWS, RS256, typ JWT, kid of the realm key; Keycloak field names', async () => {
      const id = await realmId();
      const now = Date.UTC(2026, 0, 1);
      const jws = await signLogoutAction(
        t.provider.ctx.keys,
        id,
        { resource: 'kc', adapterSessionIds: ['as-1'], keycloakSessionIds: ['sso-1'], notBefore: 0 },
        now,
      );
      assert.equal(jws.split('.').length, 3);
      const header = decodeProtectedHeader(jws);
      assert.equal(header.alg, 'RS256');
      assert.equal(header.typ, 'JWT');
      assert.equal(typeof header.kid, 'string');
      const jwks = createLocalJWKSet((await (await t.fetch(`${OIDC}/certs`)).json()) as { keys: [] });
      const { payload } = await jwtVerify(jws, jwks, { currentDate: new Date(now) });
      assert.deepEqual(Object.keys(payload), [
        'id',
        'expiration',
        'resource',
        'action',
        'adapterSessionIds',
        'notBefore',
        'keycloakSessionIds',
      ]);
      assert.equal(typeof payload.id, 'string');
      assert.equal(payload.expiration, now / 1000 + 30);
      assert.deepEqual(
        { ...payload, id: 'x' },
        {
          id: 'x',
          expiration: now / 1000 + 30,
          resource: 'kc',
          action: 'LOGOUT',
          adapterSessionIds: ['as-1'],
          notBefore: 0,
          keycloakSessionIds: ['sso-1'],
        },
      );
      // Keycloak's logoutAll: no session ids at all (Jackson drops nulls), the new not-before time.
      const all = await signLogoutAction(
        t.provider.ctx.keys,
        id,
        { resource: 'kc', adapterSessionIds: null, keycloakSessionIds: null, notBefore: 1234 },
        now,
      );
      assert.deepEqual(Object.keys((await jwtVerify(all, jwks, { currentDate: new Date(now) })).payload), [
        'id',
        'expiration',
        'resource',
        'action',
        'notBefore',
      ]);
      const push = await signPushNotBefore(t.provider.ctx.keys, id, { resource: 'kc', notBefore: 1234 }, now);
      const pushed = (await jwtVerify(push, jwks, { currentDate: new Date(now) })).payload;
      assert.deepEqual(
        { ...pushed, id: 'x' },
        { id: 'x', expiration: now / 1000 + 30, resource: 'kc', action: 'PUSH_NOT_BEFORE', notBefore: 1234 },
      );
      // A fresh id per message, as for a logout token's jti.
      assert.notEqual(
        (
          await jwtVerify(
            await signLogoutAction(
              t.provider.ctx.keys,
              id,
              { resource: 'kc', adapterSessionIds: ['as-1'], keycloakSessionIds: ['sso-1'], notBefore: 0 },
              now,
            ),
            jwks,
            { currentDate: new Date(now) },
          )
        ).payload.id,
        payload.id,
      );
    });

    async function codeFor(browser: Browser): Promise<string> {
      const back = await signIn(
        browser,
        authUrl({ client_id: 'kc', redirect_uri: 'https://kc.example/cb' }),
        'alice',
        'alice-pw',
      );
      return back.searchParams.get('code')!;
    }

    test('client_session_state and client_session_host of the code-to-token request are kept per client session', async () => {
      const browser = new Browser(t.fetch);
      const code = await codeFor(browser);
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          {
            grant_type: 'authorization_code',
            code,
            redirect_uri: 'https://kc.example/cb',
            client_session_state: 'express-sess-1',
            client_session_host: 'app-node-1',
          },
          { authorization: basic('kc', 'kc-secret') },
        ),
      );
      assert.equal(res.status, 200, await res.clone().text());
      const { session_state: sid } = (await res.json()) as { session_state: string };
      const rows = await t.store.db
        .selectFrom('adapter_session')
        .innerJoin('client_session', 'client_session.id', 'adapter_session.client_session_id')
        .selectAll('adapter_session')
        .where('client_session.sso_session_id', '=', sid)
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.adapter_session_id, r.adapter_host]),
        [['express-sess-1', 'app-node-1']],
      );

      // Ending the session writes one k_logout delivery naming that adapter session.
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const ended = await t.provider.ctx.logout.endSessions(realm, [sid], 'admin_session');
      const d = await t.store.db
        .selectFrom('logout_delivery')
        .selectAll()
        .where('sso_session_id', '=', sid)
        .where('kind', '=', 'k_logout')
        .executeTakeFirstOrThrow();
      assert.equal(d.status, 'pending');
      assert.ok(ended.deliveryIds.includes(d.id));
      assert.deepEqual(JSON.parse(d.payload!), {
        adapterSessionIds: ['express-sess-1'],
        keycloakSessionIds: [sid],
        notBefore: 0,
      });
    });

    test('an unusable client_session_state is invalid_request, not stored', async () => {
      for (const bad of ['has space', 'x'.repeat(513), 'tab\there']) {
        const code = await codeFor(new Browser(t.fetch));
        const res = await t.fetch(
          `${OIDC}/token`,
          form(
            {
              grant_type: 'authorization_code',
              code,
              redirect_uri: 'https://kc.example/cb',
              client_session_state: bad,
            },
            { authorization: basic('kc', 'kc-secret') },
          ),
        );
        assert.equal(res.status, 400);
        assert.deepEqual(await res.json(), {
          error: 'invalid_request',
          error_description: 'Invalid parameter: client_session_state',
        });
      }
    });

    test('without client_session_state the k_logout delivery is recorded as skipped with the reason, and never sent', async () => {
      const browser = new Browser(t.fetch);
      const code = await codeFor(browser);
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'authorization_code', code, redirect_uri: 'https://kc.example/cb' },
          { authorization: basic('kc', 'kc-secret') },
        ),
      );
      const { session_state: sid } = (await res.json()) as { session_state: string };
      const realm = (await t.provider.ctx.realms.realmByName('test'))!;
      const ended = await t.provider.ctx.logout.endSessions(realm, [sid], 'admin_session');
      const d = await t.store.db
        .selectFrom('logout_delivery')
        .selectAll()
        .where('sso_session_id', '=', sid)
        .where('kind', '=', 'k_logout')
        .executeTakeFirstOrThrow();
      assert.equal(d.status, 'skipped');
      assert.equal(d.last_error, NO_ADAPTER_SESSIONS);
      assert.equal(d.attempts, 0);
      assert.ok(!ended.deliveryIds.includes(d.id), 'nobody waits for a skipped delivery');
      assert.deepEqual(
        await t.provider.deliveryStore.claimDue(100, 1000, []).then((rows) => rows.filter((r) => r.id === d.id)),
        [],
      );
    });

    test('introspection: HTTP Basic plus the same secret in the body is accepted (keycloak-connect); another secret is refused', async () => {
      const tokens = await signInTo(t, new Browser(t.fetch), 'rp1');
      const same = await t.fetch(
        `${OIDC}/token/introspect`,
        form(
          { token: tokens.access_token!, client_id: 'rp1', client_secret: 'rp1-secret' },
          { authorization: basic('rp1', 'rp1-secret') },
        ),
      );
      assert.equal(same.status, 200);
      assert.equal(((await same.json()) as { active: boolean }).active, true);
      const other = await t.fetch(
        `${OIDC}/token/introspect`,
        form({ token: tokens.access_token!, client_secret: 'wrong' }, { authorization: basic('rp1', 'rp1-secret') }),
      );
      assert.equal(other.status, 400);
      assert.equal(((await other.json()) as { error: string }).error, 'invalid_request');
      // The token endpoint keeps RFC 6749 §2.3's one method per request.
      const token = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username: 'alice', password: 'alice-pw', client_secret: 'rp1-secret' },
          { authorization: basic('rp1', 'rp1-secret') },
        ),
      );
      assert.equal(token.status, 400);
    });

    test('ID tokens carry Keycloak\'s typ "ID" claim (keycloak-connect refuses others)', async () => {
      const tokens = await signInTo(t, new Browser(t.fetch), 'rp1');
      const payload = JSON.parse(Buffer.from(tokens.id_token!.split('.')[1]!, 'base64url').toString()) as {
        typ: string;
      };
      assert.equal(payload.typ, 'ID');
    });
  });
}
