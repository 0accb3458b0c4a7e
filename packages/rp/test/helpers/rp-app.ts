// A real Express relying party, as an app developer would write it: openid-client for the
// login, express-session for sessions, @sundown/rp for back-channel logout.
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
} from '../../src/adapters/express.ts';
import type { LogoutStore } from '../../src/index.ts';

export interface RpApp {
  url: string;
  close(): Promise<void>;
}

/**
 * A socket on a free loopback port, for an app whose URLs must be known before it starts (the
 * provider registers them first): pass it to startRpApp as `listener`. Held from now on, so the
 * port cannot be taken in between, as it could if it were closed and its number passed on.
 */
export async function reservePort(): Promise<{ listener: NetServer; base: string }> {
  const listener = createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  return { listener, base: `http://127.0.0.1:${(listener.address() as AddressInfo).port}` };
}

export async function startRpApp(options: {
  issuer: string;
  clientId: string;
  clientSecret: string;
  store: LogoutStore;
  /** A socket from reservePort(), which the app takes over; default a new one on a free port. */
  listener?: NetServer;
  algorithms?: string[];
}): Promise<RpApp> {
  const config = await oidc.discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const meta = config.serverMetadata();
  const sessionStore = new session.MemoryStore();
  const app = express();
  const server: Server = options.listener ? app.listen(options.listener) : app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  app.use(
    backchannelLogoutRouter({
      issuer: meta.issuer,
      clientId: options.clientId,
      keys: new URL(meta.jwks_uri!),
      algorithms: options.algorithms ?? ['RS256'],
      store: options.store,
      onLogout: destroyExpressSessions(sessionStore),
    }),
  );
  app.use(session({ secret: 'rp-secret', resave: false, saveUninitialized: false, store: sessionStore }));
  app.use(requireActiveSession({ store: options.store }));
  app.get('/login', (req, res) => {
    const verifier = oidc.randomPKCECodeVerifier();
    (req.session as unknown as Record<string, string>).verifier = verifier;
    void oidc.calculatePKCECodeChallenge(verifier).then((challenge) =>
      res.redirect(
        oidc.buildAuthorizationUrl(config, {
          redirect_uri: `${base}/callback`,
          scope: 'openid',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }).href,
      ),
    );
  });
  app.get('/callback', async (req, res, next) => {
    try {
      const verifier = (req.session as unknown as Record<string, string>).verifier!;
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, base), {
        pkceCodeVerifier: verifier,
      });
      const claims = tokens.claims()!;
      await recordLogin(
        req,
        { iss: claims.iss, sid: claims.sid as string, sub: claims.sub, idToken: tokens.id_token! },
        { store: options.store },
      );
      res.redirect('/');
    } catch (err) {
      next(err);
    }
  });
  app.get('/', (req, res) => {
    const who = sessionIdentity(req);
    res.send(who ? `signed in as ${who.sub} sid=${who.sid}` : 'signed out');
  });
  return { url: base, close: () => new Promise((r) => server.close(() => r())) };
}
