// The IdP descriptor at /protocol/saml/descriptor (issue 16, saml.md §1): served by the running
// provider with a certificate for the realm's RS256 key — the JWKS key — that is the same in
// every process over the store and after a restart, and lists a rotated key too — on every store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { certificateFromText } from '../../src/saml/certificate-text.ts';
import { createProvider } from '../../src/provider.ts';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { openStore } from '../../src/store/database.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { ISSUER, ISSUER_BASE, OIDC, REALM, TEST_REALM_JSON } from '../helpers/provider.ts';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

function keysOf(xml: string): Array<{ kid: string; cert: string }> {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  return Array.from(doc.getElementsByTagNameNS(MD, 'KeyDescriptor')).map((kd) => ({
    kid: kd.getElementsByTagNameNS(DS, 'KeyName')[0]!.textContent!,
    cert: kd.getElementsByTagNameNS(DS, 'X509Certificate')[0]!.textContent!,
  }));
}

for (const database of TEST_DATABASES) {
  test(
    `saml-descriptor-certificate-is-the-jwks-key-and-stable-across-processes on ${database.name}`,
    { skip: database.skip },
    async () => {
      const created = await database.create();
      const store = await openStore(created.config);
      await importRealm(store.db, parseRealmJson(TEST_REALM_JSON));
      const one = await createProvider(store, { publicUrl: ISSUER_BASE, background: false });
      const two = await createProvider(store, { publicUrl: ISSUER_BASE, background: false });
      const get = async (p: typeof one, path: string) => p.fetch(new Request(`${ISSUER}${path}`));
      try {
        const res = await get(one, '/protocol/saml/descriptor');
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type')!, /^application\/samlmetadata\+xml/);
        const xml = await res.text();
        const doc = new DOMParser().parseFromString(xml, 'text/xml');
        assert.equal(doc.documentElement!.getAttribute('entityID'), ISSUER);
        assert.equal(
          doc.getElementsByTagNameNS(MD, 'SingleSignOnService')[0]!.getAttribute('Location'),
          `${ISSUER}/protocol/saml`,
        );

        const jwks = (await (await one.fetch(new Request(`${OIDC}/certs`))).json()) as {
          keys: Array<{ kid: string; n?: string; alg: string }>;
        };
        const rs256 = jwks.keys.filter((k) => k.alg === 'RS256');
        const [key] = keysOf(xml);
        assert.equal(key!.kid, rs256[0]!.kid, 'KeyName is the JWKS kid');
        const cert = certificateFromText(key!.cert)!;
        assert.equal(
          cert.publicKey.export({ format: 'jwk' }).n,
          rs256[0]!.n,
          'the certificate carries the JWKS RS256 key',
        );
        assert.equal(cert.subject, `CN=${REALM}`);
        assert.ok(cert.verify(cert.publicKey), 'self-signed');

        // Another process over the same store, and the first one again: the same bytes.
        assert.equal(await (await get(two, '/protocol/saml/descriptor')).text(), xml);
        await one.close();
        const restarted = await createProvider(store, { publicUrl: ISSUER_BASE, background: false });
        assert.equal(await (await get(restarted, '/protocol/saml/descriptor')).text(), xml);

        // After a rotation the new key leads and the old one stays listed (as in the JWKS).
        const realm = (await restarted.ctx.realms.realmByName(REALM))!;
        const newKid = await restarted.ctx.keys.rotate(realm.id, 'RS256');
        const rotated = keysOf(await (await get(restarted, '/protocol/saml/descriptor')).text());
        assert.deepEqual(
          rotated.map((k) => k.kid),
          [newKid, key!.kid],
        );
        assert.equal(rotated[1]!.cert, key!.cert);
        assert.equal((await restarted.ctx.samlKeys.signingKey(realm)).kid, newKid);
        await restarted.close();
      } finally {
        await two.close();
        await store.close();
        await created.drop();
      }
    },
  );
}
