// Keycloak realm JSON import: validation with field paths, unknown-field warnings,
// idempotence, argon2id hashing — on every store.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson, RealmImportError } from '../../src/realm-import/realm-json.ts';
import { openStore } from '../../src/store/database.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { TEST_REALM_JSON } from '../helpers/provider.ts';

const base = () =>
  structuredClone(TEST_REALM_JSON) as Record<string, unknown> & {
    clients: Record<string, unknown>[];
    users: Record<string, unknown>[];
  };

function rejects(json: unknown, path: string, message: RegExp): void {
  assert.throws(
    () => parseRealmJson(json),
    (err: unknown) => err instanceof RealmImportError && err.path === path && message.test(err.message),
  );
}

describe('realm JSON validation', () => {
  test('a redirect URI with a fragment stops the import with its path', () => {
    const json = base();
    json.clients[1]!.redirectUris = ['https://ok.example/cb', 'https://other.example/cb#frag'];
    rejects(json, '$.clients[1].redirectUris[1]', /fragment/);
  });

  test('a duplicate clientId stops the import with its path', () => {
    const json = base();
    json.clients.push({ clientId: 'web' });
    rejects(json, `$.clients[${json.clients.length - 1}].clientId`, /duplicate clientId "web"/);
  });

  test('wrong types and values are named', () => {
    rejects({ realm: 'x', accessTokenLifespan: 'long' }, '$.accessTokenLifespan', /positive whole number/);
    rejects(
      { realm: 'x', clients: [{ clientId: 'a', publicClient: 'yes' }] },
      '$.clients[0].publicClient',
      /true or false/,
    );
    rejects(
      { realm: 'x', clients: [{ clientId: 'a', attributes: { 'backchannel.logout.url': 'not a url' } }] },
      '$.clients[0].attributes["backchannel.logout.url"]',
      /absolute URL/,
    );
    rejects(
      {
        realm: 'x',
        clients: [{ clientId: 'a', attributes: { 'backchannel.logout.url': 'https://a.example/l#x' } }],
      },
      '$.clients[0].attributes["backchannel.logout.url"]',
      /fragment/,
    );
    rejects(
      { realm: 'x', clients: [{ clientId: 'a', protocol: 'cas' }] },
      '$.clients[0].protocol',
      /"openid-connect" and "saml"/,
    );
    rejects({ realm: '', clients: [] }, '$.realm', /required/);
    rejects({ realm: 'bad name/../' }, '$.realm', /may contain only/);
    rejects([], '$', /object/);
  });

  test('relative redirect URIs resolve against rootUrl; wildcards are kept', () => {
    const { realm } = parseRealmJson({
      realm: 'x',
      clients: [{ clientId: 'a', rootUrl: 'https://app.example', redirectUris: ['/cb', '/area/*'] }],
    });
    assert.deepEqual(realm.clients[0]!.redirectUris, ['https://app.example/cb', 'https://app.example/area/*']);
  });

  test('a "*" after a query, or not at the end, stops the import with its path', () => {
    const json = base();
    json.clients[1]!.redirectUris = ['https://web.example/?next=/*'];
    rejects(json, '$.clients[1].redirectUris[0]', /after its query/);
    for (const uri of ['https://web.example/*/cb', 'https://*.web.example/cb', 'https://web.example/a/*x']) {
      json.clients[1]!.redirectUris = ['https://web.example/ok', uri];
      rejects(json, '$.clients[1].redirectUris[1]', /may only have a wildcard "\*" at the end/);
    }
    json.clients[1]!.redirectUris = ['https://web.example/*', 'https://web.example/area/*'];
    assert.deepEqual(parseRealmJson(json).realm.clients[1]!.redirectUris, [
      'https://web.example/*',
      'https://web.example/area/*',
    ]);
  });

  test('redirect URIs the matcher would refuse stop the import: user information, dot segments, backslashes, response parameters', () => {
    const json = base();
    const cases: [string, RegExp][] = [
      ['https://evil.example@web.example/*', /user information/],
      ['https://web.example/app/../admin/*', /dot segment/],
      ['https://web.example/app/%2e%2e/admin', /dot segment/],
      ['https://web.example/app\\admin', /backslash/],
      ['https://web.example/cb?code=1', /response parameter code/],
      ['javascript:alert(1)', /"javascript:" scheme/],
    ];
    for (const [uri, message] of cases) {
      json.clients[0]!.redirectUris = [uri];
      rejects(json, '$.clients[0].redirectUris[0]', message);
    }
  });

  test('post.logout.redirect.uris entries: no script schemes, fragments or response parameters; "+" stands for the redirect URIs', () => {
    const client = (value: string) => ({
      realm: 'x',
      clients: [
        { clientId: 'a', redirectUris: ['https://a.example/cb'], attributes: { 'post.logout.redirect.uris': value } },
      ],
    });
    const path = '$.clients[0].attributes["post.logout.redirect.uris"]';
    rejects(client('javascript:alert(1)'), path, /entry 0 "javascript:alert\(1\)" uses the "javascript:" scheme/);
    rejects(client('https://a.example/after##+##data:text/html,x'), path, /entry 2 "data:text\/html,x"/);
    rejects(client('https://a.example/after#x'), path, /fragment/);
    rejects(client('https://a.example/after?state=x'), path, /response parameter state/);
    const { realm } = parseRealmJson(client('https://a.example/after##+##http://localhost:3001/'));
    assert.equal(
      realm.clients[0]!.attributes['post.logout.redirect.uris'],
      'https://a.example/after##+##http://localhost:3001/',
    );
  });

  test('unknown fields are collected for one warning line, not errors', () => {
    const json = base();
    json.browserSecurityHeaders = {};
    json.clients[0]!.authorizationSettings = {};
    json.users[0]!.totp = false;
    const { ignored } = parseRealmJson(json);
    assert.deepEqual(ignored, ['$.browserSecurityHeaders', '$.clients[0].authorizationSettings', '$.users[0].totp']);
  });

  test('Keycloak defaults apply to missing lifespans and logout attributes are kept', () => {
    const { realm } = parseRealmJson({
      realm: 'x',
      clients: [
        {
          clientId: 'a',
          attributes: {
            'backchannel.logout.url': 'https://a.example/bcl',
            'post.logout.redirect.uris': 'https://a.example/##+',
          },
        },
      ],
    });
    assert.equal(realm.ssoSessionIdleTimeout, 1800);
    assert.equal(realm.ssoSessionMaxLifespan, 36000);
    assert.equal(realm.offlineSessionIdleTimeout, 2592000);
    assert.equal(realm.clients[0]!.attributes['post.logout.redirect.uris'], 'https://a.example/##+');
  });
});

for (const database of TEST_DATABASES) {
  test(
    `import on ${database.name}: idempotent, passwords hashed with argon2id`,
    {
      skip: database.skip,
    },
    async () => {
      const created = await database.create();
      const store = await openStore(created.config);
      try {
        await importRealm(store.db, parseRealmJson(TEST_REALM_JSON));
        const snapshot = async () => ({
          realms: await store.db.selectFrom('realm').selectAll().execute(),
          clients: await store.db.selectFrom('client').selectAll().orderBy('client_id').execute(),
          users: await store.db.selectFrom('app_user').selectAll().orderBy('username').execute(),
        });
        const first = await snapshot();
        await importRealm(store.db, parseRealmJson(TEST_REALM_JSON));
        assert.deepEqual(await snapshot(), first);
        const alice = first.users.find((u) => u.username === 'alice')!;
        assert.match(alice.password_hash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
        assert.ok(!JSON.stringify(first).includes('alice-pw'), 'no plain password stored');

        const changed = structuredClone(TEST_REALM_JSON) as {
          users: { username: string; credentials: { value: string }[] }[];
        };
        changed.users[0]!.credentials[0]!.value = 'new-pw';
        await importRealm(store.db, parseRealmJson(changed));
        const after = await store.db
          .selectFrom('app_user')
          .select('password_hash')
          .where('username', '=', 'alice')
          .executeTakeFirstOrThrow();
        assert.notEqual(after.password_hash, alice.password_hash, 'a changed password is re-hashed');
      } finally {
        await store.close();
        await created.drop();
      }
    },
  );
}

test('a front-channel URL on another origin than the redirect URIs stops the import', () => {
  rejects(
    {
      realm: 'x',
      clients: [
        {
          clientId: 'a',
          frontchannelLogout: true,
          redirectUris: ['https://app.example/cb'],
          attributes: { 'frontchannel.logout.url': 'https://evil.example/fcl' },
        },
      ],
    },
    '$.clients[0].attributes["frontchannel.logout.url"]',
    /same scheme, host and port/,
  );
  const { realm } = parseRealmJson({
    realm: 'x',
    clients: [
      {
        clientId: 'a',
        frontchannelLogout: true,
        redirectUris: ['https://app.example/*'],
        attributes: { 'frontchannel.logout.url': 'https://app.example/fcl' },
      },
    ],
  });
  assert.equal(realm.clients[0]!.attributes['frontchannel.logout.url'], 'https://app.example/fcl');
});

test('http back-channel URLs on loopback hosts import without the realm opt-in (standards §4)', () => {
  for (const url of [
    'http://localhost:5000/backchannel-logout',
    'http://127.0.0.1:5000/bcl',
    'http://127.8.9.10/bcl',
    'http://127.1:5000/bcl',
    'http://[::1]:5000/bcl',
    'http://LOCALHOST:5000/bcl',
  ]) {
    for (const publicClient of [false, true]) {
      const parsed = parseRealmJson({
        realm: 'x',
        clients: [{ clientId: 'a', secret: 's', publicClient, attributes: { 'backchannel.logout.url': url } }],
      });
      assert.equal(parsed.realm.clients[0]!.attributes['backchannel.logout.url'], url, url);
    }
  }
  // Hosts that only look local still need the opt-in, with the same message.
  for (const url of [
    'http://localhost.evil.example/bcl',
    'http://127.0.0.1.nip.io/bcl',
    'http://10.0.0.5/bcl',
    'http://[::ffff:127.0.0.1]/bcl',
    'http://0.0.0.0/bcl',
  ]) {
    rejects(
      { realm: 'x', clients: [{ clientId: 'a', secret: 's', attributes: { 'backchannel.logout.url': url } }] },
      '$.clients[0].attributes["backchannel.logout.url"]',
      /use https, or set the realm attribute backchannelLogoutAllowHttp/,
    );
  }
});

test('regression: an upper-case HTTP:// back-channel URL needs the realm opt-in like http:// (it slipped past the check)', () => {
  for (const url of ['HTTP://a.example/bcl', 'Http://a.example/bcl']) {
    rejects(
      { realm: 'x', clients: [{ clientId: 'a', secret: 's', attributes: { 'backchannel.logout.url': url } }] },
      '$.clients[0].attributes["backchannel.logout.url"]',
      /use https, or set the realm attribute backchannelLogoutAllowHttp/,
    );
  }
});

test('http back-channel URLs need the realm opt-in and a confidential client (standards §4)', () => {
  const client = { clientId: 'a', secret: 's', attributes: { 'backchannel.logout.url': 'http://a.example/bcl' } };
  rejects(
    { realm: 'x', clients: [client] },
    '$.clients[0].attributes["backchannel.logout.url"]',
    /use https, or set the realm attribute backchannelLogoutAllowHttp/,
  );
  rejects(
    { realm: 'x', attributes: { backchannelLogoutAllowHttp: 'true' }, clients: [{ ...client, publicClient: true }] },
    '$.clients[0].attributes["backchannel.logout.url"]',
    /public client/,
  );
  assert.equal(
    parseRealmJson({ realm: 'x', attributes: { backchannelLogoutAllowHttp: 'true' }, clients: [client] }).realm.clients
      .length,
    1,
  );
  assert.equal(
    parseRealmJson({
      realm: 'x',
      clients: [{ ...client, attributes: { 'backchannel.logout.url': 'https://a.example/bcl?tenant=1' } }],
    }).realm.clients.length,
    1,
  );
});
