// The peer: node-oidc-provider on a loopback port with its in-memory adapter, interactions
// (login, consent) finished programmatically, and back-channel logout enabled.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface PeerBench {
  issuer: string;
  provider: Provider;
  close(): Promise<void>;
}

/** `resource`: grant every sign-in that resource's `api` scope too (RFC 8707, for JWT access tokens). */
export async function startOidcProvider(
  clients: Array<Record<string, unknown>>,
  features: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
  resource?: string,
): Promise<PeerBench> {
  const app = express();
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'peer-1', alg: 'RS256', use: 'sig' }] },
    clients,
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      ...features,
    },
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    cookies: { keys: ['bench-cookie-key'] },
    // Receivers are on loopback on purpose; oidc-provider's own fetch hook lets them through.
    fetch: (url: string, options: RequestInit & { dispatcher?: unknown }) => {
      delete options.dispatcher;
      return fetch(url, options);
    },
    ...extra,
  });
  let accounts = 0;
  app.get('/interaction/:uid', async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        // A distinct account per sign-in: each benchmark session is its own user's.
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: `bench-user-${accounts++}` } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const grant = new provider.Grant({
        accountId: details.session!.accountId!,
        clientId: details.params.client_id as string,
      });
      grant.addOIDCScope('openid offline_access');
      // addResourceScope is oidc-provider's API; types/oidc-provider.d.ts declares only what the rest uses.
      if (resource)
        (grant as unknown as { addResourceScope(resource: string, scope: string): void }).addResourceScope(
          resource,
          'api',
        );
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
  app.use(provider.callback());
  return { issuer, provider, close: () => new Promise((r) => server.close(() => r())) };
}

/** Signs a browser in to `clientId` at oidc-provider and exchanges the code. */
export async function peerSignIn(
  jar: { fetch(url: string, init?: RequestInit): Promise<Response> },
  issuer: string,
  clientId: string,
  redirectUri: string,
  scope = 'openid',
): Promise<Record<string, string>> {
  let url = `${issuer}/auth?${new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope, ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}) })}`;
  let res = await jar.fetch(url);
  for (let i = 0; i < 10 && res.status >= 300 && res.status < 400; i++) {
    url = new URL(res.headers.get('location')!, url).toString();
    if (url.startsWith(redirectUri)) break;
    res = await jar.fetch(url);
  }
  const code = new URL(url).searchParams.get('code');
  if (!code) throw new Error(`oidc-provider sign-in did not return a code: ${url} ${res.status}`);
  const tok = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientId}-secret`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
  });
  return (await tok.json()) as Record<string, string>;
}
