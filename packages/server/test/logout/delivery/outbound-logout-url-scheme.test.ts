// Issue 21 finding 5: one scheme rule for every URL Sundown posts logout messages to, server to
// server — the OIDC back-channel URL, Keycloak's admin URL (k_logout) and the SAML SOAP single
// logout URL (standards §4): https; http on a loopback host; elsewhere http only for confidential
// clients of a realm that opts in (`backchannelLogoutAllowHttp`). Before the fix
// `saml_single_logout_service_url_soap: "http://10.20.30.40/soap"` was accepted while the same
// URL as a back-channel URL was refused. Realm import and the admin API both refuse, naming the
// JSON path.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../../src/admin/bootstrap.ts';
import { outboundUrlSchemeProblem } from '../../../src/logout/outbound-url-scheme.ts';
import { parseRealmJson, RealmImportError } from '../../../src/realm-import/realm-json.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { form } from '../../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../../helpers/provider.ts';
import { samlClientJson } from '../../helpers/saml-clients.ts';

const SOAP = 'saml_single_logout_service_url_soap';
const PLAIN = 'http://10.20.30.40/soap';
const OPT_IN = { backchannelLogoutAllowHttp: 'true' };
const REFUSAL =
  /"http:\/\/10\.20\.30\.40\/soap" uses http; use https, or set the realm attribute backchannelLogoutAllowHttp: "true" to allow http for confidential clients/;

/** One client per channel, each with `url` as its outbound logout URL, and the JSON path of that field. */
const CHANNELS: ReadonlyArray<[name: string, client: (url: string) => Record<string, unknown>, path: string]> = [
  [
    'OIDC back-channel',
    (url) => ({ clientId: 'bcl', secret: 's', attributes: { 'backchannel.logout.url': url } }),
    '$.clients[0].attributes["backchannel.logout.url"]',
  ],
  [
    'Keycloak admin URL (k_logout)',
    (url) => ({ clientId: 'adapter', secret: 's', adminUrl: url }),
    '$.clients[0].adminUrl',
  ],
  [
    'SAML SOAP single logout',
    (url) => samlClientJson({ attributes: { ...(samlClientJson().attributes as object), [SOAP]: url } }),
    `$.clients[0].attributes["${SOAP}"]`,
  ],
];

function refusal(json: unknown): RealmImportError {
  try {
    parseRealmJson(json);
  } catch (err) {
    if (err instanceof RealmImportError) return err;
    throw err;
  }
  assert.fail('accepted');
}

describe('one scheme rule for every outbound logout URL', () => {
  test('outbound-logout-url-saml-soap-plain-http-refused: http to a non-loopback host is refused at import, naming the JSON path', () => {
    const err = refusal({ realm: 'x', clients: [CHANNELS[2]![1](PLAIN)] });
    assert.equal(err.path, `$.clients[0].attributes["${SOAP}"]`);
    assert.match(err.message, REFUSAL);
  });

  test('outbound-logout-url-same-rule-every-channel: refused without the opt-in, accepted with it, on loopback and over https', () => {
    for (const [name, client, path] of CHANNELS) {
      const err = refusal({ realm: 'x', clients: [client(PLAIN)] });
      assert.equal(err.path, path, name);
      assert.match(err.message, REFUSAL, name);
      assert.doesNotThrow(() => parseRealmJson({ realm: 'x', attributes: OPT_IN, clients: [client(PLAIN)] }), name);
      for (const ok of [
        'https://10.20.30.40/soap',
        'http://127.0.0.1:4001/soap',
        'http://localhost:4001/soap',
        'http://[::1]:4001/soap',
        'HTTPS://sp.example/soap',
      ])
        assert.doesNotThrow(() => parseRealmJson({ realm: 'x', clients: [client(ok)] }), `${name}: ${ok}`);
    }
  });

  test('outbound-logout-url-public-client: a public client gets no http off loopback even with the opt-in', () => {
    for (const [name, client, path] of CHANNELS.slice(0, 2)) {
      const err = refusal({ realm: 'x', attributes: OPT_IN, clients: [{ ...client(PLAIN), publicClient: true }] });
      assert.equal(err.path, path, name);
      assert.match(err.message, /uses http; a public client's .* must use https \(or a loopback host\)/, name);
    }
  });

  test('outbound-logout-url-one-function: the rule itself, for each channel name', () => {
    const url = new URL(PLAIN);
    for (const what of ['back-channel logout URL', 'admin URL', 'SOAP single logout URL']) {
      assert.match(outboundUrlSchemeProblem(PLAIN, url, what, { publicClient: false }, false)!, REFUSAL);
      assert.equal(outboundUrlSchemeProblem(PLAIN, url, what, { publicClient: false }, true), null);
      assert.match(
        outboundUrlSchemeProblem(PLAIN, url, what, { publicClient: true }, true)!,
        new RegExp(`a public client's ${what} must use https`),
      );
    }
    assert.match(
      outboundUrlSchemeProblem(
        'ftp://x.example/',
        new URL('ftp://x.example/'),
        'admin URL',
        { publicClient: false },
        true,
      )!,
      /must use http or https/,
    );
  });
});

describe('the admin API applies the same rule to SAML SOAP URLs', () => {
  let t: TestProvider;
  let token: string;
  before(async () => {
    t = await startTestProvider(TEST_DATABASES[0]!);
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
    t.fetch(`${ISSUER_BASE}/admin/realms${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const answer = async (res: Response) =>
    (await res.json()) as { error: string; error_description: string; errorMessage: string };

  test('outbound-logout-url-admin-api-refuses: creating or updating a SAML client with an http SOAP URL off loopback is a 400 naming the field', async () => {
    const withSoap = (url: string) =>
      samlClientJson({ attributes: { ...(samlClientJson().attributes as object), [SOAP]: url } });
    const created = await call('POST', '/test/clients', withSoap(PLAIN));
    assert.equal(created.status, 400);
    const body = await answer(created);
    assert.equal(body.error, 'invalid_request');
    assert.match(body.errorMessage, new RegExp(`^\\$\\.attributes\\["${SOAP}"\\]: `));
    assert.match(body.errorMessage, REFUSAL);

    const ok = await call('POST', '/test/clients', withSoap('https://sp.example/soap'));
    assert.equal(ok.status, 201);
    const id = ok.headers.get('location')!.split('/').at(-1)!;
    const updated = await call('PUT', `/test/clients/${id}`, withSoap(PLAIN));
    assert.equal(updated.status, 400);
    assert.match((await answer(updated)).errorMessage, REFUSAL);
  });

  test('outbound-logout-url-realm-opt-out: turning the opt-in off while a SAML client has an http SOAP URL is refused, naming the client', async () => {
    const created = await call('POST', '', {
      realm: 'soap',
      attributes: OPT_IN,
      clients: [samlClientJson({ attributes: { ...(samlClientJson().attributes as object), [SOAP]: PLAIN } })],
    });
    assert.equal(created.status, 201);
    const optOut = await call('PUT', '/soap', { attributes: {} });
    assert.equal(optOut.status, 400);
    assert.match(
      (await answer(optOut)).errorMessage,
      new RegExp(`^client urn:test:sp-one: \\$\\.attributes\\["${SOAP}"\\]: .*uses http`),
    );
  });
});
