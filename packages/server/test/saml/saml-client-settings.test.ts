// Keycloak SAML client representations (saml.md §2): defaults for new clients, every attribute
// read, problems reported with JSON paths like realm/realm-json.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSamlClient } from '../../src/saml/saml-client-settings.ts';
import { sp } from '../helpers/saml-fixtures.ts';

const cert = sp.certificate.raw.toString('base64');

test("a minimal SAML client gets Keycloak's new-client defaults", () => {
  const r = parseSamlClient(
    {
      protocol: 'saml',
      clientId: 'urn:sp',
      redirectUris: ['https://sp.example/acs'],
      attributes: { 'saml.signing.certificate': cert },
    },
    '$.clients[0]',
  );
  assert.ok(r.ok, JSON.stringify(r));
  const s = r.settings;
  assert.equal(s.entityId, 'urn:sp');
  assert.deepEqual(s.redirectUris, ['https://sp.example/acs']);
  assert.equal(s.signDocument, true);
  assert.equal(s.signAssertion, false);
  assert.equal(s.requireClientSignature, true);
  assert.equal(s.forcePostBinding, true);
  assert.equal(s.includeAuthnStatement, true);
  assert.equal(s.frontchannelLogout, true);
  assert.equal(s.signatureAlgorithm, 'RSA_SHA256');
  assert.equal(s.nameIdFormat, 'username');
  assert.equal(s.certificate?.fingerprint256, sp.certificate.fingerprint256);
});

test("a Keycloak export's SAML client is read attribute by attribute", () => {
  const r = parseSamlClient(
    {
      protocol: 'saml',
      clientId: 'https://sp.example/metadata',
      rootUrl: 'https://sp.example',
      adminUrl: 'https://sp.example/admin',
      redirectUris: ['/saml/*'],
      frontchannelLogout: false,
      attributes: {
        saml_assertion_consumer_url_post: 'https://sp.example/saml/acs',
        saml_single_logout_service_url_redirect: 'https://sp.example/saml/slo',
        saml_single_logout_service_url_soap: 'https://sp.example/saml/soap',
        'saml.server.signature': 'true',
        'saml.assertion.signature': 'true',
        'saml.client.signature': 'false',
        'saml.signature.algorithm': 'RSA_SHA512',
        saml_signature_canonicalization_method: 'http://www.w3.org/2001/10/xml-exc-c14n#',
        saml_name_id_format: 'email',
        saml_force_name_id_format: 'true',
        'saml.force.post.binding': 'false',
        'saml.authnstatement': 'true',
        'saml.encrypt': 'false',
        'saml.assertion.lifespan': '120',
        'saml.onetimeuse.condition': 'true',
        'saml.signing.certificate': `-----BEGIN CERTIFICATE-----\n${cert}\n-----END CERTIFICATE-----`,
        saml_idp_initiated_sso_url_name: 'sp',
        'saml.future.thing': 'x',
      },
    },
    '$.clients[3]',
  );
  assert.ok(r.ok, JSON.stringify(r));
  const s = r.settings;
  assert.deepEqual(s.redirectUris, ['https://sp.example/saml/*']);
  assert.equal(s.adminUrl, 'https://sp.example/admin');
  assert.deepEqual(s.acsUrl, { post: 'https://sp.example/saml/acs', redirect: null });
  assert.deepEqual(s.sloUrl, {
    post: null,
    redirect: 'https://sp.example/saml/slo',
    soap: 'https://sp.example/saml/soap',
  });
  assert.equal(s.frontchannelLogout, false);
  assert.equal(s.requireClientSignature, false);
  assert.equal(s.signAssertion, true);
  assert.equal(s.signatureAlgorithm, 'RSA_SHA512');
  assert.equal(s.nameIdFormat, 'email');
  assert.equal(s.forceNameIdFormat, true);
  assert.equal(s.forcePostBinding, false);
  assert.equal(s.assertionLifespan, 120);
  assert.equal(s.oneTimeUse, true);
  assert.ok(s.certificate);
  assert.deepEqual(r.ignoredAttributes, [
    '$.clients[3].attributes["saml_idp_initiated_sso_url_name"]',
    '$.clients[3].attributes["saml.future.thing"]',
  ]);
});

test('every problem of a SAML client is reported with its JSON path', () => {
  const r = parseSamlClient(
    {
      protocol: 'saml',
      clientId: '',
      redirectUris: ['*', 'javascript:alert(1)'],
      frontchannelLogout: 'yes',
      attributes: {
        'saml.signing.certificate': 'not-a-cert',
        'saml.signature.algorithm': 'DSA_SHA1',
        saml_signature_canonicalization_method: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
        saml_name_id_format: 'x509',
        'saml.encrypt': 'true',
        'saml.server.signature': 'yes',
        saml_single_logout_service_url_soap: 'https://sp.example/slo#frag',
        'saml.assertion.lifespan': '-1',
      },
    },
    '$.clients[2]',
  );
  assert.equal(r.ok, false);
  const paths = r.ok ? [] : r.problems.map((p) => p.path);
  assert.deepEqual(paths.sort(), [
    '$.clients[2].attributes["saml.assertion.lifespan"]',
    '$.clients[2].attributes["saml.encrypt"]',
    '$.clients[2].attributes["saml.server.signature"]',
    '$.clients[2].attributes["saml.signature.algorithm"]',
    '$.clients[2].attributes["saml.signing.certificate"]',
    '$.clients[2].attributes["saml_name_id_format"]',
    '$.clients[2].attributes["saml_signature_canonicalization_method"]',
    '$.clients[2].attributes["saml_single_logout_service_url_soap"]',
    '$.clients[2].clientId',
    '$.clients[2].frontchannelLogout',
    '$.clients[2].redirectUris[0]',
    '$.clients[2].redirectUris[1]',
  ]);
});

test('client signatures required (the default) without a certificate is a problem, not a silent accept', () => {
  const r = parseSamlClient({ protocol: 'saml', clientId: 'urn:sp' }, '$.clients[0]');
  assert.equal(r.ok, false);
  assert.match(
    r.ok ? '' : `${r.problems[0]!.path}: ${r.problems[0]!.message}`,
    /^\$\.clients\[0\]\.attributes\["saml\.signing\.certificate"\]: is required while "saml\.client\.signature"/,
  );
  assert.ok(
    parseSamlClient(
      { protocol: 'saml', clientId: 'urn:sp', attributes: { 'saml.client.signature': 'false' } },
      '$.clients[0]',
    ).ok,
  );
});
