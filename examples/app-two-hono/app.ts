// App Two: a Web-standard app (Hono) with a stateless session — a signed cookie, nothing
// stored server-side — which is why it asks `isLoggedOut` on every request. It receives both
// back-channel (POST) and front-channel (iframe) logout, and tells its open tabs through the tab
// relay (Server-Sent Events from this origin) so that they show the signed-out state at once.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import {
  buildEndSessionUrl,
  createBackchannelLogoutHandler,
  createTabRelayHandler,
  endSessions,
  isLoggedOut,
  MemoryLogoutStore,
  type SessionIdentity,
  TabRelay,
  tabRelayScriptResponse,
} from '@sundown/rp';
import { type Context, Hono } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import * as oidc from 'openid-client';
import { listen } from '../shared/listen.ts';
import { renderAppPage } from '../shared/page.ts';
import type { AppOptions } from '../app-one-express/app.ts';

interface CookieSession extends SessionIdentity {
  name: string;
  username: string;
  idToken: string;
}

const SESSION = 'app_two';
const LOGIN = 'app_two_login';

export async function startAppTwo(o: AppOptions): Promise<{ url: string; close(): Promise<void> }> {
  // The demo provider runs on plain http://localhost; a production app uses https only.
  const config = await oidc.discovery(new URL(o.issuer), o.clientId, o.clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const meta = config.serverMetadata();
  const base = `http://localhost:${o.port}`;
  const secret = randomBytes(32).toString('hex');
  const store = new MemoryLogoutStore();
  const cookie = { path: '/', httpOnly: true, sameSite: 'Lax' as const };

  async function currentSession(c: Context): Promise<CookieSession | null> {
    const raw = await getSignedCookie(c, secret, SESSION);
    if (!raw) return null;
    const s = JSON.parse(raw) as CookieSession;
    if (await isLoggedOut(store, s)) {
      deleteCookie(c, SESSION, cookie);
      return null;
    }
    return s;
  }

  const app = new Hono();
  const backchannel = createBackchannelLogoutHandler({
    issuer: meta.issuer,
    clientId: o.clientId,
    keys: new URL(meta.jwks_uri!),
    store,
  });
  app.all('/backchannel-logout', (c) => backchannel(c.req.raw));

  // Front-Channel Logout 1.0 §2: the provider's logout page loads this in an iframe.
  app.get('/frontchannel-logout', async (c) => {
    const { iss, sid } = c.req.query();
    // endSessions: the marker, and the broadcast the tab relay tells open tabs with.
    if (iss === meta.issuer && sid) await endSessions(store, { iss, sid, at: Date.now() });
    deleteCookie(c, SESSION, cookie);
    c.header('Cache-Control', 'no-store');
    return c.html('<!doctype html><title>Signed out</title>');
  });

  // The open tabs' event stream, and its browser module (/sundown/session-events.js).
  const relay = new TabRelay({ store });
  app.get('/sundown/session-events.js', () => tabRelayScriptResponse());
  app.get('/sundown/session-events', async (c) => {
    const s = await currentSession(c);
    return createTabRelayHandler({ store, relay, identify: () => s ?? undefined })(c.req.raw);
  });

  app.get('/', async (c) => {
    const s = await currentSession(c);
    return c.html(
      renderAppPage({
        app: 'App Two · Hono',
        accent: '#c2410c',
        user: s ? { name: s.name, username: s.username, sid: s.sid ?? '' } : null,
        note: 'A stateless cookie session, checked against logout markers on every request.',
        sessionEvents: '/sundown/session-events.js',
      }),
    );
  });

  app.get('/login', async (c) => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    await setSignedCookie(c, LOGIN, JSON.stringify({ verifier, state }), secret, { ...cookie, maxAge: 600 });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${base}/callback`,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    return c.redirect(url.href);
  });

  app.get('/callback', async (c) => {
    const raw = await getSignedCookie(c, secret, LOGIN);
    if (!raw) return c.redirect('/');
    const { verifier, state } = JSON.parse(raw) as { verifier: string; state: string };
    const tokens = await oidc.authorizationCodeGrant(config, new URL(c.req.url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = tokens.claims()!;
    const s: CookieSession = {
      iss: claims.iss,
      sid: claims.sid as string,
      sub: claims.sub,
      createdAt: Date.now(),
      name: String(claims.name ?? claims.preferred_username),
      username: String(claims.preferred_username),
      idToken: tokens.id_token!,
    };
    deleteCookie(c, LOGIN, cookie);
    await setSignedCookie(c, SESSION, JSON.stringify(s), secret, cookie);
    return c.redirect('/');
  });

  app.post('/logout', async (c) => {
    const s = await currentSession(c);
    deleteCookie(c, SESSION, cookie);
    return c.redirect(
      buildEndSessionUrl({
        endSessionEndpoint: meta.end_session_endpoint!,
        ...(s ? { idTokenHint: s.idToken } : { clientId: o.clientId }),
        postLogoutRedirectUri: `${base}/`,
      }),
    );
  });

  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await listen(server, o);
  return {
    url: base,
    async close() {
      // Open tabs hold their event streams: end them, or the server never closes.
      await relay.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
