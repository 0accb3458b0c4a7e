// The redirect URI matcher, table-driven: exact, wildcard, user information, dot segments raw /
// encoded / backslash, case, port, response parameters, invalid URIs, every pattern Keycloak
// accepts (a `*` after any prefix, `*` alone, native app schemes, relative URIs) and the attacks
// Keycloak had to fix in them — and what registration accepts and warns about.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkRegisteredPostLogoutUri,
  checkRegisteredRedirectUri,
  matchPostLogoutRedirectUri,
  type PostLogoutRedirectUris,
  matchRedirectUri,
  type RedirectUriProblem,
  registeredRedirectUriProblem,
} from '../../src/oidc/redirect-uri-matcher.ts';
import { resolveRegisteredUris } from '../../src/oidc/redirect-uri-pattern.ts';

interface Row {
  name: string;
  registered: string[];
  presented: string;
  /** Accepted, or the problem it is refused for. */
  expect: 'match' | RedirectUriProblem;
}

const EXACT = ['https://app.example/cb', 'https://app.example/cb?tenant=1'];
const AREA = ['https://app.example/area/*'];
/** Keycloak-style origin wildcard, as stored before import refused it. */
const ORIGIN_STAR = ['http://host:4202*'];

const ROWS: Row[] = [
  // exact
  { name: 'exact match', registered: EXACT, presented: 'https://app.example/cb', expect: 'match' },
  {
    name: 'exact match keeps the registered query',
    registered: EXACT,
    presented: 'https://app.example/cb?tenant=1',
    expect: 'match',
  },
  { name: 'exact: added query', registered: EXACT, presented: 'https://app.example/cb?x=1', expect: 'not-registered' },
  {
    name: 'exact: changed query',
    registered: EXACT,
    presented: 'https://app.example/cb?tenant=2',
    expect: 'not-registered',
  },
  {
    name: 'exact: prefix of a registered one',
    registered: EXACT,
    presented: 'https://app.example/c',
    expect: 'not-registered',
  },
  { name: 'exact: longer path', registered: EXACT, presented: 'https://app.example/cb/more', expect: 'not-registered' },
  { name: 'exact: trailing slash', registered: EXACT, presented: 'https://app.example/cb/', expect: 'not-registered' },
  { name: 'exact: other host', registered: EXACT, presented: 'https://evil.example/cb', expect: 'not-registered' },
  {
    name: 'exact: host suffix',
    registered: EXACT,
    presented: 'https://app.example.evil.example/cb',
    expect: 'not-registered',
  },
  {
    name: 'exact: percent-encoded path letter is another path',
    registered: EXACT,
    presented: 'https://app.example/c%62',
    expect: 'not-registered',
  },
  { name: 'nothing registered', registered: [], presented: 'https://app.example/cb', expect: 'not-registered' },
  // wildcard
  { name: 'wildcard: below the path', registered: AREA, presented: 'https://app.example/area/x/y', expect: 'match' },
  {
    name: 'wildcard: the path itself (Keycloak)',
    registered: AREA,
    presented: 'https://app.example/area',
    expect: 'match',
  },
  { name: 'wildcard: the path with slash', registered: AREA, presented: 'https://app.example/area/', expect: 'match' },
  {
    name: 'wildcard: any query (Keycloak)',
    registered: AREA,
    presented: 'https://app.example/area/x?page=2',
    expect: 'match',
  },
  {
    name: 'wildcard: sibling sharing the prefix string',
    registered: AREA,
    presented: 'https://app.example/areaxyz',
    expect: 'not-registered',
  },
  { name: 'wildcard: other path', registered: AREA, presented: 'https://app.example/admin', expect: 'not-registered' },
  {
    name: 'wildcard: other host',
    registered: AREA,
    presented: 'https://evil.example/area/x',
    expect: 'not-registered',
  },
  {
    name: 'wildcard /* on a loopback port',
    registered: ['http://localhost:5173/*'],
    presented: 'http://localhost:5173/any/where',
    expect: 'match',
  },
  {
    name: 'stored origin wildcard: a path on that origin',
    registered: ORIGIN_STAR,
    presented: 'http://host:4202/app',
    expect: 'match',
  },
  {
    name: 'stored origin wildcard: a longer port',
    registered: ORIGIN_STAR,
    presented: 'http://host:42021/app',
    expect: 'not-registered',
  },
  {
    name: 'stored origin wildcard: an invalid port is refused, not a 500',
    registered: ORIGIN_STAR,
    presented: 'http://host:4202999999/app',
    expect: 'invalid',
  },
  {
    name: 'stored path wildcard without slash: segment boundary',
    registered: ['https://app.example/area*'],
    presented: 'https://app.example/areaxyz',
    expect: 'not-registered',
  },
  {
    name: 'stored malformed registration never matches',
    registered: ['https://app.example/*/x*'],
    presented: 'https://app.example/a/x',
    expect: 'not-registered',
  },
  // user information
  {
    name: 'userinfo: the origin-wildcard attack',
    registered: ORIGIN_STAR,
    presented: 'http://host:4202@attacker:4299/steal',
    expect: 'userinfo',
  },
  {
    name: 'userinfo: against a path wildcard',
    registered: ['http://host:4202/*'],
    presented: 'http://host:4202@attacker:4299/steal',
    expect: 'userinfo',
  },
  {
    name: 'userinfo: user and password on the registered host',
    registered: AREA,
    presented: 'https://u:p@app.example/area/x',
    expect: 'userinfo',
  },
  { name: 'userinfo: empty user', registered: AREA, presented: 'https://@app.example/area/x', expect: 'userinfo' },
  {
    name: 'userinfo: exact registration',
    registered: EXACT,
    presented: 'https://x@app.example/cb',
    expect: 'userinfo',
  },
  // dot segments and backslashes
  {
    name: 'dot segment: raw ..',
    registered: AREA,
    presented: 'https://app.example/area/../admin',
    expect: 'dot-segment',
  },
  { name: 'dot segment: raw . ', registered: AREA, presented: 'https://app.example/area/./x', expect: 'dot-segment' },
  {
    name: 'dot segment: trailing ..',
    registered: AREA,
    presented: 'https://app.example/area/..',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: %2e%2e',
    registered: AREA,
    presented: 'https://app.example/area/%2e%2e/admin',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: .%2E',
    registered: AREA,
    presented: 'https://app.example/area/.%2E/admin',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: %2E.',
    registered: AREA,
    presented: 'https://app.example/area/%2E./admin',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: ..%2f (encoded slash)',
    registered: AREA,
    presented: 'https://app.example/area/..%2fadmin',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: double-encoded %252e%252e',
    registered: AREA,
    presented: 'https://app.example/area/%252e%252e/admin',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: ..; with an empty path parameter (Tomcat, Jetty)',
    registered: AREA,
    presented: 'https://app.example/area/..;/admin',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: ..;x with a path parameter',
    registered: AREA,
    presented: 'https://app.example/area/..;jsessionid=1/admin',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: %2e%2e; encoded, with a path parameter',
    registered: AREA,
    presented: 'https://app.example/area/%2e%2e;/admin',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: .; single dot with a path parameter',
    registered: AREA,
    presented: 'https://app.example/area/.;x/y',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: ..%3b encoded semicolon',
    registered: AREA,
    presented: 'https://app.example/area/..%3b/admin',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: %25 nested six levels deep',
    registered: AREA,
    presented: 'https://app.example/area/%25252525252e%25252525252e/admin',
    expect: 'dot-segment',
  },
  {
    name: 'dot segment: encoded slash nested five levels deep',
    registered: AREA,
    presented: 'https://app.example/area/..%2525252525252f..%2525252525252fadmin',
    expect: 'dot-segment',
  },
  {
    name: 'backslash: %5c nested six levels deep',
    registered: AREA,
    presented: 'https://app.example/area/..%25252525255cadmin',
    expect: 'backslash',
  },
  {
    name: 'a path parameter on a normal segment is fine',
    registered: AREA,
    presented: 'https://app.example/area/x;v=1/y',
    expect: 'match',
  },
  {
    name: 'dot segment: in an exact registration',
    registered: EXACT,
    presented: 'https://app.example/x/../cb',
    expect: 'dot-segment',
  },
  { name: 'backslash: raw', registered: AREA, presented: 'https://app.example/area\\..\\admin', expect: 'backslash' },
  {
    name: 'backslash: raw, before the path',
    registered: AREA,
    presented: 'https://app.example\\@evil.example/area/x',
    expect: 'backslash',
  },
  { name: 'backslash: %5c', registered: AREA, presented: 'https://app.example/area/..%5cadmin', expect: 'backslash' },
  { name: 'backslash: %5C', registered: AREA, presented: 'https://app.example/area/x%5Cy', expect: 'backslash' },
  {
    name: 'dots in a segment name are fine',
    registered: AREA,
    presented: 'https://app.example/area/v1..2/a.b',
    expect: 'match',
  },
  {
    name: "dots in the query are the client's business",
    registered: AREA,
    presented: 'https://app.example/area/x?next=../y',
    expect: 'match',
  },
  // case
  {
    name: 'case: scheme and host are case-insensitive',
    registered: EXACT,
    presented: 'HTTPS://APP.Example/cb',
    expect: 'match',
  },
  {
    name: 'case: the path is case-sensitive',
    registered: EXACT,
    presented: 'https://app.example/CB',
    expect: 'not-registered',
  },
  {
    name: 'case: wildcard path is case-sensitive',
    registered: AREA,
    presented: 'https://app.example/AREA/x',
    expect: 'not-registered',
  },
  // port
  {
    name: 'port: default https port is the same origin',
    registered: EXACT,
    presented: 'https://app.example:443/cb',
    expect: 'match',
  },
  {
    name: 'port: default http port is the same origin',
    registered: ['http://localhost/cb'],
    presented: 'http://localhost:80/cb',
    expect: 'match',
  },
  { name: 'port: another port', registered: EXACT, presented: 'https://app.example:8443/cb', expect: 'not-registered' },
  {
    name: 'port: registered port required',
    registered: ['http://localhost:5173/cb'],
    presented: 'http://localhost/cb',
    expect: 'not-registered',
  },
  {
    name: 'scheme: http for a registered https',
    registered: EXACT,
    presented: 'http://app.example/cb',
    expect: 'not-registered',
  },
  // response parameters
  {
    name: 'response parameter: code',
    registered: AREA,
    presented: 'https://app.example/area/x?code=attacker',
    expect: 'response-parameter',
  },
  {
    name: 'response parameter: state',
    registered: AREA,
    presented: 'https://app.example/area/x?state=1',
    expect: 'response-parameter',
  },
  {
    name: 'response parameter: iss',
    registered: AREA,
    presented: 'https://app.example/area/x?a=1&iss=https://evil.example',
    expect: 'response-parameter',
  },
  {
    name: 'response parameter: error',
    registered: AREA,
    presented: 'https://app.example/area/x?error=access_denied',
    expect: 'response-parameter',
  },
  {
    name: 'response parameter: id_token',
    registered: AREA,
    presented: 'https://app.example/area/x?id_token=x',
    expect: 'response-parameter',
  },
  {
    name: 'response parameter: access_token',
    registered: AREA,
    presented: 'https://app.example/area/x?access_token=x',
    expect: 'response-parameter',
  },
  {
    name: 'response parameter: session_state',
    registered: AREA,
    presented: 'https://app.example/area/x?session_state=x',
    expect: 'response-parameter',
  },
  {
    name: 'response parameter: percent-encoded name',
    registered: AREA,
    presented: 'https://app.example/area/x?%63ode=x',
    expect: 'response-parameter',
  },
  {
    name: 'response parameter in a registered exact URI',
    registered: ['https://app.example/cb?code=1'],
    presented: 'https://app.example/cb?code=1',
    expect: 'response-parameter',
  },
  // invalid
  { name: 'invalid: not a URI', registered: EXACT, presented: 'not a uri', expect: 'invalid' },
  { name: 'invalid: empty', registered: EXACT, presented: '', expect: 'scheme' },
  { name: 'invalid: relative', registered: EXACT, presented: '/cb', expect: 'scheme' },
  { name: 'invalid: javascript:', registered: EXACT, presented: 'javascript:alert(1)', expect: 'scheme' },
  { name: 'invalid: https: without //', registered: EXACT, presented: 'https:app.example/cb', expect: 'scheme' },
  { name: 'invalid: https:/ one slash', registered: EXACT, presented: 'https:/app.example/cb', expect: 'scheme' },
  {
    name: 'invalid: a tab the URL parser would drop',
    registered: EXACT,
    presented: 'https://app.example/c\tb',
    expect: 'invalid',
  },
  { name: 'invalid: a newline', registered: EXACT, presented: 'https://app.example/cb\n', expect: 'invalid' },
  { name: 'invalid: leading space', registered: EXACT, presented: ' https://app.example/cb', expect: 'invalid' },
  { name: 'invalid: bad host', registered: AREA, presented: 'https://app.example%/area/x', expect: 'invalid' },
  { name: 'invalid: no host', registered: EXACT, presented: 'https:///cb', expect: 'invalid' },
  { name: 'fragment', registered: AREA, presented: 'https://app.example/area/x#frag', expect: 'fragment' },
  { name: 'fragment: empty', registered: EXACT, presented: 'https://app.example/cb#', expect: 'fragment' },
];

describe('redirect URI matcher', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const result = matchRedirectUri(row.presented, row.registered);
      if (row.expect === 'match') assert.deepEqual(result, { ok: true, uri: row.presented });
      else {
        assert.equal(result.ok, false, `${row.presented} must be refused`);
        assert.equal(result.ok ? null : result.problem, row.expect);
      }
    });
  }
});

describe('post-logout redirect URI matching', () => {
  const registered: PostLogoutRedirectUris = {
    explicit: ['https://app.example/after', 'https://app.example/bye?from=sso'],
    redirectUris: [],
  };
  const plus: PostLogoutRedirectUris = {
    explicit: ['https://app.example/after'],
    redirectUris: ['https://app.example/cb', 'https://app.example/area/*'],
  };
  const wildcard: PostLogoutRedirectUris = {
    explicit: ['http://localhost*', 'https://app.example/bye'],
    redirectUris: [],
  };
  const cases: [string, PostLogoutRedirectUris, string, boolean][] = [
    ['explicit entry, exact', registered, 'https://app.example/after', true],
    ['explicit entry keeps its query', registered, 'https://app.example/bye?from=sso', true],
    [
      'explicit entries are exact strings: default port spelled out',
      registered,
      'https://app.example:443/after',
      false,
    ],
    ['explicit entries are exact strings: upper-case host', registered, 'https://APP.example/after', false],
    ['explicit entries: no prefix', registered, 'https://app.example/after/x', false],
    ['explicit entries: no added query', registered, 'https://app.example/after?x=1', false],
    ['"+": a redirect URI', plus, 'https://app.example/cb', true],
    ['"+": below a wildcard redirect URI', plus, 'https://app.example/area/done', true],
    ['"+": the wildcard attack forms stay refused', plus, 'https://app.example/area/%2e%2e/admin', false],
    ['"+": userinfo', plus, 'https://x@app.example/cb', false],
    ['state already in the URI', plus, 'https://app.example/area/x?state=1', false],
    ['javascript:', registered, 'javascript:alert(1)', false],
    ['Keycloak wildcard post-logout entry: any path on the host', wildcard, 'http://localhost:3000/bye', true],
    ['attack: wildcard post-logout entry and a longer host', wildcard, 'http://localhost.evil.example/', false],
    ['attack: wildcard post-logout entry and user information', wildcard, 'http://localhost@evil.example/', false],
    ['exact entries beside a wildcard one stay exact', wildcard, 'https://app.example/bye/x', false],
  ];
  for (const [name, reg, presented, ok] of cases) {
    test(name, () => assert.equal(matchPostLogoutRedirectUri(presented, reg).ok, ok));
  }
});

describe('registering a redirect URI', () => {
  const cases: [string, string | null][] = [
    ['https://app.example/cb', null],
    ['https://app.example/cb?tenant=1', null],
    ['https://app.example/*', null],
    ['https://app.example/area/*', null],
    ['http://localhost:5173/*', null],
    ['http://host:4202*', null],
    ['https://app.example/area*', null],
    ['http://localhost*', null],
    ['http://localhost:*', null],
    ['*', null],
    ['myapp:/cb', null],
    ['com.example.app:/oauth2redirect', null],
    ['dev.localhost.ionic:*', null],
    ['https://app.*', null],
    ['https://app.example/area/*x', 'at the end'],
    ['https://app.example/*/cb', 'at the end'],
    ['https://*.example/cb', 'at the end'],
    ['https://app.example/cb?next=/*', 'after its query'],
    ['https://app.example:*', null],
    ['data:text/html,x', '"data:" scheme'],
    ['myapp://u@host/cb', 'user information'],
    ['https://u@app.example/cb', 'user information'],
    ['https://app.example/a/../cb', 'dot segment'],
    ['https://app.example/a\\cb', 'backslash'],
    ['https://app.example/cb?state=x', 'response parameter state'],
    ['https://app.example/cb#x', 'fragment'],
    ['javascript:alert(1)', '"javascript:" scheme'],
  ];
  for (const [uri, problem] of cases) {
    test(`${uri} → ${problem ?? 'accepted'}`, () => {
      const found = registeredRedirectUriProblem(uri);
      if (problem === null) assert.equal(found, null);
      else assert.ok(found?.includes(problem), `${uri}: ${found}`);
    });
  }
});

describe('registering a post-logout redirect URI', () => {
  const cases: [string, string | null][] = [
    ['https://app.example/after', null],
    ['http://localhost:3001/', null],
    ['javascript:alert(1)', '"javascript:" scheme'],
    ['data:text/html,hi', '"data:" scheme'],
    ['/after', 'absolute http or https'],
    ['https://app.example/after#x', 'fragment'],
    ['https://app.example/*', null],
    ['https://u@app.example/after', 'user information'],
    ['https://app.example/after?state=x', 'response parameter state'],
  ];
  for (const [uri, problem] of cases) {
    test(`${uri} → ${problem ?? 'accepted'}`, () => {
      const found = checkRegisteredPostLogoutUri(uri).problem;
      if (problem === null) assert.equal(found, null);
      else assert.ok(found?.includes(problem), `${uri}: ${found}`);
    });
  }
});

describe('registrations wider than they look are accepted with a warning for the import report', () => {
  const cases: [string, string | null][] = [
    ['*', 'any http or https URI of any site'],
    ['http://localhost*', 'any port and any path on localhost'],
    ['http://localhost:*', 'any port and any path on localhost'],
    ['https://app.example/*', 'any path on app.example'],
    ['https://app.example:8443/*', 'any path on app.example:8443'],
    ['https://app.example/area*', 'segment boundary'],
    ['https://app.*', 'inside the host name'],
    ['https://app.example/area/*', null],
    ['https://app.example/cb', null],
    ['myapp:/cb', null],
  ];
  for (const [uri, warning] of cases) {
    test(`${uri} → ${warning ?? 'no warning'}`, () => {
      const check = checkRegisteredRedirectUri(uri);
      assert.equal(check.problem, null);
      if (warning === null) assert.equal(check.warning, null);
      else assert.ok(check.warning?.includes(warning), `${uri}: ${check.warning}`);
    });
  }
});

describe("relative URIs and Keycloak's ${authBaseUrl} resolve against this server at run time", () => {
  const base = 'https://sso.example/auth';
  test('built-in account client: ${authBaseUrl} rootUrl', () => {
    const [uri] = resolveRegisteredUris(['/realms/demo/account/*'], '${authBaseUrl}', base);
    assert.equal(uri, 'https://sso.example/auth/realms/demo/account/*');
    assert.equal(matchRedirectUri('https://sso.example/auth/realms/demo/account/x', [uri!]).ok, true);
  });
  test('security-admin-console: ${authAdminUrl} rootUrl', () => {
    assert.deepEqual(resolveRegisteredUris(['/admin/demo/console/*'], '${authAdminUrl}', base), [
      'https://sso.example/auth/admin/demo/console/*',
    ]);
  });
  test('no rootUrl: the server origin (Keycloak relativeToAbsoluteURI)', () => {
    assert.deepEqual(resolveRegisteredUris(['/cb'], null, base), ['https://sso.example/cb']);
  });
  test('a rootUrl with a trailing slash', () => {
    assert.deepEqual(resolveRegisteredUris(['/cb'], 'https://app.example/', base), ['https://app.example/cb']);
  });
});
