// SP-initiated SAML sign-in with @node-saml/node-saml 5 as the SP, through a running server
// (issue 16, saml.md §3, §6): AuthnRequests by Redirect and POST, signed and unsigned as the
// client demands, the login form, the signed Response validated by node-saml's
// validatePostResponseAsync, the participant recorded in the SSO session, silent sign-in with the
// SSO cookie (also after an OIDC sign-in: one session), ForceAuthn and IsPassive — on every store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importRealm } from '../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../src/realm-import/realm-json.ts';
import type { RunningServer } from '../../src/server.ts';
import { Browser, signIn } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { authUrl, pkce } from '../helpers/oauth.ts';
import { TEST_REALM_JSON } from '../helpers/provider.ts';
import { samlClientJson } from '../helpers/saml-clients.ts';
import { idpCertificate, parseAcsForm, sendAuthnRequest, signInAt, spFor } from '../helpers/saml-browser.ts';
import { SP_ENTITY_ID } from '../helpers/saml-fixtures.ts';
import { startRealServer } from '../helpers/server.ts';

const UNSIGNED_SP = 'urn:test:sp-unsigned';
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

for (const database of TEST_DATABASES) {
  describe(
    `node-saml SP-initiated sign-in through a running server on ${database.name}`,
    { skip: database.skip },
    () => {
      let server: RunningServer;
      let drop: () => Promise<void>;
      let realmUrl: string;
      let idpCert: string;
      before(async () => {
        const created = await database.create();
        drop = created.drop;
        server = await startRealServer(created.config);
        realmUrl = `${server.url}/realms/test`;
        const json = structuredClone(TEST_REALM_JSON) as { clients: unknown[] };
        // One SP that must sign (the Keycloak default), one that does not and gets only a signed
        // document with email NameIDs forced.
        json.clients.push(
          samlClientJson(),
          samlClientJson({
            clientId: UNSIGNED_SP,
            attributes: {
              'saml.client.signature': 'false',
              'saml.server.signature': 'true',
              'saml.assertion.signature': 'false',
              saml_name_id_format: 'email',
              saml_force_name_id_format: 'true',
            },
          }),
        );
        await importRealm(server.store.db, parseRealmJson(json));
        idpCert = await idpCertificate(realmUrl);
      });
      after(async () => {
        await server?.close();
        await drop?.();
      });

      const participant = async (clientId: string) => {
        const realm = (await server.provider.ctx.realms.realmByName('test'))!;
        const client = (await server.provider.ctx.realms.clientByClientId(realm.id, clientId))!;
        return { realm, client };
      };

      test('saml-login-redirect-signed: login form, then a Response node-saml validates; participant and LOGIN recorded', async () => {
        const spSaml = spFor(realmUrl, idpCert);
        const browser = new Browser((i, init) => fetch(i, init));
        const page = await sendAuthnRequest(browser, spSaml, 'redirect', 'relay-1');
        assert.equal(page.status, 200);
        const done = await signInAt(browser, page, realmUrl, 'alice', 'alice-pw');
        assert.equal(done.status, 200);
        assert.match(done.headers.get('content-security-policy')!, /form-action http:\/\/127\.0\.0\.1:4001;/);
        const form = parseAcsForm(await done.text())!;
        assert.equal(form.action, 'http://127.0.0.1:4001/saml/acs');
        assert.equal(form.RelayState, 'relay-1');
        const { profile } = await spSaml.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse });
        assert.equal(profile?.nameID, 'alice');
        assert.equal(profile?.nameIDFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified');
        assert.equal(profile?.issuer, realmUrl);
        assert.match(profile!.sessionIndex!, /^s_[A-Za-z0-9_-]{43}$/);

        const { realm, client } = await participant(SP_ENTITY_ID);
        const rows = await server.provider.ctx.clientSessions.findBySamlSessionIndex(realm.id, client.id, [
          profile!.sessionIndex!,
        ]);
        assert.equal(rows.length, 1);
        assert.equal(rows[0]!.saml_name_id, 'alice');
        const login = (
          await server.provider.ctx.events.list(realm.id, { type: 'LOGIN', clientId: SP_ENTITY_ID, max: 1 })
        )[0]!;
        assert.equal(login.session_id, rows[0]!.sso_session_id);
      });

      test('saml-login-post-signed-silent-with-sso-cookie: a second SP request by POST in the same browser needs no form', async () => {
        const browser = new Browser((i, init) => fetch(i, init));
        const first = spFor(realmUrl, idpCert);
        const done = await signInAt(
          browser,
          await sendAuthnRequest(browser, first, 'redirect'),
          realmUrl,
          'alice',
          'alice-pw',
        );
        const one = await first.validatePostResponseAsync({
          SAMLResponse: parseAcsForm(await done.text())!.SAMLResponse,
        });

        // Bindings §3.5.4 as written (no DEFLATE); the unsigned test below sends node-saml's default, deflated.
        const postSp = spFor(realmUrl, idpCert, { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true });
        const again = await sendAuthnRequest(browser, postSp, 'post', 'rs-2');
        assert.equal(again.status, 200);
        const form = parseAcsForm(await again.text());
        assert.ok(form, 'answered without the login form');
        assert.equal(form.RelayState, 'rs-2');
        const two = await postSp.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse });
        assert.equal(two.profile?.nameID, 'alice');
        assert.notEqual(two.profile?.sessionIndex, one.profile?.sessionIndex, 'a fresh SessionIndex per Response');
        const { realm, client } = await participant(SP_ENTITY_ID);
        const [a] = await server.provider.ctx.clientSessions.findBySamlSessionIndex(realm.id, client.id, [
          two.profile!.sessionIndex!,
        ]);
        assert.ok(a, 'the SSO session now names the latest SessionIndex');
      });

      test('saml-login-unsigned-client-post-and-redirect: unsigned requests accepted when not required; NameID forced to email; document-only signature', async () => {
        for (const binding of ['redirect', 'post'] as const) {
          const spSaml = spFor(realmUrl, idpCert, {
            issuer: UNSIGNED_SP,
            privateKey: undefined,
            wantAssertionsSigned: false,
            authnRequestBinding: binding === 'post' ? 'HTTP-POST' : 'HTTP-Redirect',
          });
          const browser = new Browser((i, init) => fetch(i, init));
          const page = await sendAuthnRequest(browser, spSaml, binding);
          assert.equal(page.status, 200, binding);
          const done = await signInAt(browser, page, realmUrl, 'alice', 'alice-pw');
          const { profile } = await spSaml.validatePostResponseAsync({
            SAMLResponse: parseAcsForm(await done.text())!.SAMLResponse,
          });
          assert.equal(profile?.nameIDFormat, EMAIL, binding);
          assert.equal(profile?.nameID, 'alice@example.com', binding);
        }
      });

      test('saml-login-one-sso-session-with-oidc: after an OIDC sign-in the SAML SP is answered silently in the same session', async () => {
        const browser = new Browser((i, init) => fetch(i, init));
        const { challenge } = pkce();
        const cb = await signIn(
          browser,
          authUrl(
            {
              client_id: 'web',
              redirect_uri: 'https://web.example/callback',
              response_type: 'code',
              scope: 'openid',
              code_challenge: challenge,
              code_challenge_method: 'S256',
            },
            `${realmUrl}/protocol/openid-connect`,
          ),
          'bob',
          'bob-pw',
        );
        const sid = cb.searchParams.get('session_state')!;
        const spSaml = spFor(realmUrl, idpCert);
        const res = await sendAuthnRequest(browser, spSaml, 'redirect');
        const { profile } = await spSaml.validatePostResponseAsync({
          SAMLResponse: parseAcsForm(await res.text())!.SAMLResponse,
        });
        assert.equal(profile?.nameID, 'bob');
        const { realm, client } = await participant(SP_ENTITY_ID);
        const [row] = await server.provider.ctx.clientSessions.findBySamlSessionIndex(realm.id, client.id, [
          profile!.sessionIndex!,
        ]);
        assert.equal(row!.sso_session_id, sid, 'the OIDC session is the SAML session');
      });

      test('saml-login-force-authn: ForceAuthn shows the form despite the SSO cookie, and the session stays the same', async () => {
        const browser = new Browser((i, init) => fetch(i, init));
        const spSaml = spFor(realmUrl, idpCert);
        const first = await signInAt(
          browser,
          await sendAuthnRequest(browser, spSaml, 'redirect'),
          realmUrl,
          'alice',
          'alice-pw',
        );
        const one = await spSaml.validatePostResponseAsync({
          SAMLResponse: parseAcsForm(await first.text())!.SAMLResponse,
        });
        const forced = spFor(realmUrl, idpCert, { forceAuthn: true });
        const page = await sendAuthnRequest(browser, forced, 'redirect');
        assert.equal(parseAcsForm(await page.clone().text()), null, 'no Response without signing in again');
        const done = await signInAt(browser, page, realmUrl, 'alice', 'alice-pw');
        const two = await forced.validatePostResponseAsync({
          SAMLResponse: parseAcsForm(await done.text())!.SAMLResponse,
        });
        const { realm, client } = await participant(SP_ENTITY_ID);
        const [a] = await server.provider.ctx.clientSessions.findBySamlSessionIndex(realm.id, client.id, [
          two.profile!.sessionIndex!,
        ]);
        const login = await server.provider.ctx.events.list(realm.id, {
          type: 'LOGIN',
          clientId: SP_ENTITY_ID,
          max: 2,
        });
        assert.equal(login[0]!.session_id, a!.sso_session_id);
        assert.equal(login[1]!.session_id, a!.sso_session_id, 're-authenticated in the same session');
        assert.ok(one.profile);
      });

      test('saml-login-is-passive: without a session the signed NoPassive Response; with one a silent Response', async () => {
        const passive = spFor(realmUrl, idpCert, { passive: true });
        const fresh = new Browser((i, init) => fetch(i, init));
        const res = await sendAuthnRequest(fresh, passive, 'redirect');
        const form = parseAcsForm(await res.text())!;
        const answer = await passive.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse });
        assert.equal(answer.profile, null, 'node-saml reads a signed Responder/NoPassive');
        assert.match(Buffer.from(form.SAMLResponse, 'base64').toString(), /status:NoPassive/);
        assert.equal(fresh.cookie('SUNDOWN_SESSION'), undefined);

        const browser = new Browser((i, init) => fetch(i, init));
        await signInAt(
          browser,
          await sendAuthnRequest(browser, spFor(realmUrl, idpCert), 'redirect'),
          realmUrl,
          'alice',
          'alice-pw',
        );
        const silent = await sendAuthnRequest(browser, passive, 'redirect');
        const ok = await passive.validatePostResponseAsync({
          SAMLResponse: parseAcsForm(await silent.text())!.SAMLResponse,
        });
        assert.equal(ok.profile?.nameID, 'alice');
      });
    },
  );
}
