// Keycloak SAML clients in realm import and the admin API (issue 16): `protocol: "saml"` is
// stored and read back, problems carry their JSON paths, OIDC-only rules are not applied to
// SAML clients, and a SAML client cannot be used as an OIDC client — on every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { clientFromRow } from '../../src/realm/model.ts';
import { parseRealmJson, RealmImportError } from '../../src/realm-import/realm-json.ts';
import { samlSettingsOf } from '../../src/saml/saml-client.ts';
import { certificateToText } from '../../src/saml/certificate-text.ts';
import { openStore } from '../../src/store/database.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, form, pkce } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, startTestProvider, type TestProvider } from '../helpers/provider.ts';
import { samlClientJson } from '../helpers/saml-clients.ts';
import { sp } from '../helpers/saml-fixtures.ts';

const SP_CERT = certificateToText(sp.certificate);

function rejects(json: unknown, path: string, message: RegExp): void {
  assert.throws(
    () => parseRealmJson(json),
    (err: unknown) => err instanceof RealmImportError && err.path === path && message.test(err.message),
  );
}

describe('SAML clients in realm JSON', () => {
  test('a Keycloak SAML client imports with protocol "saml", no secret, and the export-only fields accepted', () => {
    const { realm, ignored } = parseRealmJson({ realm: 'x', clients: [samlClientJson()] });
    const c = realm.clients[0]!;
    assert.equal(c.protocol, 'saml');
    assert.equal(c.secret, null);
    assert.equal(c.frontchannelLogout, true);
    assert.deepEqual(c.redirectUris, ['http://127.0.0.1:4001/saml/acs']);
    assert.deepEqual(ignored, []);
  });

  test('a SAML client requiring signatures without a certificate is refused with the attribute path', () => {
    const attributes = { 'saml.client.signature': 'true' };
    rejects(
      { realm: 'x', clients: [samlClientJson({ attributes })] },
      '$.clients[0].attributes["saml.signing.certificate"]',
      /required while "saml.client.signature"/,
    );
  });

  test('SAML problems name their JSON path: ACS wildcard, bad NameID format, encryption', () => {
    rejects(
      { realm: 'x', clients: [samlClientJson({ redirectUris: ['*'] })] },
      '$.clients[0].redirectUris[0]',
      /any ACS URL/,
    );
    const bad = samlClientJson();
    (bad.attributes as Record<string, string>).saml_name_id_format = 'phone';
    rejects({ realm: 'x', clients: [bad] }, '$.clients[0].attributes["saml_name_id_format"]', /must be one of/);
    const enc = samlClientJson();
    (enc.attributes as Record<string, string>)['saml.encrypt'] = 'true';
    rejects({ realm: 'x', clients: [enc] }, '$.clients[0].attributes["saml.encrypt"]', /not supported/);
  });

  test('OIDC-only rules are not applied to a SAML client: an http adminUrl elsewhere than loopback is its endpoint fallback', () => {
    const { realm } = parseRealmJson({ realm: 'x', clients: [samlClientJson({ adminUrl: 'http://sp.example/saml' })] });
    assert.equal(realm.clients[0]!.adminUrl, 'http://sp.example/saml');
    // …while the same adminUrl on an OIDC client needs the realm's opt-in.
    assert.throws(
      () =>
        parseRealmJson({ realm: 'x', clients: [{ clientId: 'o', secret: 's', adminUrl: 'http://sp.example/saml' }] }),
      RealmImportError,
    );
  });
});

for (const database of TEST_DATABASES) {
  test(
    `SAML client import on ${database.name}: protocol stored, samlSettingsOf reads it, re-import changes nothing`,
    { skip: database.skip },
    async () => {
      const created = await database.create();
      const store = await openStore(created.config);
      try {
        const json = {
          realm: 'x',
          clients: [samlClientJson(), { clientId: 'oidc-app', redirectUris: ['https://app.example/cb'] }],
        };
        await importRealm(store.db, parseRealmJson(json));
        const rows = await store.db.selectFrom('client').selectAll().orderBy('client_id').execute();
        assert.deepEqual(
          rows.map((r) => [r.client_id, r.protocol, r.secret === null]),
          [
            ['oidc-app', 'openid-connect', false],
            ['urn:test:sp-one', 'saml', true],
          ],
        );
        const settings = samlSettingsOf(clientFromRow(rows[1]!));
        assert.equal(settings.entityId, 'urn:test:sp-one');
        assert.equal(settings.requireClientSignature, true);
        assert.equal(settings.sloUrl.redirect, 'http://127.0.0.1:4001/saml/slo');
        assert.equal(settings.certificate?.fingerprint256, sp.certificate.fingerprint256);
        await importRealm(store.db, parseRealmJson(json));
        assert.deepEqual(await store.db.selectFrom('client').selectAll().orderBy('client_id').execute(), rows);
      } finally {
        await store.close();
        await created.drop();
      }
    },
  );
}

describe('SAML clients in the admin API and the OIDC endpoints', () => {
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
  const call = (method: string, path: string, body?: unknown) =>
    t.fetch(`${ISSUER_BASE}/admin/realms${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  test('admin API: a SAML client is created and read back with protocol "saml"; an update is validated with JSON paths', async () => {
    const created = await call('POST', '/test/clients', samlClientJson());
    assert.equal(created.status, 201);
    const id = created.headers.get('location')!.split('/').at(-1)!;
    const rep = (await (await call('GET', `/test/clients/${id}`)).json()) as {
      protocol: string;
      clientId: string;
      attributes: Record<string, string>;
    };
    assert.equal(rep.protocol, 'saml');
    assert.equal(rep.clientId, 'urn:test:sp-one');
    assert.equal(rep.attributes['saml.signing.certificate'], SP_CERT);
    const bad = await call('PUT', `/test/clients/${id}`, {
      attributes: { ...rep.attributes, 'saml.signing.certificate': 'not a certificate' },
    });
    assert.equal(bad.status, 400);
    assert.match(
      ((await bad.json()) as { error_description: string }).error_description,
      /\$\.attributes\["saml\.signing\.certificate"\].*X\.509/,
    );
    assert.equal((await call('PUT', `/test/clients/${id}`, { frontchannelLogout: false })).status, 204);
    assert.equal(
      ((await (await call('GET', `/test/clients/${id}`)).json()) as { frontchannelLogout: boolean }).frontchannelLogout,
      false,
    );
  });

  test('a SAML client is not an OIDC client: authorize shows "Client not found", the token endpoint says invalid_client', async () => {
    const { challenge } = pkce();
    const auth = await t.fetch(
      authUrl({
        client_id: 'urn:test:sp-one',
        redirect_uri: 'http://127.0.0.1:4001/saml/acs',
        response_type: 'code',
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    assert.equal(auth.status, 400);
    assert.match(await auth.text(), /Client not found/);
    const token = await t.fetch(
      `${OIDC}/token`,
      form({ grant_type: 'client_credentials', client_id: 'urn:test:sp-one', client_secret: 'x' }),
    );
    assert.equal(token.status, 401);
    assert.equal(((await token.json()) as { error: string }).error, 'invalid_client');
  });
});
