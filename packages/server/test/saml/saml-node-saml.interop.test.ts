// Round trips with @node-saml/node-saml 5.1 as the SP (saml.md §6): its AuthnRequest and
// LogoutRequest through our Redirect decoder and verifier, our Response through its
// validatePostResponseAsync (both signatures, audience, InResponseTo from its cache), our
// LogoutRequest and LogoutResponse through its validateRedirectAsync.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildLogoutRequest, buildLogoutResponse } from '../../src/saml/build-logout.ts';
import { buildLoginResponse } from '../../src/saml/build-response.ts';
import { authenticateMessage, decodeRedirectMessage } from '../../src/saml/inbound-message.ts';
import { checkDestination, checkFreshness } from '../../src/saml/message-checks.ts';
import { nameIdFor, resolveNameIdFormat } from '../../src/saml/name-id.ts';
import { readAuthnRequest } from '../../src/saml/read-authn-request.ts';
import { readLogoutRequest } from '../../src/saml/read-logout-request.ts';
import { readLogoutResponse } from '../../src/saml/read-logout-response.ts';
import { encodeRedirectUrl } from '../../src/saml/redirect-binding.ts';
import { newSessionIndex } from '../../src/saml/saml-ids.ts';
import {
  ACS_URL,
  attacker,
  ENDPOINT,
  nodeSamlSp,
  rawQuery,
  REALM_URL,
  realmKey,
  SP_ENTITY_ID,
  SP_SLO_URL,
  spRules,
} from '../helpers/saml-fixtures.ts';

const signing = { key: realmKey, algorithm: 'RSA_SHA256' as const, document: true, assertion: true };

function loginResponse(
  inResponseTo: string,
  acs: string,
  sessionIndex: string,
  overrides: Partial<Parameters<typeof buildLoginResponse>[0]> = {},
): string {
  const now = Date.now();
  return buildLoginResponse({
    issuer: REALM_URL,
    destination: acs,
    inResponseTo,
    audience: SP_ENTITY_ID,
    nameId: nameIdFor(resolveNameIdFormat({ nameIdFormat: 'username', forceNameIdFormat: false }, null), {
      username: 'alice',
      email: null,
      persistentId: 'p',
    }),
    sessionIndex,
    authnInstant: now,
    sessionNotOnOrAfter: now + 3600_000,
    now,
    assertionLifespan: 60,
    subjectLifespan: 60,
    includeAuthnStatement: true,
    oneTimeUse: false,
    signing,
    ...overrides,
  }).xml;
}

test('node-saml AuthnRequest by Redirect verifies and parses; our signed Response is accepted by validatePostResponseAsync', async () => {
  const spSaml = nodeSamlSp();
  const url = await spSaml.getAuthorizeUrlAsync('relay-1', undefined, {});
  const msg = decodeRedirectMessage(rawQuery(url));
  assert.equal(msg.kind, 'AuthnRequest');
  assert.equal(msg.unverifiedIssuer, SP_ENTITY_ID);
  const auth = authenticateMessage(msg, spRules);
  assert.equal(auth.signed, true);
  assert.equal(auth.relayState, 'relay-1');
  const req = readAuthnRequest(auth);
  checkDestination('AuthnRequest', req.destination, ENDPOINT, auth.signed);
  checkFreshness('AuthnRequest', req.issueInstant, null, Date.now());
  assert.equal(req.assertionConsumerServiceUrl, ACS_URL);
  assert.equal(req.issuer, SP_ENTITY_ID);
  assert.equal(req.protocolBinding, 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
  assert.equal(req.forceAuthn, false);

  const sessionIndex = newSessionIndex();
  const xml = loginResponse(req.id, req.assertionConsumerServiceUrl!, sessionIndex);
  const { profile, loggedOut } = await spSaml.validatePostResponseAsync({
    SAMLResponse: Buffer.from(xml).toString('base64'),
  });
  assert.equal(loggedOut, false);
  assert.equal(profile?.nameID, 'alice');
  assert.equal(profile?.nameIDFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified');
  assert.equal(profile?.sessionIndex, sessionIndex);
  assert.equal(profile?.issuer, REALM_URL);
});

test('node-saml refuses our Response for another audience, another InResponseTo, or with only one of the two signatures', async () => {
  const spSaml = nodeSamlSp();
  // node-saml drops a request ID from its cache once a Response names it, so each case asks anew.
  const requestId = async () =>
    readAuthnRequest(
      authenticateMessage(
        decodeRedirectMessage(rawQuery(await spSaml.getAuthorizeUrlAsync('', undefined, {}))),
        spRules,
      ),
    ).id;
  const post = (xml: string) => spSaml.validatePostResponseAsync({ SAMLResponse: Buffer.from(xml).toString('base64') });
  await assert.rejects(
    post(loginResponse(await requestId(), ACS_URL, newSessionIndex(), { audience: 'urn:other' })),
    /audience/i,
  );
  await assert.rejects(post(loginResponse('_not-requested', ACS_URL, newSessionIndex())), /InResponseTo/);
  await assert.rejects(
    post(loginResponse(await requestId(), ACS_URL, newSessionIndex(), { signing: { ...signing, assertion: false } })),
    /signature/i,
  );
  await assert.rejects(
    post(loginResponse(await requestId(), ACS_URL, newSessionIndex(), { signing: { ...signing, document: false } })),
    /signature/i,
  );
  const ok = await post(loginResponse(await requestId(), ACS_URL, newSessionIndex()));
  assert.equal(ok.profile?.nameID, 'alice');
});

test('node-saml LogoutRequest by Redirect (getLogoutUrlAsync) verifies over the raw query and parses', async () => {
  const spSaml = nodeSamlSp();
  const url = await spSaml.getLogoutUrlAsync(
    {
      issuer: REALM_URL,
      nameID: 'alice',
      nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      sessionIndex: 's_abc',
    },
    'relay-2',
    {},
  );
  const auth = authenticateMessage(decodeRedirectMessage(rawQuery(url)), spRules);
  assert.equal(auth.signed, true);
  const req = readLogoutRequest(auth);
  checkDestination('LogoutRequest', req.destination, ENDPOINT, true);
  assert.equal(req.nameId, 'alice');
  assert.equal(req.nameIdFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified');
  assert.deepEqual(req.sessionIndexes, ['s_abc']);
  assert.equal(auth.relayState, 'relay-2');

  // Our LogoutResponse by signed Redirect: node-saml checks status, issuer, InResponseTo (its cache) and the signature.
  const response = buildLogoutResponse({
    issuer: REALM_URL,
    destination: SP_SLO_URL,
    inResponseTo: req.id,
    now: Date.now(),
    signWith: null,
  });
  const back = encodeRedirectUrl({
    location: SP_SLO_URL,
    param: 'SAMLResponse',
    xml: response.xml,
    relayState: 'relay-2',
    signWith: { privateKey: realmKey.privateKey, algorithm: 'RSA_SHA256' },
  });
  const q = rawQuery(back);
  const result = await spSaml.validateRedirectAsync(Object.fromEntries(new URLSearchParams(q)), q);
  assert.equal(result.loggedOut, true);
});

test('our LogoutRequest by signed Redirect is accepted by node-saml validateRedirectAsync', async () => {
  const spSaml = nodeSamlSp();
  const sessionIndex = newSessionIndex();
  const request = buildLogoutRequest({
    issuer: REALM_URL,
    destination: SP_SLO_URL,
    nameId: { value: 'alice', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' },
    sessionIndexes: [sessionIndex],
    now: Date.now(),
    lifetime: 60,
    signWith: null,
  });
  const url = encodeRedirectUrl({
    location: SP_SLO_URL,
    param: 'SAMLRequest',
    xml: request.xml,
    relayState: null,
    signWith: { privateKey: realmKey.privateKey, algorithm: 'RSA_SHA256' },
  });
  const q = rawQuery(url);
  const { profile, loggedOut } = await spSaml.validateRedirectAsync(Object.fromEntries(new URLSearchParams(q)), q);
  assert.equal(loggedOut, true);
  assert.equal(profile?.nameID, 'alice');
  assert.equal(profile?.sessionIndex, sessionIndex);
  assert.equal(profile?.ID, request.id);

  // The same query with its signature made by another key is refused by node-saml.
  const forged = encodeRedirectUrl({
    location: SP_SLO_URL,
    param: 'SAMLRequest',
    xml: request.xml,
    relayState: null,
    signWith: { privateKey: attacker.privateKey, algorithm: 'RSA_SHA256' },
  });
  const fq = rawQuery(forged);
  await assert.rejects(spSaml.validateRedirectAsync(Object.fromEntries(new URLSearchParams(fq)), fq), /signature/i);
});

test('node-saml LogoutResponse by Redirect (getLogoutResponseUrlAsync) to our LogoutRequest verifies and reads Success + InResponseTo', async () => {
  const spSaml = nodeSamlSp();
  const request = buildLogoutRequest({
    issuer: REALM_URL,
    destination: SP_SLO_URL,
    nameId: { value: 'alice', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' },
    sessionIndexes: [newSessionIndex()],
    now: Date.now(),
    lifetime: 60,
    signWith: null,
  });
  const url = await spSaml.getLogoutResponseUrlAsync(
    { ID: request.id, issuer: REALM_URL, nameID: 'alice', nameIDFormat: '' },
    'relay-3',
    {},
    true,
  );
  const auth = authenticateMessage(decodeRedirectMessage(rawQuery(url)), spRules);
  assert.equal(auth.kind, 'LogoutResponse');
  const res = readLogoutResponse(auth);
  checkDestination('LogoutResponse', res.destination, ENDPOINT, auth.signed);
  assert.equal(res.inResponseTo, request.id);
  assert.equal(res.success, true);
  assert.equal(res.issuer, SP_ENTITY_ID);

  const failed = await spSaml.getLogoutResponseUrlAsync(
    { ID: request.id, issuer: REALM_URL, nameID: 'alice', nameIDFormat: '' },
    '',
    {},
    false,
  );
  const bad = readLogoutResponse(authenticateMessage(decodeRedirectMessage(rawQuery(failed)), spRules));
  assert.equal(bad.success, false);
  assert.equal(bad.subStatus, 'urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal');
});
