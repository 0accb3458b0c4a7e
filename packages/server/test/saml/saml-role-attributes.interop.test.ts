// SAML assertions carry Keycloak's AttributeStatement (issue 23): the role_list client scope's
// "role list" mapper sends the user's roles — one Attribute "Role" per role, as Keycloak's
// default `single` "false" does — or, with `single` "true", one Attribute with every role, which
// node-saml reads as a list; a client's own SAML mappers (user property, hardcoded attribute)
// join them. And RSA-SHA1: accepted from a client whose saml.signature.algorithm is RSA_SHA1
// (stock pysaml2), refused from every other.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import type { RunningServer } from '../../src/server.ts';
import { Browser } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { TEST_REALM_JSON } from '../helpers/provider.ts';
import { samlClientJson } from '../helpers/saml-clients.ts';
import { idpCertificate, parseAcsForm, sendAuthnRequest, signInAt, spFor } from '../helpers/saml-browser.ts';
import { startRealServer } from '../helpers/server.ts';

const SINGLE_SP = 'urn:test:sp-single';
const SHA1_SP = 'urn:test:sp-sha1';

for (const database of TEST_DATABASES) {
  describe(`SAML role attributes on ${database.name}`, { skip: database.skip }, () => {
    let server: RunningServer;
    let drop: () => Promise<void>;
    let realmUrl: string;
    let idpCert: string;
    let warnings: string[];
    before(async () => {
      const created = await database.create();
      drop = created.drop;
      server = await startRealServer(created.config);
      realmUrl = `${server.url}/realms/test`;
      const json = structuredClone(TEST_REALM_JSON) as {
        clients: unknown[];
        users: Array<Record<string, unknown>>;
      };
      json.users[0]!.realmRoles = ['admin', 'user'];
      json.users[0]!.clientRoles = { web: ['reader'] };
      json.clients.push(
        samlClientJson(),
        samlClientJson({
          clientId: SINGLE_SP,
          defaultClientScopes: [],
          protocolMappers: [
            {
              name: 'role list',
              protocol: 'saml',
              protocolMapper: 'saml-role-list-mapper',
              config: { single: 'true', 'attribute.name': 'Role', 'attribute.nameformat': 'Basic' },
            },
            {
              name: 'email',
              protocol: 'saml',
              protocolMapper: 'saml-user-property-mapper',
              config: {
                'user.attribute': 'email',
                'attribute.name': 'urn:oid:0.9.2342.19200300.100.1.3',
                'attribute.nameformat': 'URI Reference',
                'friendly.name': 'mail',
              },
            },
            {
              name: 'tenant',
              protocol: 'saml',
              protocolMapper: 'saml-hardcode-attribute-mapper',
              config: { 'attribute.value': 'acme', 'attribute.name': 'tenant' },
            },
          ],
        }),
        samlClientJson({
          clientId: SHA1_SP,
          attributes: {
            ...(samlClientJson().attributes as Record<string, string>),
            'saml.signature.algorithm': 'RSA_SHA1',
          },
        }),
      );
      warnings = (await importRealm(server.store.db, parseRealmJson(json))).warnings;
      idpCert = await idpCertificate(realmUrl);
    });
    after(async () => {
      await server?.close();
      await drop?.();
    });

    const signIn = async (issuer?: string, sha1 = false) => {
      const spSaml = spFor(realmUrl, idpCert, {
        ...(issuer ? { issuer } : {}),
        ...(sha1 ? { signatureAlgorithm: 'sha1', digestAlgorithm: 'sha1' } : {}),
      });
      const browser = new Browser((i, init) => fetch(i, init));
      const page = await sendAuthnRequest(browser, spSaml, 'redirect', 'r');
      if (page.status !== 200) return { spSaml, status: page.status, form: null };
      const done = await signInAt(browser, page, realmUrl, 'alice', 'alice-pw');
      return { spSaml, status: done.status, form: parseAcsForm(await done.text()) };
    };

    test("role_list's default: one Role attribute per role, realm and client roles by name", async () => {
      const { spSaml, form } = await signIn();
      const xml = Buffer.from(form!.SAMLResponse, 'base64').toString('utf8');
      const roles = [
        ...xml.matchAll(
          /<saml:Attribute Name="Role" NameFormat="urn:oasis:names:tc:SAML:2\.0:attrname-format:basic">(.*?)<\/saml:Attribute>/g,
        ),
      ].map((m) => /xsi:type="xs:string">([^<]*)</.exec(m[1]!)![1]);
      assert.deepEqual(roles, ['admin', 'reader', 'user']);
      const { profile } = await spSaml.validatePostResponseAsync({ SAMLResponse: form!.SAMLResponse });
      // node-saml keeps one value of same-named attributes (hence Keycloak's "Single Role Attribute" switch).
      assert.equal(profile?.Role, 'admin');
    });

    test('single "true": node-saml reads every role; user property and hardcoded attributes', async () => {
      const { spSaml, form } = await signIn(SINGLE_SP);
      const { profile } = await spSaml.validatePostResponseAsync({ SAMLResponse: form!.SAMLResponse });
      assert.deepEqual(profile?.Role, ['admin', 'reader', 'user']);
      assert.equal(profile?.mail, 'alice@example.com');
      assert.equal(profile?.tenant, 'acme');
    });

    test('RSA-SHA1 is accepted only from a client that names RSA_SHA1, and the import warns about it', async () => {
      assert.ok(
        warnings.some((w) => w.includes(SHA1_SP) && w.includes('RSA_SHA1')),
        warnings.join('\n'),
      );
      const sha1 = await signIn(SHA1_SP, true);
      assert.equal(sha1.status, 200);
      const xml = Buffer.from(sha1.form!.SAMLResponse, 'base64').toString('utf8');
      assert.match(xml, /SignatureMethod Algorithm="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#rsa-sha1"/);
      const { profile } = await sha1.spSaml.validatePostResponseAsync({ SAMLResponse: sha1.form!.SAMLResponse });
      assert.equal(profile?.nameID, 'alice');
      // The same SHA-1 signature from the default client (RSA_SHA256) is refused.
      const refused = await signIn(undefined, true);
      assert.notEqual(refused.status, 200);
      assert.equal(refused.form, null);
    });
  });
}
