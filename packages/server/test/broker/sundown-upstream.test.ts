// A second realm of the same Sundown as the upstream: sign-in through it, and its own logout
// reaching the downstream realm's app through the broker's back-channel receiver.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { Receiver } from '../helpers/receiver.ts';
import { browse, type BrokeringSundown, PathBrowser, startBrokeringSundown } from '../helpers/upstream-idp.ts';

const APP_CB = 'http://127.0.0.1:9/app/cb';

function realms(base: string, receiver: Receiver) {
  const upstream = `${base}/realms/upstream`;
  const broker = `${base}/realms/test/broker/corp/endpoint`;
  return [
    {
      realm: 'upstream',
      clients: [
        {
          clientId: 'sundown-broker',
          secret: 'broker-secret',
          redirectUris: [broker],
          attributes: {
            'backchannel.logout.url': `${base}/realms/test/protocol/openid-connect/logout/backchannel-logout`,
            'post.logout.redirect.uris': `${broker}/logout_response`,
          },
        },
      ],
      users: [
        {
          username: 'ursula',
          email: 'ursula@corp.example',
          emailVerified: true,
          credentials: [{ type: 'password', value: 'ursula-pw' }],
        },
      ],
    },
    {
      realm: 'test',
      clients: [
        {
          clientId: 'app',
          secret: 'app-secret',
          redirectUris: [APP_CB],
          attributes: { 'backchannel.logout.url': receiver.url },
        },
      ],
      identityProviders: [
        {
          alias: 'corp',
          providerId: 'keycloak-oidc',
          trustEmail: true,
          config: {
            issuer: upstream,
            metadataDescriptorUrl: `${upstream}/.well-known/openid-configuration`,
            clientId: 'sundown-broker',
            clientSecret: 'broker-secret',
            clientAuthMethod: 'client_secret_basic',
            defaultScope: 'openid email profile',
          },
        },
      ],
    },
  ];
}

for (const database of TEST_DATABASES) {
  describe(`a Sundown realm as the upstream (${database.name})`, { skip: database.skip }, () => {
    let s: BrokeringSundown;
    let receiver: Receiver;
    before(async () => {
      receiver = await Receiver.start();
      s = await startBrokeringSundown(database, (base) => realms(base, receiver));
    });
    after(async () => {
      await s?.close();
      await receiver?.close();
    });

    test('sign-in through the upstream realm, and its logout reaches the app of the downstream realm', async () => {
      const browser = new PathBrowser();
      const auth = new URL(`${s.base}/realms/test/protocol/openid-connect/auth`);
      auth.search = new URLSearchParams({
        client_id: 'app',
        redirect_uri: APP_CB,
        response_type: 'code',
        scope: 'openid',
        kc_idp_hint: 'corp',
      }).toString();
      const back = await browse(browser, auth.toString(), 'ursula', APP_CB);
      assert.ok(back instanceof URL, back instanceof Response ? (await back.text()).slice(0, 500) : '');
      const tokens = (await (
        await fetch(`${s.base}/realms/test/protocol/openid-connect/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: back.searchParams.get('code')!,
            redirect_uri: APP_CB,
            client_id: 'app',
            client_secret: 'app-secret',
          }),
        })
      ).json()) as { id_token: string };
      const claims = decodeJwt(tokens.id_token);
      assert.equal(claims.preferred_username, 'ursula');
      assert.equal(claims.email, 'ursula@corp.example');
      const brokered = await s.provider.ctx.brokerSessions.of(claims.sid as string);
      assert.ok(brokered?.upstreamSid);

      // The user signs out at the upstream realm: its back-channel token reaches the broker, which
      // ends the downstream session and tells the app.
      const before = receiver.received.length;
      const out = await browser.get(
        `${s.base}/realms/upstream/protocol/openid-connect/logout?id_token_hint=${encodeURIComponent(brokered.idToken)}`,
      );
      assert.ok(out.status < 400, `upstream logout answered ${out.status}`);
      await receiver.waitFor(before + 1);
      assert.equal(decodeJwt(receiver.received.at(-1)!.token).sid, claims.sid);
      const realm = (await s.provider.ctx.realms.realmByName('test'))!;
      assert.equal(await s.provider.ctx.sessions.findLive(realm, claims.sid as string), undefined);
    });
  });
}
