// App One: an Express app as most Node teams write one — express-session for sessions,
// openid-client for sign-in — plus @sundown/rp so that a logout anywhere ends its session, and
// its open tabs show the signed-out state at once (the tab relay: Server-Sent Events from this origin).
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  backchannelLogoutRouter,
  destroyExpressSessions,
  logoutRedirect,
  recordLogin,
  requireActiveSession,
  sessionIdentity,
  tabRelayRouter,
} from '@sundown/rp/express';
import { MemoryLogoutStore } from '@sundown/rp';
import express from 'express';
import session from 'express-session';
import * as oidc from 'openid-client';
import { listen, type ListenOptions } from '../shared/listen.ts';
import { renderAppPage } from '../shared/page.ts';

export interface AppOptions extends ListenOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

interface LoginState {
  verifier?: string;
  state?: string;
  profile?: { name: string; username: string };
}

export async function startAppOne(o: AppOptions): Promise<{ url: string; close(): Promise<void> }> {
  // The demo provider runs on plain http://localhost; a production app uses https only.
  const config = await oidc.discovery(new URL(o.issuer), o.clientId, o.clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const meta = config.serverMetadata();
  const base = `http://localhost:${o.port}`;
  const store = new MemoryLogoutStore();
  const sessions = new session.MemoryStore();

  const app = express();
  app.use(
    backchannelLogoutRouter({
      issuer: meta.issuer,
      clientId: o.clientId,
      keys: new URL(meta.jwks_uri!),
      store,
      onLogout: destroyExpressSessions(sessions),
    }),
  );
  app.use(
    session({
      name: 'app_one',
      secret: randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      store: sessions,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.use(requireActiveSession({ store }));
  // GET /sundown/session-events (the stream) and /sundown/session-events.js (the browser module).
  const tabs = tabRelayRouter({ store });
  app.use(tabs);

  app.get('/', (req, res) => {
    const who = sessionIdentity(req);
    const profile = (req.session as unknown as LoginState | undefined)?.profile;
    res.type('html').send(
      renderAppPage({
        app: 'App One · Express',
        accent: '#2563eb',
        user: who && profile ? { ...profile, sid: who.sid ?? '' } : null,
        sessionEvents: '/sundown/session-events.js',
      }),
    );
  });

  app.get('/login', async (req, res) => {
    const s = req.session as unknown as LoginState;
    s.verifier = oidc.randomPKCECodeVerifier();
    s.state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${base}/callback`,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(s.verifier),
      code_challenge_method: 'S256',
      state: s.state,
    });
    res.redirect(url.href);
  });

  app.get('/callback', async (req, res, next) => {
    try {
      const s = req.session as unknown as LoginState;
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, base), {
        pkceCodeVerifier: s.verifier,
        expectedState: s.state,
      });
      const claims = tokens.claims()!;
      s.profile = {
        name: String(claims.name ?? claims.preferred_username),
        username: String(claims.preferred_username),
      };
      await recordLogin(
        req,
        { iss: claims.iss, sid: claims.sid as string, sub: claims.sub, idToken: tokens.id_token },
        { store },
      );
      res.redirect('/');
    } catch (err) {
      next(err);
    }
  });

  app.post(
    '/logout',
    logoutRedirect({ endSessionEndpoint: meta.end_session_endpoint!, postLogoutRedirectUri: `${base}/` }),
  );

  const server = createServer(app);
  await listen(server, o);
  return {
    url: base,
    async close() {
      // Open tabs hold their event streams: end them, or the server never closes.
      await tabs.relay.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
