// Issue 21 finding 7: RelayState is capped (Bindings §3.4.3, §3.5.3 say 80 bytes; Sundown takes
// up to 1 KiB for compatibility). A longer one is refused at decoding, by POST and by Redirect,
// with the 400 page every malformed message gets, and nothing is stored with the pending sign-in
// (before the fix a 400 kB RelayState was kept in auth_request and sent back after the sign-in).
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import { decodePostForm } from '../../src/saml/post-binding.ts';
import { decodeRedirectQuery } from '../../src/saml/redirect-binding.ts';
import { SamlError } from '../../src/saml/saml-errors.ts';
import { Browser } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { ISSUER, REALM, startTestProvider, TEST_REALM_JSON, type TestProvider } from '../helpers/provider.ts';
import { samlClientJson } from '../helpers/saml-clients.ts';
import { idpCertificate, parseAcsForm, sendAuthnRequest, signInAt, spFor } from '../helpers/saml-browser.ts';

const XML = '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0"/>';

const tooLong = (err: unknown) =>
  err instanceof SamlError && err.code === 'too_large' && /RelayState/.test(err.description);

test('saml-relay-state-cap-decoding: up to 1024 UTF-8 bytes pass, one byte more is too_large, in both bindings', () => {
  const posted = (relay: string) =>
    decodePostForm({ SAMLResponse: Buffer.from(XML).toString('base64'), RelayState: relay });
  const redirected = (relay: string) =>
    decodeRedirectQuery(
      `SAMLResponse=${encodeURIComponent(deflateBase64(XML))}&RelayState=${encodeURIComponent(relay)}`,
    );
  for (const decode of [posted, redirected]) {
    assert.equal(decode('a'.repeat(1024)).relayState, 'a'.repeat(1024));
    assert.equal(decode('é'.repeat(512)).relayState, 'é'.repeat(512), '512 two-byte characters are 1024 bytes');
    assert.throws(() => decode('a'.repeat(1025)), tooLong);
    assert.throws(() => decode('é'.repeat(513)), tooLong, 'counted in bytes, not characters');
  }
});

function deflateBase64(xml: string): string {
  return deflateRawSync(Buffer.from(xml)).toString('base64');
}

for (const database of TEST_DATABASES) {
  describe(`RelayState cap at the SAML endpoint on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let idpCert: string;
    before(async () => {
      t = await startTestProvider(database);
      const json = structuredClone(TEST_REALM_JSON) as { clients: unknown[] };
      json.clients.push(samlClientJson());
      await importRealm(t.store.db, parseRealmJson(json));
      idpCert = await idpCertificate(ISSUER, (u) => t.fetch(u));
    });
    after(async () => {
      await t?.close();
    });

    const browser = () => new Browser((i, init) => t.fetch(i as string, init));
    const pendingForms = async () =>
      Number(
        (
          await t.store.db
            .selectFrom('auth_request')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const lastError = async () => {
      const realm = (await t.provider.ctx.realms.realmByName(REALM))!;
      return (await t.provider.ctx.events.list(realm.id, { type: 'LOGIN_ERROR', max: 1 }))[0]!;
    };

    test('saml-relay-state-too-long: a 400 kB RelayState by POST and a 2 KiB one by Redirect are a 400 page, and no sign-in form is stored', async () => {
      const stored = await pendingForms();
      for (const [binding, size] of [
        ['post', 400 * 1024],
        ['redirect', 2048],
      ] as const) {
        const b = browser();
        const sp = spFor(ISSUER, idpCert, binding === 'post' ? { authnRequestBinding: 'HTTP-POST' } : {});
        const res = await sendAuthnRequest(b, sp, binding, 'r'.repeat(size));
        assert.equal(res.status, 400, binding);
        const html = await res.text();
        assert.match(html, /RelayState is longer than 1024 bytes/);
        assert.doesNotMatch(html, /rrrr/, 'the RelayState is not echoed');
        assert.equal(b.cookie('SUNDOWN_LOGIN'), undefined, 'no pending sign-in was stored');
        assert.equal(await pendingForms(), stored, 'no row in auth_request');
        const event = await lastError();
        assert.equal(event.error, 'invalid_request');
        assert.equal(JSON.parse(event.details as unknown as string).code, 'too_large');
      }
    });

    test('saml-relay-state-1-kib-accepted: a 1024-byte RelayState comes back unchanged at the ACS after the sign-in', async () => {
      const relay = `${'x'.repeat(1000)}&<"é>${'y'.repeat(1024 - 1000 - 6)}`;
      assert.equal(Buffer.byteLength(relay), 1024);
      const b = browser();
      const sp = spFor(ISSUER, idpCert, { authnRequestBinding: 'HTTP-POST' });
      const done = await signInAt(b, await sendAuthnRequest(b, sp, 'post', relay), ISSUER, 'alice', 'alice-pw');
      const form = parseAcsForm(await done.text());
      assert.ok(form, 'the ACS form');
      assert.equal(form.RelayState, relay);
    });
  });
}
