// Brokering with an upstream we did not write (node-oidc-provider): sign-in with first-login
// creation and linking, an upstream logout reaching the downstream apps (an OIDC back-channel
// receiver and a SAML SP told by SOAP) through Sundown, a downstream logout reaching the upstream
// — on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { certificateToText } from '../../src/saml/certificate-text.ts';
import { Browser } from '../helpers/browser.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { Receiver } from '../helpers/receiver.ts';
import { idpCertificate, parseAcsForm, sendAuthnRequest, spFor } from '../helpers/saml-browser.ts';
import { sp } from '../helpers/saml-fixtures.ts';
import { samlClient } from '../helpers/saml-logout-realm.ts';
import { SoapSp } from '../helpers/soap-sp.ts';
import {
  browse,
  type BrokeringSundown,
  startBrokeringSundown,
  startUpstream,
  type Upstream,
  upstreamIdp,
} from '../helpers/upstream-idp.ts';

const APP_CB = 'http://127.0.0.1:9/app/cb';
const SOAP_SP = 'urn:test:brokered-soap';
const SOAP_ACS = 'http://127.0.0.1:9/saml/acs';

function realmJson(up: Upstream, receiver: Receiver, soap: SoapSp, idpExtra: Record<string, unknown> = {}) {
  return {
    realm: 'test',
    clients: [
      {
        clientId: 'app',
        secret: 'app-secret',
        redirectUris: [APP_CB],
        attributes: {
          'backchannel.logout.url': receiver.url,
          'post.logout.redirect.uris': 'http://127.0.0.1:9/app/bye',
        },
      },
      // A SAML SP told of logouts by SOAP (back-channel), no browser needed.
      { ...samlClient(SOAP_SP, { frontchannel: false, soap: soap.url, certificate: sp }), redirectUris: [SOAP_ACS] },
    ],
    users: [
      {
        username: 'bob',
        email: 'bob@example.com',
        emailVerified: true,
        credentials: [{ type: 'password', value: 'bob-pw' }],
      },
      { username: 'carol', email: 'unverified-carol@example.com', credentials: [{ type: 'password', value: 'c-pw' }] },
    ],
    identityProviders: [upstreamIdp(up, 'sundown', idpExtra)],
  };
}

export async function appSignIn(s: BrokeringSundown, browser: Browser, login: string, hint = true) {
  const auth = new URL(`${s.base}/realms/test/protocol/openid-connect/auth`);
  auth.search = new URLSearchParams({
    client_id: 'app',
    redirect_uri: APP_CB,
    response_type: 'code',
    scope: 'openid',
    ...(hint ? { kc_idp_hint: 'up' } : {}),
  }).toString();
  const back = await browse(browser, auth.toString(), login, APP_CB);
  if (!(back instanceof URL))
    throw new Error(`sign-in ended on a page ${back.status}: ${(await back.text()).slice(0, 600)}`);
  const res = await fetch(`${s.base}/realms/test/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: APP_CB,
      client_id: 'app',
      client_secret: 'app-secret',
    }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { id_token: string; access_token: string };
}

for (const database of TEST_DATABASES) {
  describe(`brokering with node-oidc-provider (${database.name})`, { skip: database.skip }, () => {
    let up: Upstream;
    let s: BrokeringSundown;
    let receiver: Receiver;
    let soap: SoapSp;

    before(async () => {
      receiver = await Receiver.start();
      s = await startBrokeringSundown(database, async (base) => {
        up = await startUpstream('sundown', `${base}/realms/test`);
        soap = await SoapSp.start({
          entityId: SOAP_SP,
          idpCert: '',
          idpIssuer: `${base}/realms/test`,
          privateKey: sp.privatePem,
          certificateBase64: certificateToText(sp.certificate),
        });
        return [realmJson(up, receiver, soap)];
      });
      // The SP trusts the realm's certificate as it reads it from our SAML descriptor.
      soap.trust(await idpCertificate(`${s.base}/realms/test`));
    });
    after(async () => {
      await s?.close();
      await up?.close();
      await receiver?.close();
      await soap?.close();
    });

    test('the login page offers the upstream; kc_idp_hint goes straight there', async () => {
      const browser = new Browser(fetch);
      const auth = `${s.base}/realms/test/protocol/openid-connect/auth?client_id=app&redirect_uri=${encodeURIComponent(APP_CB)}&response_type=code&scope=openid`;
      const page = await browser.get(auth);
      const html = await page.text();
      assert.match(html, /class="identity-provider" href="[^"]*\/broker\/up\/login\?auth_request=/);
      assert.match(html, />Upstream up</);
      const hinted = await browser.get(`${auth}&kc_idp_hint=up`);
      assert.equal(hinted.status, 302);
      assert.match(hinted.headers.get('location')!, /\/realms\/test\/broker\/up\/login\?auth_request=/);
    });

    test('first sign-in creates the user, linked to the upstream account, with the upstream sid kept', async () => {
      const browser = new Browser(fetch);
      const tokens = await appSignIn(s, browser, 'dave');
      const claims = decodeJwt(tokens.id_token);
      assert.equal(claims.preferred_username, 'dave');
      const user = await s.provider.ctx.realms.userByUsername(
        (await s.provider.ctx.realms.realmByName('test'))!.id,
        'dave',
      );
      assert.ok(user);
      assert.equal(user.email, 'dave@example.com');
      assert.equal(user.emailVerified, true);
      const links = await s.provider.ctx.federatedIdentities.ofUser(user.id);
      assert.deepEqual(
        links.map((l) => [l.alias, l.upstreamUserId]),
        [['up', 'dave']],
      );
      const brokered = await s.provider.ctx.brokerSessions.of(claims.sid as string);
      assert.ok(brokered?.upstreamSid, 'the upstream sid is kept with the local session');
      // A second sign-in of the same upstream account is the same user.
      const again = await appSignIn(s, new Browser(fetch), 'dave');
      assert.equal(decodeJwt(again.id_token).sub, claims.sub);
    });

    test('an existing user is linked only by a verified email at a trusted upstream', async () => {
      const tokens = await appSignIn(s, new Browser(fetch), 'bob');
      const realm = (await s.provider.ctx.realms.realmByName('test'))!;
      const bob = await s.provider.ctx.realms.userByUsername(realm.id, 'bob');
      assert.equal(decodeJwt(tokens.id_token).sub, bob!.id);
      const links = await s.provider.ctx.federatedIdentities.ofUser(bob!.id);
      assert.deepEqual(
        links.map((l) => l.alias),
        ['up'],
      );
    });

    test('an unverified email matching an existing account is not linked until its password proves it', async () => {
      const browser = new Browser(fetch);
      const auth = `${s.base}/realms/test/protocol/openid-connect/auth?client_id=app&redirect_uri=${encodeURIComponent(APP_CB)}&response_type=code&scope=openid&kc_idp_hint=up`;
      // The upstream account "unverified-carol" has carol's email, unverified.
      const page = await browse(browser, auth, 'unverified-carol', APP_CB);
      assert.ok(page instanceof Response);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /account with the same email already exists/);
      const realm = (await s.provider.ctx.realms.realmByName('test'))!;
      const carol = await s.provider.ctx.realms.userByUsername(realm.id, 'carol');
      assert.deepEqual(await s.provider.ctx.federatedIdentities.ofUser(carol!.id), []);
      const action = new URL(/action="([^"]+)"/.exec(html)![1]!, s.base).toString();
      const state = /name="link_state" value="([^"]+)"/.exec(html)![1]!;
      // A wrong password links nothing and asks again.
      const wrong = await browser.post(action, { link_state: state, password: 'nope' });
      assert.equal(wrong.status, 401);
      const retry = await wrong.text();
      assert.match(retry, /Invalid password/);
      assert.deepEqual(await s.provider.ctx.federatedIdentities.ofUser(carol!.id), []);
      // The used state is gone; the page's new one and the right password link and sign in.
      assert.equal((await browser.post(action, { link_state: state, password: 'c-pw' })).status, 400);
      const fresh = /name="link_state" value="([^"]+)"/.exec(retry)![1]!;
      const done = await browser.post(action, { link_state: fresh, password: 'c-pw' });
      assert.equal(done.status, 303);
      assert.ok(done.headers.get('location')!.startsWith(`${APP_CB}?code=`));
      const links = await s.provider.ctx.federatedIdentities.ofUser(carol!.id);
      assert.deepEqual(
        links.map((l) => [l.alias, l.upstreamUserId]),
        [['up', 'unverified-carol']],
      );
    });

    test("the upstream's logout reaches the downstream app's back-channel endpoint", async () => {
      const browser = new Browser(fetch);
      const tokens = await appSignIn(s, browser, 'erin');
      const sid = decodeJwt(tokens.id_token).sid as string;
      const before = receiver.received.length;
      // The user signs out at the upstream (its end-session page, confirmed).
      const endPage = await browser.get(`${up.issuer}/session/end`);
      const html = await endPage.text();
      const action = /action="([^"]+)"/.exec(html)![1]!;
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
      const done = await browser.post(new URL(action, up.issuer).toString(), { xsrf, logout: 'yes' });
      assert.ok(done.status < 400, `upstream logout answered ${done.status}`);
      await receiver.waitFor(before + 1);
      const token = decodeJwt(receiver.received.at(-1)!.token);
      assert.equal(token.sid, sid);
      const realm = (await s.provider.ctx.realms.realmByName('test'))!;
      assert.equal(await s.provider.ctx.sessions.findLive(realm, sid), undefined);
      // The logout names the upstream that started it.
      const user = await s.provider.ctx.realms.userByUsername(realm.id, 'erin');
      const [logout] = await s.provider.ctx.logouts.ofUser(realm.id, user!.id, 5);
      assert.equal(logout?.trigger, 'upstream_logout');
      assert.equal(logout?.started_by, 'upstream');
      assert.equal(logout?.actor, 'up');
    });

    test("the upstream's logout reaches both apps of the brokered session: the OIDC back-channel receiver and the SAML SP by SOAP", async () => {
      const browser = new Browser(fetch);
      const tokens = await appSignIn(s, browser, 'hank');
      const sid = decodeJwt(tokens.id_token).sid as string;
      // The SAML SP joins the same brokered session by SSO (no second sign-in upstream).
      const realmUrl = `${s.base}/realms/test`;
      const soapSaml = spFor(realmUrl, await idpCertificate(realmUrl), { issuer: SOAP_SP, callbackUrl: SOAP_ACS });
      const acs = parseAcsForm(await (await sendAuthnRequest(browser, soapSaml, 'redirect')).text());
      assert.ok(acs, 'the SAML SP is answered silently by the SSO session');
      const profile = (await soapSaml.validatePostResponseAsync({ SAMLResponse: acs.SAMLResponse })).profile!;
      assert.equal(profile.nameID, 'hank');
      const oidcBefore = receiver.received.length;
      const soapBefore = soap.accepted().length;
      // The user signs out at the upstream; its back-channel logout token comes to our broker endpoint.
      const endPage = await browser.get(`${up.issuer}/session/end`);
      const html = await endPage.text();
      const action = /action="([^"]+)"/.exec(html)![1]!;
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
      const done = await browser.post(new URL(action, up.issuer).toString(), { xsrf, logout: 'yes' });
      assert.ok(done.status < 400, `upstream logout answered ${done.status}`);
      await receiver.waitFor(oidcBefore + 1);
      await soap.waitFor(soapBefore + 1);
      assert.equal(decodeJwt(receiver.received.at(-1)!.token).sid, sid, 'the OIDC app got its logout token');
      const told = soap.accepted().at(-1)!;
      assert.equal(told.sessionIndex, profile.sessionIndex, 'the SAML SP got a signed LogoutRequest for its session');
      assert.equal(told.nameId, 'hank');
      const realm = (await s.provider.ctx.realms.realmByName('test'))!;
      assert.equal(await s.provider.ctx.sessions.findLive(realm, sid), undefined);
      // One logout record, naming the upstream alias, with one delivery per app.
      const hank = await s.provider.ctx.realms.userByUsername(realm.id, 'hank');
      const [logout] = await s.provider.ctx.logouts.ofUser(realm.id, hank!.id, 5);
      assert.equal(logout?.trigger, 'upstream_logout');
      assert.equal(logout?.actor, 'up');
      const rows = await s.provider.ctx.deliveryStore.ofLogout(logout.id);
      assert.deepEqual(rows.map((r) => r.kind).sort(), ['backchannel', 'saml_soap']);
    });

    async function rpLogout(browser: Browser, login: string, extra: Record<string, string> = {}) {
      const tokens = await appSignIn(s, browser, login);
      const sid = decodeJwt(tokens.id_token).sid as string;
      const before = receiver.received.length;
      const url = new URL(`${s.base}/realms/test/protocol/openid-connect/logout`);
      url.search = new URLSearchParams({
        id_token_hint: tokens.id_token,
        post_logout_redirect_uri: 'http://127.0.0.1:9/app/bye',
        state: 'app-state',
        ...extra,
      }).toString();
      const res = await browser.get(url.toString());
      return { sid, before, res };
    }

    test('a downstream logout tells every app first, then sends the browser to the upstream end-session endpoint', async () => {
      const browser = new Browser(fetch);
      const { sid, before, res } = await rpLogout(browser, 'frank');
      // The app was told before the browser left (its receiver has the token already).
      assert.ok(receiver.received.length > before, 'the app heard of the logout before the redirect upstream');
      assert.equal(decodeJwt(receiver.received.at(-1)!.token).sid, sid);
      assert.equal(res.status, 302);
      const upstream = new URL(res.headers.get('location')!);
      assert.equal(`${upstream.origin}${upstream.pathname}`, `${up.issuer}/session/end`);
      assert.equal(
        upstream.searchParams.get('post_logout_redirect_uri'),
        `${s.base}/realms/test/broker/up/endpoint/logout_response`,
      );
      assert.ok(upstream.searchParams.get('id_token_hint'), 'sendIdTokenOnLogout: the upstream ID token is the hint');
      const brokered = await s.provider.ctx.brokerSessions.of(sid);
      assert.equal(upstream.searchParams.get('id_token_hint'), brokered!.idToken);
      assert.ok(upstream.searchParams.get('state'));
      // The browser goes upstream: no server-to-server call besides (backchannelSupported is on).
      const realm = (await s.provider.ctx.realms.realmByName('test'))!;
      const frank = await s.provider.ctx.realms.userByUsername(realm.id, 'frank');
      const [logout] = await s.provider.ctx.logouts.ofUser(realm.id, frank!.id, 1);
      const rows = await s.provider.ctx.deliveryStore.ofLogout(logout!.id);
      assert.deepEqual(
        rows.map((r) => r.kind),
        ['backchannel'],
      );
      // The upstream signs the user out and sends the browser back; Sundown continues to the app.
      const endPage = await browser.get(upstream.toString());
      const html = await endPage.text();
      const action = /action="([^"]+)"/.exec(html)![1]!;
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
      const back = await browser.post(new URL(action, up.issuer).toString(), { xsrf, logout: 'yes' });
      const toUs = new URL(back.headers.get('location')!);
      assert.equal(`${toUs.origin}${toUs.pathname}`, `${s.base}/realms/test/broker/up/endpoint/logout_response`);
      const last = await browser.get(toUs.toString());
      assert.equal(last.status, 302);
      assert.equal(last.headers.get('location'), 'http://127.0.0.1:9/app/bye?state=app-state');
      // The continuation is single-use.
      const replay = await browser.get(toUs.toString());
      assert.equal(replay.status, 200);
      assert.match(await replay.text(), /You are signed out/);
    });

    test('an upstream that never sends the browser back leaves the user signed out here anyway', async () => {
      const browser = new Browser(fetch);
      // initiating_idp on a request nobody authenticated as the upstream suppresses nothing (keycloak#51243).
      const { sid, res } = await rpLogout(browser, 'gina', { initiating_idp: 'up' });
      assert.equal(res.status, 302);
      assert.ok(res.headers.get('location')!.startsWith(`${up.issuer}/session/end`));
      // The browser never reaches the upstream (closed, network gone): the session is over anyway.
      const realm = (await s.provider.ctx.realms.realmByName('test'))!;
      assert.equal(await s.provider.ctx.sessions.findLive(realm, sid), undefined);
      const auth = `${s.base}/realms/test/protocol/openid-connect/auth?client_id=app&redirect_uri=${encodeURIComponent(APP_CB)}&response_type=code&scope=openid&prompt=none`;
      const silent = await browser.get(auth);
      assert.match(silent.headers.get('location') ?? '', /error=login_required/);
    });
  });
}
