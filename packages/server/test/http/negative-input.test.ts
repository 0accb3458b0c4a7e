// Every endpoint answers malformed, missing, duplicated, oversized or hostile input with the
// status and error code of RFC 6749 / RFC 6750 / RFC 7009 / RFC 7662 / OIDC Core — never a
// 500 and never a stack trace.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, basic, form } from '../helpers/oauth.ts';
import { ISSUER, OIDC, startTestProvider, type TestProvider } from '../helpers/provider.ts';

const WEB = { authorization: basic('web', 'web-secret') };
const WEB_CB = 'https://web.example/callback';

interface Case {
  name: string;
  request: () => Request;
  status: number;
  error?: string;
  /** For authorization errors after the redirect URI is trusted: the error in the redirect. */
  redirectError?: string;
}

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  new Request(`${OIDC}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });

const big = 'a'.repeat(70 * 1024);

const TOKEN_CASES: Case[] = [
  {
    name: 'token: GET is 405',
    request: () => new Request(`${OIDC}/token`),
    status: 405,
    error: 'invalid_request',
  },
  {
    name: 'token: JSON body is invalid_request',
    request: () =>
      new Request(`${OIDC}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...WEB },
        body: '{"grant_type":"client_credentials"}',
      }),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'token: missing grant_type',
    request: () => post('token', '', WEB),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'token: duplicated grant_type',
    request: () => post('token', 'grant_type=client_credentials&grant_type=client_credentials', WEB),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'token: unknown grant_type',
    request: () => post('token', 'grant_type=urn:foo', WEB),
    status: 400,
    error: 'unsupported_grant_type',
  },
  {
    name: 'token: __proto__ grant_type',
    request: () => post('token', 'grant_type=__proto__', WEB),
    status: 400,
    error: 'unsupported_grant_type',
  },
  {
    name: 'token: oversized body is 413',
    request: () => post('token', `grant_type=client_credentials&x=${big}`, WEB),
    status: 413,
    error: 'invalid_request',
  },
  {
    name: 'token: no client authentication',
    request: () => post('token', 'grant_type=client_credentials'),
    status: 401,
    error: 'invalid_client',
  },
  {
    name: 'token: wrong secret (basic)',
    request: () => post('token', 'grant_type=client_credentials', { authorization: basic('service', 'nope') }),
    status: 401,
    error: 'invalid_client',
  },
  {
    name: 'token: wrong secret (post)',
    request: () => post('token', 'grant_type=client_credentials&client_id=service&client_secret=nope'),
    status: 401,
    error: 'invalid_client',
  },
  {
    name: 'token: unknown client',
    request: () => post('token', 'grant_type=client_credentials', { authorization: basic('ghost', 'x') }),
    status: 401,
    error: 'invalid_client',
  },
  {
    name: 'token: disabled client',
    request: () => post('token', 'grant_type=client_credentials', { authorization: basic('disabled-client', 'x') }),
    status: 401,
    error: 'invalid_client',
  },
  {
    name: 'token: malformed Basic header',
    request: () => post('token', 'grant_type=client_credentials', { authorization: 'Basic !!!notbase64' }),
    status: 401,
    error: 'invalid_client',
  },
  {
    name: 'token: two authentication methods',
    request: () =>
      post('token', 'grant_type=client_credentials&client_secret=service-secret', {
        authorization: basic('service', 'service-secret'),
      }),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'token: confidential client without secret',
    request: () => post('token', 'grant_type=client_credentials&client_id=service'),
    status: 401,
    error: 'invalid_client',
  },
  {
    name: 'token: public client sending a secret',
    request: () => post('token', 'grant_type=password&client_id=cli&client_secret=x&username=a&password=b'),
    status: 401,
    error: 'invalid_client',
  },
  {
    name: 'token: code missing',
    request: () => post('token', `grant_type=authorization_code&redirect_uri=${encodeURIComponent(WEB_CB)}`, WEB),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'token: unknown code',
    request: () =>
      post('token', `grant_type=authorization_code&code=nope&redirect_uri=${encodeURIComponent(WEB_CB)}`, WEB),
    status: 400,
    error: 'invalid_grant',
  },
  {
    name: 'token: unknown refresh token',
    request: () => post('token', 'grant_type=refresh_token&refresh_token=nope', WEB),
    status: 400,
    error: 'invalid_grant',
  },
  {
    name: 'token: unknown scope',
    request: () =>
      post('token', 'grant_type=client_credentials&scope=admin', {
        authorization: basic('service', 'service-secret'),
      }),
    status: 400,
    error: 'invalid_scope',
  },
  {
    name: 'token: password grant without password',
    request: () => post('token', 'grant_type=password&client_id=cli&username=alice'),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'token: broken percent-encoding is still a clean error',
    request: () => post('token', 'grant_type=%E0%A4%A&x=%', WEB),
    status: 400,
    error: 'unsupported_grant_type',
  },
];

const OTHER_CASES: Case[] = [
  {
    name: 'userinfo: no token is 401 with a bare Bearer challenge',
    request: () => new Request(`${OIDC}/userinfo`),
    status: 401,
  },
  {
    name: 'userinfo: garbage token',
    request: () => new Request(`${OIDC}/userinfo`, { headers: { authorization: 'Bearer garbage' } }),
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'userinfo: alg none token',
    request: () =>
      new Request(`${OIDC}/userinfo`, {
        headers: {
          authorization: `Bearer ${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`,
        },
      }),
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'userinfo: DELETE is 405',
    request: () => new Request(`${OIDC}/userinfo`, { method: 'DELETE' }),
    status: 405,
  },
  {
    name: 'revoke: no client authentication',
    request: () => post('revoke', 'token=x'),
    status: 401,
    error: 'invalid_client',
  },
  {
    name: 'revoke: missing token',
    request: () => post('revoke', '', WEB),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'revoke: unknown token is 200 (RFC 7009 §2.2)',
    request: () => post('revoke', 'token=nope', WEB),
    status: 200,
  },
  {
    name: 'revoke: duplicated token',
    request: () => post('revoke', 'token=a&token=b', WEB),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'introspect: no client authentication',
    request: () => post('token/introspect', 'token=x'),
    status: 401,
    error: 'invalid_client',
  },
  {
    name: 'introspect: public client',
    request: () => post('token/introspect', 'token=x&client_id=cli'),
    status: 400,
    error: 'unauthorized_client',
  },
  {
    name: 'introspect: missing token',
    request: () => post('token/introspect', '', WEB),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'discovery: unknown realm is 404',
    request: () => new Request('https://sso.test/realms/nope/.well-known/openid-configuration'),
    status: 404,
    error: 'not_found',
  },
  {
    name: 'discovery: POST is 405',
    request: () => new Request(`${ISSUER}/.well-known/openid-configuration`, { method: 'POST' }),
    status: 405,
  },
  {
    name: 'unknown path is 404 JSON',
    request: () => new Request(`${ISSUER}/protocol/openid-connect/nope`),
    status: 404,
    error: 'not_found',
  },
  {
    name: 'login: POST without form binding cookie',
    request: () =>
      new Request(`${ISSUER}/login-actions/authenticate`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'auth_request=x&username=alice&password=alice-pw',
      }),
    status: 400,
  },
];

/** Before the redirect URI is trusted, errors are an HTML page (RFC 6749 §4.1.2.1). */
const AUTH_PAGE_CASES: Case[] = [
  {
    name: 'auth: missing client_id',
    request: () => new Request(authUrl({ redirect_uri: WEB_CB })),
    status: 400,
  },
  {
    name: 'auth: unknown client_id',
    request: () => new Request(authUrl({ client_id: 'ghost', redirect_uri: WEB_CB })),
    status: 400,
  },
  {
    name: 'auth: disabled client',
    request: () => new Request(authUrl({ client_id: 'disabled-client', redirect_uri: 'https://disabled.example/cb' })),
    status: 400,
  },
  {
    name: 'auth: missing redirect_uri',
    request: () => new Request(authUrl({ client_id: 'web' })),
    status: 400,
  },
  {
    // Issue 14: redirecting with an unsupported mode made keycloak-js loop; it is a page now.
    name: 'auth: unsupported response_mode is the error page, not a redirect',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: WEB_CB, response_mode: 'jwt' })),
    status: 400,
  },
  {
    name: 'auth: unregistered redirect_uri',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: 'https://evil.example/cb' })),
    status: 400,
  },
  {
    name: 'auth: redirect_uri with added query',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: `${WEB_CB}?x=1` })),
    status: 400,
  },
  {
    name: 'auth: redirect_uri prefix of a registered one',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: 'https://web.example/call' })),
    status: 400,
  },
  {
    name: 'auth: duplicated client_id',
    request: () => new Request(`${authUrl({ client_id: 'web', redirect_uri: WEB_CB })}&client_id=web`),
    status: 400,
  },
  {
    name: 'auth: client without standard flow',
    request: () => new Request(authUrl({ client_id: 'service', redirect_uri: WEB_CB })),
    status: 400,
  },
  {
    name: 'auth: PUT is 405',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: WEB_CB }), { method: 'PUT' }),
    status: 405,
  },
];

/** With a trusted redirect URI, errors go back to the client with state (RFC 6749 §4.1.2.1). */
const AUTH_REDIRECT_CASES: Case[] = [
  {
    name: 'auth: missing response_type',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: WEB_CB, response_type: '' })),
    status: 302,
    redirectError: 'invalid_request',
  },
  {
    // A token type's error goes in the fragment (its default mode): see response-mode.test.ts.
    name: 'auth: response_type=none',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: WEB_CB, response_type: 'none' })),
    status: 302,
    redirectError: 'unsupported_response_type',
  },
  {
    name: 'auth: unknown scope',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: WEB_CB, scope: 'openid admin' })),
    status: 302,
    redirectError: 'invalid_scope',
  },
  {
    name: 'auth: plain PKCE',
    request: () =>
      new Request(
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          code_challenge: 'a'.repeat(43),
          code_challenge_method: 'plain',
        }),
      ),
    status: 302,
    redirectError: 'invalid_request',
  },
  {
    name: 'auth: short code_challenge',
    request: () =>
      new Request(
        authUrl({
          client_id: 'web',
          redirect_uri: WEB_CB,
          code_challenge: 'abc',
          code_challenge_method: 'S256',
        }),
      ),
    status: 302,
    redirectError: 'invalid_request',
  },
  {
    name: 'auth: prompt=none login',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: WEB_CB, prompt: 'none login' })),
    status: 302,
    redirectError: 'invalid_request',
  },
  {
    name: 'auth: unknown prompt',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: WEB_CB, prompt: 'bogus' })),
    status: 302,
    redirectError: 'invalid_request',
  },
  {
    name: 'auth: negative max_age',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: WEB_CB, max_age: '-1' })),
    status: 302,
    redirectError: 'invalid_request',
  },
  {
    name: 'auth: request object',
    request: () => new Request(authUrl({ client_id: 'web', redirect_uri: WEB_CB, request: 'eyJ...' })),
    status: 302,
    redirectError: 'invalid_request',
  },
];

const database = TEST_DATABASES[0]!;
describe('negative input', () => {
  let t: TestProvider;
  before(async () => {
    t = await startTestProvider(database);
  });
  after(() => t?.close());

  for (const c of [...TOKEN_CASES, ...OTHER_CASES]) {
    test(c.name, async () => {
      const res = await t.provider.fetch(c.request());
      assert.equal(res.status, c.status);
      const text = await res.text();
      assert.doesNotMatch(text, /\bat .+\.ts:\d+/, 'no stack trace');
      if (c.error) {
        const type = res.headers.get('content-type') ?? '';
        if (type.includes('json')) assert.equal((JSON.parse(text) as { error: string }).error, c.error);
      }
      if (c.status === 401 && c.name.startsWith('token: wrong secret (basic)')) {
        assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
      }
      if (c.name.startsWith('userinfo') && c.status === 401)
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    });
  }

  for (const c of AUTH_PAGE_CASES) {
    test(c.name, async () => {
      const res = await t.provider.fetch(c.request());
      assert.equal(res.status, c.status);
      assert.equal(res.headers.get('location'), null, 'never redirects to an untrusted URI');
      if (c.status === 400) assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    });
  }

  for (const c of AUTH_REDIRECT_CASES) {
    test(c.name, async () => {
      const req = c.request();
      const url = new URL(req.url);
      url.searchParams.set('state', 'st');
      const res = await t.provider.fetch(new Request(url));
      assert.equal(res.status, 302);
      const loc = new URL(res.headers.get('location')!);
      assert.equal(loc.origin + loc.pathname, WEB_CB);
      assert.equal(loc.searchParams.get('error'), c.redirectError);
      assert.equal(loc.searchParams.get('state'), 'st');
      assert.equal(loc.searchParams.get('iss'), ISSUER);
    });
  }

  test('a redirect URI with its own query keeps it and gets the code appended', async () => {
    const res = await t.provider.fetch(
      new Request(authUrl({ client_id: 'web', redirect_uri: 'https://web.example/cb?tenant=1', prompt: 'none' })),
    );
    const loc = new URL(res.headers.get('location')!);
    assert.equal(loc.searchParams.get('tenant'), '1');
    assert.equal(loc.searchParams.get('error'), 'login_required');
  });

  test('token errors are not cached', async () => {
    const res = await t.provider.fetch(post('token', 'grant_type=urn:x', WEB));
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('token endpoint sends no detail of internal failures', async () => {
    const res = await t.provider.fetch(
      post('token', 'grant_type=authorization_code&code=x&redirect_uri=y', {
        authorization: basic('web', 'web-secret'),
      }),
    );
    const body = (await res.json()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
  });

  test('requests get a request id', async () => {
    const res = await t.provider.fetch(
      new Request(`${ISSUER}/.well-known/openid-configuration`, { headers: { 'x-request-id': 'abc-123' } }),
    );
    assert.equal(res.headers.get('x-request-id'), 'abc-123');
  });
});

test('authorization request by POST works like GET (OIDC Core §3.1.2.1)', async () => {
  const t = await startTestProvider(database);
  try {
    const res = await t.provider.fetch(
      post(
        'auth',
        new URLSearchParams({
          client_id: 'web',
          redirect_uri: WEB_CB,
          response_type: 'code',
          scope: 'openid',
          prompt: 'none',
        }).toString(),
      ),
    );
    assert.equal(res.status, 302);
    assert.equal(new URL(res.headers.get('location')!).searchParams.get('error'), 'login_required');
    const bad = await t.fetch(`${OIDC}/auth`, form({ client_id: 'web' }));
    assert.equal(bad.status, 400);
  } finally {
    await t.close();
  }
});

// PostgreSQL cannot store or compare text holding U+0000 (SQLSTATE 22021): before, a NUL in a
// client id or a parameter reached a query there and the answer was a 500 (SQLite answered 4xx).
for (const db of TEST_DATABASES) {
  test(
    `a NUL character in a parameter or in Basic credentials is invalid_request / invalid_client, never a 500 (${db.name})`,
    { skip: db.skip },
    async () => {
      const t = await startTestProvider(db);
      try {
        const cases: Array<[string, Request, number]> = [
          [
            'token, Basic client id',
            post('token', 'grant_type=client_credentials', { authorization: basic('serv\u0000ice', 'x') }),
            401,
          ],
          [
            'token, client_id in the body',
            post('token', 'grant_type=client_credentials&client_id=a%00b&client_secret=x'),
            400,
          ],
          ['token, refresh token', post('token', 'grant_type=refresh_token&refresh_token=a%00b', WEB), 400],
          [
            'auth, client_id',
            new Request(`${OIDC}/auth?client_id=a%00b&response_type=code&redirect_uri=${encodeURIComponent(WEB_CB)}`),
            400,
          ],
          ['logout, client_id', new Request(`${OIDC}/logout?client_id=a%00b`), 400],
          ['introspect, token', post('token/introspect', 'token=a%00b', WEB), 400],
        ];
        for (const [name, req, status] of cases) {
          const res = await t.provider.fetch(req);
          assert.equal(res.status, status, `${name}: ${await res.clone().text()}`);
        }
      } finally {
        await t.close();
      }
    },
  );
}
