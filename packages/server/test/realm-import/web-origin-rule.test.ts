// Issue 21 finding 6: a client's `webOrigins` feed the realm's CSP `frame-ancestors` (iframe
// pages, form_post) and CORS, so every client — OIDC and SAML — and every writer — realm import
// and the admin API — take only origins (scheme://host[:port]), Keycloak's "+" or "*". Before the
// fix a SAML client's webOrigins were stored unchecked: CR/LF made login-status-iframe.html a 500
// for the whole realm, and `http://b.example; script-src 'unsafe-inline' *` went into the CSP
// header as is. Rows stored before the rule are filtered where the origins are used.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { resolveWebOrigins } from '../../src/http/cors.ts';
import { frameAncestorsSources } from '../../src/http/frame-ancestors.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson, RealmImportError } from '../../src/realm-import/realm-json.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { form } from '../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../helpers/provider.ts';
import { samlClientJson } from '../helpers/saml-clients.ts';

const INJECTION = "http://b.example; script-src 'unsafe-inline' *";
const CRLF = 'https://a.example\r\nX-Injected: 1';
const BAD_ORIGINS = [INJECTION, CRLF, 'https://a.example/path', 'javascript:alert(1)', 'https://*.example', 'null', ''];

const oidcClient = (webOrigins: string[]) => ({
  clientId: 'spa',
  publicClient: true,
  redirectUris: ['https://spa.example/cb'],
  webOrigins,
});

describe('one origin rule for every client at import', () => {
  test('web-origin-rule-import-refuses-bad-saml-and-oidc-web-origins: the JSON path names the entry', () => {
    for (const bad of BAD_ORIGINS) {
      for (const client of [
        samlClientJson({ webOrigins: ['https://ok.example', bad] }),
        oidcClient(['https://ok.example', bad]),
      ]) {
        assert.throws(
          () => parseRealmJson({ realm: 'x', clients: [client] }),
          (err: unknown) =>
            err instanceof RealmImportError &&
            err.path === '$.clients[0].webOrigins[1]' &&
            /is not an origin|must use http or https/.test(err.message) &&
            !/[\r\n]/.test(err.message),
          `${client.clientId}: ${JSON.stringify(bad)}`,
        );
      }
    }
  });

  test('web-origin-rule-import-keeps-keycloak-forms: origins, "+" and "*" are accepted for SAML clients as for OIDC clients', () => {
    const origins = ['https://sp.example', 'http://127.0.0.1:4001', 'http://[::1]:8080', '+', '*'];
    const { realm } = parseRealmJson({
      realm: 'x',
      clients: [samlClientJson({ webOrigins: origins }), oidcClient(origins)],
    });
    assert.deepEqual(realm.clients[0]!.webOrigins, origins);
    assert.deepEqual(realm.clients[1]!.webOrigins, origins);
  });
});

test('web-origin-rule-point-of-use: resolveWebOrigins and the frame-ancestors builder drop stored values that are not origins', () => {
  const allowed = resolveWebOrigins({
    webOrigins: ['https://ok.example', ...BAD_ORIGINS, '+'],
    redirectUris: ['https://spa.example/cb/*'],
  });
  assert.deepEqual([...allowed].sort(), ['https://ok.example', 'https://spa.example']);
  assert.equal(frameAncestorsSources(['https://ok.example', INJECTION, CRLF]), 'https://ok.example');
  assert.equal(frameAncestorsSources([INJECTION, CRLF]), "'none'");
  assert.equal(frameAncestorsSources(['https://ok.example', '*']), '*');
});

for (const database of TEST_DATABASES) {
  describe(`web origins of SAML clients on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let token: string;
    const REALM = `${ISSUER_BASE}/realms/origins`;
    before(async () => {
      t = await startTestProvider(database);
      await importRealm(
        t.store.db,
        parseRealmJson({
          realm: 'origins',
          clients: [samlClientJson({ webOrigins: ['https://sp.example'] }), oidcClient(['https://spa.example'])],
        }),
      );
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await t.fetch(
        `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      token = ((await res.json()) as { access_token: string }).access_token;
    });
    after(async () => {
      await t?.close();
    });
    const call = (method: string, path: string, body: unknown) =>
      t.fetch(`${ISSUER_BASE}/admin/realms/origins${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const description = async (res: Response) =>
      ((await res.json()) as { error_description: string }).error_description;

    test('web-origin-rule-admin-api-refuses: creating or updating a SAML client with a bad web origin is a 400 naming the field', async () => {
      for (const bad of [INJECTION, CRLF]) {
        const created = await call(
          'POST',
          '/clients',
          samlClientJson({ clientId: 'urn:test:other-sp', webOrigins: [bad] }),
        );
        assert.equal(created.status, 400);
        assert.match(await description(created), /^\$\.webOrigins\[0\]: .*is not an origin/);
      }
      const sp = (await t.provider.ctx.realms.clientByClientId(
        (await t.provider.ctx.realms.realmByName('origins'))!.id,
        'urn:test:sp-one',
      ))!;
      const updated = await call('PUT', `/clients/${sp.id}`, { webOrigins: ['https://sp.example', INJECTION] });
      assert.equal(updated.status, 400);
      assert.match(await description(updated), /^\$\.webOrigins\[1\]: /);
      const row = await t.store.db
        .selectFrom('client')
        .select('web_origins')
        .where('id', '=', sp.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.web_origins), ['https://sp.example'], 'nothing was stored');
    });

    test('web-origin-rule-stored-bad-row: values stored before the rule neither 500 the iframe pages nor reach the CSP or CORS', async () => {
      const bad = JSON.stringify(['https://sp.example', INJECTION, CRLF]);
      await t.store.db
        .updateTable('client')
        .set({ web_origins: bad })
        .where('client_id', '=', 'urn:test:sp-one')
        .execute();
      for (const path of ['login-status-iframe.html', '3p-cookies/step1.html', '3p-cookies/step2.html']) {
        const res = await t.fetch(`${REALM}/protocol/openid-connect/${path}`);
        assert.equal(res.status, 200, path);
        const ancestors = /frame-ancestors ([^;]+)/
          .exec(res.headers.get('content-security-policy')!)![1]!
          .split(' ')
          .sort();
        assert.deepEqual(ancestors, ['https://sp.example', 'https://spa.example'], path);
        assert.doesNotMatch(res.headers.get('content-security-policy')!, /unsafe-inline|b\.example|Injected/);
      }
      const preflight = await t.fetch(`${REALM}/protocol/openid-connect/token`, {
        method: 'OPTIONS',
        headers: { origin: 'http://b.example', 'access-control-request-method': 'POST' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    });
  });
}
