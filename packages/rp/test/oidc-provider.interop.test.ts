// Interop with a provider we did not write: the real oidc-provider (back-channel logout on)
// signs an Express app in; ending the session at oidc-provider ends the app's session.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { MemoryLogoutStore } from '../src/index.ts';
import { Jar } from './helpers/jar.ts';
import { reservePort, startRpApp } from './helpers/rp-app.ts';

test('oidc-provider ends the session → the Express app using @sundown/rp is signed out', async () => {
  // Reserve the app's port first: the provider must know the app's URLs. The socket is held
  // until the app takes it over.
  const { listener, base: appBase } = await reservePort();

  const opApp = express();
  const opServer: Server = opApp.listen(0, '127.0.0.1');
  await new Promise<void>((r) => opServer.once('listening', () => r()));
  const issuer = `http://127.0.0.1:${(opServer.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'interop-1', alg: 'RS256', use: 'sig' }] },
    clients: [
      {
        client_id: 'app',
        client_secret: 'app-secret',
        redirect_uris: [`${appBase}/callback`],
        post_logout_redirect_uris: [`${appBase}/`],
        backchannel_logout_uri: `${appBase}/backchannel-logout`,
        backchannel_logout_session_required: true,
      },
    ],
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    cookies: { keys: ['interop-test-key'] },
    // oidc-provider refuses special-use addresses (SSRF protection); this test's receiver is on
    // loopback on purpose, so its own fetch hook sends without that guard.
    fetch: (url: string, options: RequestInit & { dispatcher?: unknown }) => {
      delete options.dispatcher;
      return fetch(url, options);
    },
  });
  provider.on('backchannel.error', (...args: unknown[]) => console.error('oidc-provider backchannel error', args[1]));
  // The login and consent UI, finished programmatically.
  opApp.get('/interaction/:uid', async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: 'user-42' } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const grant = new provider.Grant({
        accountId: details.session!.accountId!,
        clientId: details.params.client_id as string,
      });
      grant.addOIDCScope('openid');
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId: await grant.save() } },
        { mergeWithLastSubmission: true },
      );
    } catch (err) {
      next(err);
    }
  });
  opApp.use(provider.callback());

  const store = new MemoryLogoutStore();
  const app = await startRpApp({ issuer, clientId: 'app', clientSecret: 'app-secret', store, listener });
  const browser = new Jar();
  try {
    const { res: home } = await browser.follow(`${app.url}/login`);
    const text = await home.text();
    assert.match(text, /^signed in as user-42 sid=/, text);
    const sid = /sid=(.+)$/.exec(text)![1];

    // RP-initiated logout at oidc-provider: its confirmation form, then "yes".
    const end = await browser.fetch(`${issuer}/session/end?client_id=app`);
    const html = await end.text();
    const action = /action="([^"]+)"/.exec(html)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
    const confirm = await browser.fetch(new URL(action, issuer).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    assert.ok(confirm.status === 303 || confirm.status === 302 || confirm.status === 200, `confirm: ${confirm.status}`);

    const after = await browser.fetch(`${app.url}/`);
    assert.equal(await after.text(), 'signed out', `session ${sid} must be gone`);
  } finally {
    await app.close();
    await new Promise<void>((r) => opServer.close(() => r()));
  }
});
