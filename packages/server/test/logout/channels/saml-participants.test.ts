// The SAML participant of an SSO session (issue 16): its client_session row for the SAML client
// carries the NameID, Format and SessionIndex; a second login replaces them; a SessionIndex is
// found only for the client it was issued to; live rows carry the SAML columns to the logout
// side; and ending the session sends no OIDC (k_logout) delivery to a SAML client — on every store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importRealm } from '../../../src/realm-import/import-realm.ts';
import { parseRealmJson } from '../../../src/realm-import/realm-json.ts';
import { newSessionIndex } from '../../../src/saml/saml-ids.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { REALM, startTestProvider, TEST_REALM_JSON } from '../../helpers/provider.ts';
import { samlClientJson } from '../../helpers/saml-clients.ts';

const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

for (const database of TEST_DATABASES) {
  test(
    `SAML participants on ${database.name}: recorded, replaced, found by SessionIndex per client, ended without OIDC deliveries`,
    { skip: database.skip },
    async () => {
      const t = await startTestProvider(database, { background: false });
      try {
        const json = structuredClone(TEST_REALM_JSON) as { clients: unknown[] };
        json.clients.push(
          samlClientJson({ adminUrl: 'http://127.0.0.1:4001/saml' }),
          samlClientJson({ clientId: 'urn:test:sp-two' }),
        );
        await importRealm(t.store.db, parseRealmJson(json));
        const { ctx } = t.provider;
        const realm = (await ctx.realms.realmByName(REALM))!;
        const spOne = (await ctx.realms.clientByClientId(realm.id, 'urn:test:sp-one'))!;
        const spTwo = (await ctx.realms.clientByClientId(realm.id, 'urn:test:sp-two'))!;
        const alice = (await ctx.realms.userByUsername(realm.id, 'alice'))!;
        const { session } = await ctx.sessions.create(realm, alice.id, null);

        const base = {
          ssoSessionId: session.id,
          realmId: realm.id,
          userId: alice.id,
          nameId: 'alice',
          nameIdFormat: UNSPECIFIED,
        };
        const first = newSessionIndex();
        const id = await ctx.clientSessions.recordSamlParticipant(
          { ...base, clientId: spOne.id, sessionIndex: first },
          Date.now(),
        );
        const second = newSessionIndex();
        assert.equal(
          await ctx.clientSessions.recordSamlParticipant(
            { ...base, clientId: spOne.id, sessionIndex: second },
            Date.now(),
          ),
          id,
          'one row per session × client',
        );
        const twoIndex = newSessionIndex();
        await ctx.clientSessions.recordSamlParticipant(
          { ...base, clientId: spTwo.id, sessionIndex: twoIndex },
          Date.now(),
        );

        assert.deepEqual(
          await ctx.clientSessions.findBySamlSessionIndex(realm.id, spOne.id, [first]),
          [],
          'the replaced SessionIndex no longer names the session',
        );
        const found = await ctx.clientSessions.findBySamlSessionIndex(realm.id, spOne.id, [second]);
        assert.deepEqual(
          found.map((r) => [r.id, r.sso_session_id, r.saml_name_id, r.saml_name_id_format, r.saml_session_index]),
          [[id, session.id, 'alice', UNSPECIFIED, second]],
        );
        assert.deepEqual(
          await ctx.clientSessions.findBySamlSessionIndex(realm.id, spOne.id, [twoIndex]),
          [],
          "another SP's SessionIndex does not count",
        );

        const live = await ctx.clientSessions.liveOnlineWithClients([session.id]);
        const one = live.find((r) => r.cs_id === id)!;
        assert.equal(one.protocol, 'saml');
        assert.deepEqual(
          [one.cs_saml_name_id, one.cs_saml_name_id_format, one.cs_saml_session_index],
          ['alice', UNSPECIFIED, second],
        );

        const result = await ctx.logout.logoutUser(realm, alice.id);
        assert.deepEqual(result.ended, [session.id]);
        assert.deepEqual(result.deliveryIds, [], 'a SAML client with an adminUrl gets no k_logout');
        const ended = await ctx.clientSessions.findBySamlSessionIndex(realm.id, spOne.id, [second]);
        assert.notEqual(ended[0]!.ended_at, null);
      } finally {
        await t.close();
      }
    },
  );
}
