// The logout messages Sundown sends, checked by node-saml as the SP (saml.md §4–6): the front-
// channel LogoutRequest in the binding Keycloak's rules pick (Redirect, or POST when forced or
// only POST exists), the LogoutResponse to a requesting SP (Redirect preferred even when POST is
// forced, since node-saml's POST LogoutResponse path fails), and the signed-out page carrying them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import {
  loggedOutPageHeaders,
  renderLoggedOutPage,
  SAML_ANSWER_ARRIVED,
} from '../../../src/logout/endpoint/signed-out-page.ts';
import {
  buildFrontchannelMessage,
  frontchannelBinding,
} from '../../../src/logout/channels/saml-frontchannel/message.ts';
import { logoutResponseFor } from '../../../src/logout/saml/logout-response-out.ts';
import { certificateToText } from '../../../src/saml/certificate-text.ts';
import { parseSamlClient, type SamlClientSettings } from '../../../src/saml/saml-client-settings.ts';
import { LOGIN_DEFAULTS } from '../../../src/realm/login-settings.ts';
import { OTP_POLICY_DEFAULTS } from '../../../src/realm/otp-policy.ts';
import { REQUIRED_ACTION_DEFAULTS } from '../../../src/realm/required-actions.ts';
import type { Realm } from '../../../src/realm/model.ts';
import {
  nodeSamlSp,
  rawQuery,
  REALM_URL,
  realmKey,
  sp,
  SP_ENTITY_ID,
  SP_SLO_URL,
} from '../../helpers/saml-fixtures.ts';

const POST_SLO = 'http://127.0.0.1:4001/saml/slo-post';
const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

function settings(attributes: Record<string, string>, extra: Record<string, unknown> = {}): SamlClientSettings {
  const parsed = parseSamlClient(
    {
      protocol: 'saml',
      clientId: SP_ENTITY_ID,
      ...extra,
      attributes: { 'saml.signing.certificate': certificateToText(sp.certificate), ...attributes },
    },
    '$',
  );
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.settings;
}

const REALM: Realm = {
  login: LOGIN_DEFAULTS,
  otpPolicy: OTP_POLICY_DEFAULTS,
  requiredActionSettings: REQUIRED_ACTION_DEFAULTS,
  id: 'r',
  name: 'demo',
  displayName: null,
  enabled: true,
  accessTokenLifespan: 300,
  ssoSessionIdleTimeout: 1800,
  ssoSessionMaxLifespan: 36000,
  offlineSessionIdleTimeout: 2592000,
  attributes: {},
};
const participant = { nameId: { value: 'alice', format: UNSPECIFIED }, sessionIndex: 's_idx-7' };

test('front-channel binding: Redirect by default; POST when forced with a POST URL or when only POST exists; adminUrl as Redirect fallback; none → null', () => {
  assert.deepEqual(
    frontchannelBinding(
      settings({
        saml_single_logout_service_url_redirect: SP_SLO_URL,
        saml_single_logout_service_url_post: POST_SLO,
        'saml.force.post.binding': 'false',
      }),
    ),
    { binding: 'redirect', url: SP_SLO_URL },
  );
  assert.deepEqual(
    frontchannelBinding(
      settings({
        saml_single_logout_service_url_redirect: SP_SLO_URL,
        saml_single_logout_service_url_post: POST_SLO,
        'saml.force.post.binding': 'true',
      }),
    ),
    { binding: 'post', url: POST_SLO },
  );
  assert.deepEqual(
    frontchannelBinding(
      settings({ saml_single_logout_service_url_post: POST_SLO, 'saml.force.post.binding': 'false' }),
    ),
    {
      binding: 'post',
      url: POST_SLO,
    },
  );
  assert.deepEqual(frontchannelBinding(settings({}, { adminUrl: 'http://127.0.0.1:4001/admin' })), {
    binding: 'redirect',
    url: 'http://127.0.0.1:4001/admin',
  });
  assert.equal(frontchannelBinding(settings({})), null);
});

test('front-channel Redirect LogoutRequest: node-saml validateRedirectAsync accepts its query signature, NameID and SessionIndex', async () => {
  const m = buildFrontchannelMessage({
    issuer: REALM_URL,
    settings: settings({ saml_single_logout_service_url_redirect: SP_SLO_URL }),
    participant,
    key: realmKey,
    now: Date.now(),
    lifetime: 60,
  });
  assert.equal(m?.binding, 'redirect');
  if (m?.binding !== 'redirect') return;
  const q = rawQuery(m.url);
  const { profile, loggedOut } = await nodeSamlSp().validateRedirectAsync(
    Object.fromEntries(new URLSearchParams(q)),
    q,
  );
  assert.equal(loggedOut, true);
  assert.equal(profile?.ID, m.requestId);
  assert.equal(profile?.nameID, 'alice');
  assert.equal(profile?.sessionIndex, 's_idx-7');
});

test('front-channel POST LogoutRequest: node-saml validatePostRequestAsync accepts its enveloped signature', async () => {
  const m = buildFrontchannelMessage({
    issuer: REALM_URL,
    settings: settings({ saml_single_logout_service_url_post: POST_SLO }),
    participant,
    key: realmKey,
    now: Date.now(),
    lifetime: 60,
  });
  assert.equal(m?.binding, 'post');
  if (m?.binding !== 'post') return;
  const { profile } = await nodeSamlSp().validatePostRequestAsync({ SAMLRequest: m.samlRequest });
  assert.equal(profile.ID, m.requestId);
  assert.equal(profile.nameID, 'alice');
  // Altered after signing: refused.
  const altered = Buffer.from(
    Buffer.from(m.samlRequest, 'base64').toString('utf8').replace('>alice<', '>mallory<'),
  ).toString('base64');
  await assert.rejects(nodeSamlSp().validatePostRequestAsync({ SAMLRequest: altered }), /signature/i);
});

test('LogoutResponse to the requester goes by signed Redirect even with saml.force.post.binding, and node-saml accepts it (InResponseTo from its cache)', async () => {
  const spSaml = nodeSamlSp();
  const url = await spSaml.getLogoutUrlAsync(
    { issuer: REALM_URL, nameID: 'alice', nameIDFormat: UNSPECIFIED, sessionIndex: 's_idx-7' },
    'relay-9',
    {},
  );
  const requestId = /ID="([^"]+)"/.exec(
    inflateRawSync(Buffer.from(new URL(url).searchParams.get('SAMLRequest')!, 'base64')).toString(),
  )![1]!;
  const out = logoutResponseFor({
    issuer: REALM_URL,
    settings: settings({
      saml_single_logout_service_url_redirect: SP_SLO_URL,
      saml_single_logout_service_url_post: POST_SLO,
      'saml.force.post.binding': 'true',
    }),
    inResponseTo: requestId,
    viaSoap: false,
    relayState: 'relay-9',
    key: realmKey,
  });
  assert.equal(out?.binding, 'redirect');
  if (out?.binding !== 'redirect') return;
  const q = rawQuery(out.url);
  assert.equal(new URLSearchParams(q).get('RelayState'), 'relay-9');
  const result = await spSaml.validateRedirectAsync(Object.fromEntries(new URLSearchParams(q)), q);
  assert.equal(result.loggedOut, true);
});

test('LogoutResponse: POST form when the SP has only a POST SLO URL, SOAP envelope when asked by SOAP, nothing without any URL', () => {
  const post = logoutResponseFor({
    issuer: REALM_URL,
    settings: settings({ saml_single_logout_service_url_post: POST_SLO }),
    inResponseTo: '_r1',
    viaSoap: false,
    relayState: null,
    key: realmKey,
  });
  assert.equal(post?.binding, 'post');
  if (post?.binding === 'post')
    assert.match(
      Buffer.from(post.fields.SAMLResponse!, 'base64').toString(),
      /<ds:Signature[\s\S]*InResponseTo|InResponseTo="_r1"[\s\S]*<ds:Signature/,
    );
  const soap = logoutResponseFor({
    issuer: REALM_URL,
    settings: settings({}),
    inResponseTo: '_r2',
    viaSoap: true,
    relayState: null,
    key: realmKey,
  });
  assert.equal(soap?.binding, 'soap');
  if (soap?.binding === 'soap') assert.match(soap.body, /<soap11:Body><samlp:LogoutResponse[^>]*InResponseTo="_r2"/);
  assert.equal(
    logoutResponseFor({
      issuer: REALM_URL,
      settings: settings({}),
      inResponseTo: '_r3',
      viaSoap: false,
      relayState: null,
      key: realmKey,
    }),
    null,
  );
});

test('signed-out page: a Redirect iframe, a POST form targeting its own iframe, CSP allowing exactly those origins, our own frames and the forms', () => {
  const r = buildFrontchannelMessage({
    issuer: REALM_URL,
    settings: settings({ saml_single_logout_service_url_redirect: SP_SLO_URL }),
    participant,
    key: realmKey,
    now: Date.now(),
    lifetime: 60,
  })!;
  const p = buildFrontchannelMessage({
    issuer: REALM_URL,
    settings: settings({ saml_single_logout_service_url_post: 'http://127.0.0.2:4002/slo' }),
    participant,
    key: realmKey,
    now: Date.now(),
    lifetime: 60,
  })!;
  const page = renderLoggedOutPage(REALM, [], 'https://app.example/bye', 'nonce123', [
    { clientId: 'sp-r', message: r },
    { clientId: 'sp-p', message: p },
  ]);
  assert.match(
    page.body,
    /<iframe hidden title="Signing out of sp-r" src="http:\/\/127\.0\.0\.1:4001\/saml\/slo\?SAMLRequest=/,
  );
  assert.match(page.body, /<iframe hidden title="Signing out of sp-p" name="saml-slo-1"/);
  assert.match(
    page.body,
    /<form method="post" action="http:\/\/127\.0\.0\.2:4002\/slo" target="saml-slo-1" data-saml-post><input type="hidden" name="SAMLRequest" value="[^"]+"><noscript><button type="submit" class="secondary">Sign out of sp-p<\/button><\/noscript><\/form>/,
    'without scripts, the POST LogoutRequest is a button',
  );
  assert.match(page.body, /<noscript><p>Scripts are off in this browser/);
  // A SAML iframe is done when its answer page, on our origin, says so — not when it loads.
  assert.match(
    page.body,
    new RegExp(`e\\.origin!==location\\.origin\\|\\|e\\.data!==${JSON.stringify(SAML_ANSWER_ARRIVED)}`),
  );
  const csp = loggedOutPageHeaders(page, true)['Content-Security-Policy']!;
  assert.match(csp, /frame-src 'self' http:\/\/127\.0\.0\.1:4001 http:\/\/127\.0\.0\.2:4002/);
  assert.match(csp, /form-action 'self' http:\/\/127\.0\.0\.2:4002/);
  assert.match(csp, /script-src 'nonce-nonce123'/);
});
