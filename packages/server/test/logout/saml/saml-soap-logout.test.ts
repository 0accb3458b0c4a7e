// SAML back-channel logout by SOAP through the durable outbox (issue 16; saml.md §4, §8.9), with the
// SOAP SP harness validating every LogoutRequest with node-saml against our descriptor's certificate:
// every logout trigger reaches the SP, an outage is retried until the SP is back, answers are judged,
// the admin API shows each delivery, the doctor probes the SOAP URL, and a front-channel SP without a
// SOAP URL is visibly recorded as not told when no browser is there.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../../src/admin/bootstrap.ts';
import { checkClientBackchannel } from '../../../src/logout/diagnostics/doctor.ts';
import { NO_SAML_CHANNEL } from '../../../src/logout/channels/saml-planner.ts';
import { certificateToText } from '../../../src/saml/certificate-text.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { startLogoutProvider } from '../../helpers/logout-realm.ts';
import { logoutUrl } from '../../helpers/logout-flow.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { ISSUER, ISSUER_BASE, OIDC, type TestProvider } from '../../helpers/provider.ts';
import { Receiver } from '../../helpers/receiver.ts';
import { keyPair, sp } from '../../helpers/saml-fixtures.ts';
import { descriptorCertificate, joinSession, samlClient } from '../../helpers/saml-logout-realm.ts';
import { SoapSp } from '../../helpers/soap-sp.ts';
import { selfSignedCert } from '../../helpers/certs.ts';

const FAST = {
  retry: { baseDelayMs: 50, maxDelayMs: 300, maxAgeMs: 60_000 },
  http: { connectTimeoutMs: 1000, responseTimeoutMs: 1000 },
  waitMs: 2000,
};
const SOAP_SP = 'urn:test:soap-sp';
const FRONT_ONLY = 'urn:test:front-only';
const FRONT_SOAP = 'urn:test:front-soap';
const TLS_SP = 'urn:test:tls-soap';
const TLS_CA_SP = 'urn:test:tls-soap-with-ca';
const tlsCert = selfSignedCert('IP:127.0.0.1');
const front = keyPair('front-sp');

type Row = { status: string; attempts: number; last_error: string | null; kind: string; sso_session_id: string };

async function deliveries(t: TestProvider, clientId: string): Promise<Row[]> {
  return t.store.db
    .selectFrom('logout_delivery')
    .innerJoin('client', 'client.id', 'logout_delivery.client_id')
    .select([
      'logout_delivery.status',
      'logout_delivery.attempts',
      'logout_delivery.last_error',
      'logout_delivery.kind',
      'logout_delivery.sso_session_id',
    ])
    .where('client.client_id', '=', clientId)
    .orderBy('logout_delivery.created_at')
    .execute() as Promise<Row[]>;
}

async function until(cond: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const database of TEST_DATABASES) {
  describe(`SAML SOAP logout on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let r1: Receiver;
    let r2: Receiver;
    let soap: SoapSp;
    let frontSoap: SoapSp;
    let tlsSoap: SoapSp;
    let tlsCaSoap: SoapSp;
    const realmOf = async () => (await t.provider.ctx.realms.realmByName('test'))!;

    async function session(): Promise<{ idToken: string; sid: string }> {
      const res = await t.fetch(
        `${OIDC}/token`,
        form(
          { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
          { authorization: basic('rp1', 'rp1-secret') },
        ),
      );
      assert.equal(res.status, 200);
      const idToken = ((await res.json()) as Record<string, string>).id_token!;
      return { idToken, sid: decodeJwt(idToken).payload.sid as string };
    }

    before(async () => {
      [r1, r2] = await Promise.all([Receiver.start(), Receiver.start()]);
      const spOptions = {
        idpCert: '',
        idpIssuer: ISSUER,
        privateKey: sp.privatePem,
        certificateBase64: certificateToText(sp.certificate),
      };
      soap = await SoapSp.start({ ...spOptions, entityId: SOAP_SP });
      frontSoap = await SoapSp.start({ ...spOptions, entityId: FRONT_SOAP });
      tlsSoap = await SoapSp.start({ ...spOptions, entityId: TLS_SP }, 0, tlsCert);
      tlsCaSoap = await SoapSp.start({ ...spOptions, entityId: TLS_CA_SP }, 0, tlsCert);
      t = await startLogoutProvider(
        database,
        {
          rp1: r1.url,
          rp2: r2.url,
          extraClients: [
            samlClient(SOAP_SP, { frontchannel: false, soap: soap.url, certificate: sp }),
            {
              ...samlClient(FRONT_ONLY, {
                frontchannel: true,
                redirect: 'http://127.0.0.1:9/saml/slo',
                certificate: front,
              }),
              adminUrl: 'http://127.0.0.1:9/saml-admin',
            },
            samlClient(FRONT_SOAP, {
              frontchannel: true,
              redirect: 'http://127.0.0.1:9/saml/slo',
              soap: frontSoap.url,
              certificate: sp,
            }),
            samlClient(TLS_SP, { frontchannel: false, soap: tlsSoap.url, certificate: sp }),
            (() => {
              const c = samlClient(TLS_CA_SP, { frontchannel: false, soap: tlsCaSoap.url, certificate: sp }) as {
                attributes: Record<string, string>;
              };
              c.attributes['sundown.backchannel.ca.file'] = tlsCert.cert;
              return c;
            })(),
          ],
        },
        { logout: FAST },
      );
      const cert = await descriptorCertificate((u) => t.fetch(u));
      for (const s of [soap, frontSoap, tlsSoap, tlsCaSoap]) s.trust(cert);
    });
    after(async () => {
      await t?.close();
      await Promise.all([
        r1?.close(),
        r2?.close(),
        soap?.close(),
        frontSoap?.close(),
        tlsSoap?.close(),
        tlsCaSoap?.close(),
      ]);
    });
    afterEach(() => {
      soap.answer = () => ({ kind: 'logout-response' });
    });

    test('OIDC RP-initiated logout reaches the SOAP SP: node-saml validates the signed LogoutRequest (NameID, SessionIndex), the delivery is delivered', async () => {
      const s = await session();
      const p = await joinSession(t, s.sid, SOAP_SP);
      const before = soap.accepted().length;
      const res = await t.fetch(logoutUrl({ id_token_hint: s.idToken }));
      assert.equal(res.status, 200);
      await soap.waitFor(before + 1);
      const got = soap.accepted().at(-1)!;
      assert.equal(got.nameId, 'alice');
      assert.equal(got.sessionIndex, p.sessionIndex);
      assert.equal(got.soapAction, '"http://www.oasis-open.org/committees/security"');
      await until(async () =>
        (await deliveries(t, SOAP_SP)).some((d) => d.sso_session_id === s.sid && d.status === 'delivered'),
      );
      const events = await t.provider.ctx.events.list((await realmOf()).id, { type: 'BACKCHANNEL_LOGOUT_DELIVERED' });
      assert.ok(
        events.some(
          (e) =>
            e.session_id === s.sid &&
            e.client_id === SOAP_SP &&
            (JSON.parse(e.details ?? '{}') as { kind?: string }).kind === 'saml_soap',
        ),
      );
      // The OIDC client of the same session got its logout token too.
      await r1.waitFor(1);
    });

    test('SOAP SP down for a while: retried (connection_refused) until it is back, then delivered; each attempt a fresh request', async () => {
      await soap.stop();
      const s = await session();
      await joinSession(t, s.sid, SOAP_SP);
      await t.fetch(logoutUrl({ id_token_hint: s.idToken }));
      await until(async () =>
        (await deliveries(t, SOAP_SP)).some(
          (d) =>
            d.sso_session_id === s.sid &&
            d.status === 'retrying' &&
            d.attempts >= 2 &&
            /connection_refused/.test(d.last_error ?? ''),
        ),
      );
      const before = soap.accepted().length;
      await soap.listen();
      await until(async () =>
        (await deliveries(t, SOAP_SP)).some((d) => d.sso_session_id === s.sid && d.status === 'delivered'),
      );
      assert.equal(soap.accepted().length, before + 1);
    });

    test('answers are judged: 503 and Responder are retried, then Success delivers; Requester is rejected with the status named', async () => {
      let n = 0;
      soap.answer = () =>
        ++n === 1
          ? { kind: 'http', status: 503 }
          : n === 2
            ? { kind: 'logout-response', status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }
            : { kind: 'logout-response' };
      let s = await session();
      await joinSession(t, s.sid, SOAP_SP);
      await t.fetch(logoutUrl({ id_token_hint: s.idToken }));
      await until(async () =>
        (await deliveries(t, SOAP_SP)).some(
          (d) => d.sso_session_id === s.sid && d.status === 'delivered' && d.attempts === 3,
        ),
      );
      const ids = soap.received.slice(-3).map((r) => r.id);
      assert.equal(new Set(ids).size, 3, 'a freshly built LogoutRequest (new ID) per attempt');

      soap.answer = () => ({ kind: 'logout-response', status: 'urn:oasis:names:tc:SAML:2.0:status:Requester' });
      s = await session();
      await joinSession(t, s.sid, SOAP_SP);
      await t.fetch(logoutUrl({ id_token_hint: s.idToken }));
      await until(async () =>
        (await deliveries(t, SOAP_SP)).some((d) => d.sso_session_id === s.sid && d.status === 'rejected'),
      );
      const d = (await deliveries(t, SOAP_SP)).find((x) => x.sso_session_id === s.sid)!;
      assert.equal(d.attempts, 1);
      assert.equal(d.last_error, 'saml: LogoutResponse status Requester');
    });

    test("TLS: a self-signed SOAP endpoint is retried with the named cause certificate_self_signed; with the client's CA attribute it is delivered", async () => {
      const s = await session();
      await joinSession(t, s.sid, TLS_SP);
      const withCa = await joinSession(t, s.sid, TLS_CA_SP);
      await t.fetch(logoutUrl({ id_token_hint: s.idToken }));
      await until(async () =>
        (await deliveries(t, TLS_SP)).some(
          (d) =>
            d.sso_session_id === s.sid &&
            d.status === 'retrying' &&
            /^certificate_self_signed: /.test(d.last_error ?? ''),
        ),
      );
      await until(async () =>
        (await deliveries(t, TLS_CA_SP)).some((d) => d.sso_session_id === s.sid && d.status === 'delivered'),
      );
      assert.equal(tlsCaSoap.accepted().at(-1)!.sessionIndex, withCa.sessionIndex);
      assert.equal(tlsSoap.received.length, 0, 'nothing was sent over the untrusted connection');
    });

    test('no browser (admin logout of the user): a front-channel SP with a SOAP URL is told by SOAP; one without is recorded skipped, saying why', async () => {
      const s = await session();
      await joinSession(t, s.sid, FRONT_ONLY);
      const fs = await joinSession(t, s.sid, FRONT_SOAP);
      const realm = await realmOf();
      const before = frontSoap.accepted().length;
      await t.provider.ctx.logout.logoutUser(realm, (await t.provider.ctx.sessions.findLive(realm, s.sid))!.userId);
      await frontSoap.waitFor(before + 1);
      assert.equal(frontSoap.accepted().at(-1)!.sessionIndex, fs.sessionIndex);
      const skipped = (await deliveries(t, FRONT_ONLY)).filter((d) => d.sso_session_id === s.sid);
      assert.equal(skipped.length, 1);
      assert.equal(skipped[0]!.status, 'skipped');
      assert.equal(skipped[0]!.last_error, NO_SAML_CHANNEL);
      assert.equal(skipped[0]!.attempts, 0);
    });

    test('the admin API lists saml_soap deliveries with kind, status and cause', async () => {
      assert.equal(await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' }), true);
      const tok = (await (
        await t.fetch(
          `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
          form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
        )
      ).json()) as { access_token: string };
      const res = await t.fetch(
        `${ISSUER_BASE}/admin/realms/test/sundown/deliveries?clientId=${encodeURIComponent(FRONT_ONLY)}`,
        {
          headers: { authorization: `Bearer ${tok.access_token}` },
        },
      );
      assert.equal(res.status, 200);
      const rows = (await res.json()) as Array<{ kind: string; status: string; lastError: string }>;
      assert.ok(rows.length > 0);
      assert.ok(rows.every((r) => r.kind === 'saml_soap' && r.status === 'skipped' && r.lastError === NO_SAML_CHANNEL));
      const soapRows = (await (
        await t.fetch(
          `${ISSUER_BASE}/admin/realms/test/sundown/deliveries?clientId=${encodeURIComponent(SOAP_SP)}&status=delivered`,
          {
            headers: { authorization: `Bearer ${tok.access_token}` },
          },
        )
      ).json()) as Array<{ kind: string }>;
      assert.ok(soapRows.length > 0 && soapRows.every((r) => r.kind === 'saml_soap'));
    });

    test('sundown doctor probes the SOAP SLO URL: a valid LogoutResponse passes; the SP down fails at connect', async () => {
      const realm = await realmOf();
      const client = (await t.provider.ctx.realms.clientByClientId(realm.id, SOAP_SP))!;
      soap.answer = () => ({ kind: 'logout-response', status: 'urn:oasis:names:tc:SAML:2.0:status:Requester' });
      const ok = (await checkClientBackchannel(t.provider.ctx, t.provider.http, realm, client))!;
      assert.equal(ok.kind, 'saml_soap');
      assert.equal(ok.url, soap.url);
      assert.equal(ok.ok, true, JSON.stringify(ok));
      assert.match(ok.logoutToken.detail, /valid LogoutResponse/);
      await soap.stop();
      try {
        const down = (await checkClientBackchannel(t.provider.ctx, t.provider.http, realm, client))!;
        assert.equal(down.ok, false);
        assert.equal(down.connect.ok, false);
      } finally {
        await soap.listen();
      }
      // A SAML client without a SOAP URL is not probed (its adminUrl is no k_logout receiver).
      const frontOnly = (await t.provider.ctx.realms.clientByClientId(realm.id, FRONT_ONLY))!;
      assert.equal(await checkClientBackchannel(t.provider.ctx, t.provider.http, realm, frontOnly), null);
    });
  });
}
