// A small web app as an app developer writes it with @sundown/rp: openid-client for the sign-in,
// express-session for sessions, the back-channel logout endpoint, and the tab relay with its
// browser module in every signed-in page. Started as several instances that share the session
// store and the logout store (Redis), as instances behind a load balancer do.
import type { Server } from 'node:http';
import { type AddressInfo, createServer, type Server as NetServer } from 'node:net';
import express from 'express';
import session from 'express-session';
import * as oidc from 'openid-client';
import {
  backchannelLogoutRouter,
  destroyExpressSessions,
  recordLogin,
  requireActiveSession,
  sessionIdentity,
  tabRelayRouter,
} from '../../packages/rp/src/adapters/express.ts';
import { buildEndSessionUrl, type LogoutStore } from '../../packages/rp/src/index.ts';

export interface TabAppInstance {
  base: string;
  close(): Promise<void>;
}

/** A loopback socket held until the app takes it, so its URL can go into the realm first. */
export async function reservePort(): Promise<{ listener: NetServer; base: string }> {
  const listener = createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  return { listener, base: `http://127.0.0.1:${(listener.address() as AddressInfo).port}` };
}

export async function startTabApp(o: {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** This instance's logout store (its own connection to the shared Redis). */
  store: LogoutStore;
  /** The session store every instance shares. */
  sessions: session.Store;
  /** Where the provider sends users back (one instance's callback). */
  redirectUri: string;
  listener?: NetServer;
}): Promise<TabAppInstance> {
  const config = await oidc.discovery(new URL(o.issuer), o.clientId, o.clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const meta = config.serverMetadata();
  const app = express();
  app.use(
    backchannelLogoutRouter({
      issuer: meta.issuer,
      clientId: o.clientId,
      keys: new URL(meta.jwks_uri!),
      store: o.store,
      onLogout: destroyExpressSessions(o.sessions),
    }),
  );
  app.use(session({ secret: 'tab-app-secret', resave: false, saveUninitialized: false, store: o.sessions }));
  app.use(requireActiveSession({ store: o.store }));
  const tabs = tabRelayRouter({ store: o.store });
  app.use(tabs);
  app.get('/login', (req, res, next) => {
    const verifier = oidc.randomPKCECodeVerifier();
    (req.session as unknown as Record<string, string>).verifier = verifier;
    oidc.calculatePKCECodeChallenge(verifier).then(
      (challenge) =>
        res.redirect(
          oidc.buildAuthorizationUrl(config, {
            redirect_uri: o.redirectUri,
            scope: 'openid',
            code_challenge: challenge,
            code_challenge_method: 'S256',
          }).href,
        ),
      next,
    );
  });
  app.get('/callback', async (req, res, next) => {
    try {
      const verifier = (req.session as unknown as Record<string, string>).verifier!;
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, o.redirectUri), {
        pkceCodeVerifier: verifier,
      });
      const claims = tokens.claims()!;
      await recordLogin(
        req,
        { iss: claims.iss, sid: claims.sid as string, sub: claims.sub, idToken: tokens.id_token! },
        { store: o.store },
      );
      res.redirect('/');
    } catch (err) {
      next(err);
    }
  });
  // The app's "Sign out": RP-initiated logout at the provider with the ID token as hint.
  app.get('/logout', (req, res) => {
    const who = sessionIdentity(req);
    if (!who?.idToken) return void res.redirect('/');
    res.redirect(
      buildEndSessionUrl({
        endSessionEndpoint: meta.end_session_endpoint!,
        idTokenHint: who.idToken,
        postLogoutRedirectUri: `${new URL(o.redirectUri).origin}/`,
      }),
    );
  });
  app.get('/', (req, res) => {
    const who = sessionIdentity(req);
    res
      .type('html')
      .send(
        who
          ? `<!doctype html><title>App</title><main>Signed in as ${who.sub}</main><script type="module" src="/sundown/session-events.js"></script>`
          : '<!doctype html><title>App</title><main>Signed out</main>',
      );
  });
  const server: Server = o.listener ? app.listen(o.listener) : app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await tabs.relay.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
