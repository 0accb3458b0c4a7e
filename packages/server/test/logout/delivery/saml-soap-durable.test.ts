// Durability of SAML SOAP logout (issue 16): the LogoutRequest is an outbox row written with the
// session's end, so a server SIGKILLed while the SOAP SP holds the request (mid-delivery) leaves it
// to the next process, which sends a fresh, signed one once the dead process's claim has run out.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { certificateToText } from '../../../src/saml/certificate-text.ts';
import { newSessionIndex } from '../../../src/saml/saml-ids.ts';
import { ClientSessionStore } from '../../../src/sessions/client-session-store.ts';
import { openStore } from '../../../src/store/database.ts';
import { logoutRealmJson } from '../../helpers/logout-realm.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { startServerProcess } from '../../helpers/process.ts';
import { Receiver } from '../../helpers/receiver.ts';
import { sp } from '../../helpers/saml-fixtures.ts';
import { descriptorCertificate, samlClient, UNSPECIFIED } from '../../helpers/saml-logout-realm.ts';
import { SoapSp } from '../../helpers/soap-sp.ts';

const SOAP_SP = 'urn:test:soap-durable';

test(
  'server SIGKILLed mid-delivery (the SOAP SP holds the request): the restarted server delivers a fresh LogoutRequest',
  { timeout: 90_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sundown-saml-kill-'));
    const rp = await Receiver.start();
    const soap = await SoapSp.start({
      entityId: SOAP_SP,
      idpCert: '',
      idpIssuer: 'https://sso.test/realms/test',
      privateKey: sp.privatePem,
      certificateBase64: certificateToText(sp.certificate),
    });
    const file = join(dir, 'realm.json');
    writeFileSync(
      file,
      JSON.stringify(
        logoutRealmJson({
          rp1: rp.url,
          rp2: rp.url,
          extraClients: [samlClient(SOAP_SP, { frontchannel: false, soap: soap.url, certificate: sp })],
        }),
      ),
    );
    const data = join(dir, 'data');
    const args = ['--data-dir', data, '--logout-wait-ms', '0', '--public-url', 'https://sso.test'];
    let server = await startServerProcess([...args, '--import-realm', file]);
    const store = await openStore({ kind: 'sqlite', dataDir: data });
    try {
      const base = `${server.url}/realms/test`;
      soap.trust(
        await descriptorCertificate(
          (u) => fetch(u.replace('https://sso.test', server.url)),
          'https://sso.test/realms/test',
        ),
      );
      const tok = (await (
        await fetch(
          `${base}/protocol/openid-connect/token`,
          form(
            { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
            { authorization: basic('rp1', 'rp1-secret') },
          ),
        )
      ).json()) as { id_token: string };
      const sid = decodeJwt(tok.id_token).payload.sid as string;
      const realm = await store.db
        .selectFrom('realm')
        .select('id')
        .where('name', '=', 'test')
        .executeTakeFirstOrThrow();
      const client = await store.db
        .selectFrom('client')
        .select('id')
        .where('client_id', '=', SOAP_SP)
        .executeTakeFirstOrThrow();
      const sessionIndex = newSessionIndex();
      await new ClientSessionStore(store.db).recordSamlParticipant(
        {
          ssoSessionId: sid,
          realmId: realm.id,
          clientId: client.id,
          userId: decodeJwt(tok.id_token).payload.sub as string,
          nameId: 'alice',
          nameIdFormat: UNSPECIFIED,
          sessionIndex,
        },
        Date.now(),
      );

      soap.answer = () => ({ kind: 'hang' });
      assert.equal(
        (await fetch(`${base}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tok.id_token })}`))
          .status,
        200,
      );
      await soap.waitFor(1, 10_000);
      await server.kill('SIGKILL');
      const row = async () =>
        store.db
          .selectFrom('logout_delivery')
          .select(['status', 'attempts', 'last_error'])
          .where('client_id', '=', client.id)
          .where('sso_session_id', '=', sid)
          .executeTakeFirstOrThrow();
      assert.equal((await row()).status, 'pending', 'in flight when the process died');

      soap.answer = () => ({ kind: 'logout-response' });
      server = await startServerProcess(args);
      // The dead process's claim lasts one attempt's timeouts plus a margin; then the row is due again.
      await soap.waitFor(2, 60_000);
      const deadline = Date.now() + 10_000;
      while ((await row()).status !== 'delivered' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const done = await row();
      assert.equal(done.status, 'delivered');
      assert.equal(done.attempts, 2);
      const [first, second] = soap.accepted();
      assert.notEqual(first!.id, second!.id, 'a freshly built request after the restart');
      assert.equal(second!.sessionIndex, sessionIndex);
    } finally {
      await store.close();
      await server.kill();
      await Promise.all([rp.close(), soap.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
