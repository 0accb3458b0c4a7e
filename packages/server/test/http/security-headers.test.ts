// Transport security headers on every response (app.ts): HSTS exactly when the public URL is
// https (RFC 6797), and X-Content-Type-Options: nosniff on API, page, error and console answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, form } from '../helpers/oauth.ts';
import { startTestProvider, type TestProvider } from '../helpers/provider.ts';

const HTTP_BASE = 'http://localhost:8080';

/** One request of each kind: JSON API, HTML page, redirect-free HTML error, JSON error, 404, console. */
function requests(base: string): Array<[string, Request]> {
  const oidc = `${base}/realms/test/protocol/openid-connect`;
  return [
    ['discovery (JSON)', new Request(`${base}/realms/test/.well-known/openid-configuration`)],
    [
      'login page (HTML)',
      new Request(authUrl({ client_id: 'web', redirect_uri: 'https://web.example/callback' }, oidc)),
    ],
    ['logout page (HTML)', new Request(`${oidc}/logout`)],
    ['token error (JSON)', new Request(`${oidc}/token`, form({ grant_type: 'password' }))],
    ['unknown path (404)', new Request(`${base}/nothing-here`)],
    ['admin console (HTML)', new Request(`${base}/admin/`)],
  ];
}

for (const database of TEST_DATABASES) {
  describe(`security headers on ${database.name}`, { skip: database.skip }, () => {
    let https: TestProvider;
    let http: TestProvider;
    before(async () => {
      https = await startTestProvider(database, { background: false });
      http = await startTestProvider(database, { background: false, publicUrl: HTTP_BASE });
    });
    after(async () => {
      await https?.close();
      await http?.close();
    });

    test('Strict-Transport-Security on every response when the public URL is https (regression: none was sent)', async () => {
      for (const [what, req] of requests('https://sso.test')) {
        const res = await https.fetch(req);
        assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains', what);
      }
    });

    test('no Strict-Transport-Security when the public URL is http', async () => {
      for (const [what, req] of requests(HTTP_BASE)) {
        const res = await http.fetch(req);
        assert.equal(res.headers.get('strict-transport-security'), null, what);
      }
    });

    test('X-Content-Type-Options: nosniff on API and HTML responses, not only the console (regression)', async () => {
      for (const [t, base] of [
        [https, 'https://sso.test'],
        [http, HTTP_BASE],
      ] as const) {
        for (const [what, req] of requests(base)) {
          const res = await t.fetch(req);
          assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what} under ${base}`);
        }
      }
    });
  });
}
