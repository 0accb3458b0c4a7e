// The @sundown/rp quick start: an Express app that signs users in with openid-client and signs
// them out here when they sign out anywhere else (OpenID Connect Back-Channel Logout).
// packages/rp/README.md shows this file as it is; examples/test/rp-quickstart.test.ts runs it.
import { randomBytes } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import * as oidc from 'openid-client';
import { MemoryLogoutStore } from '@sundown/rp';
import {
  backchannelLogoutRouter,
  destroyExpressSessions,
  logoutRedirect,
  recordLogin,
  requireActiveSession,
  sessionIdentity,
} from '@sundown/rp/express';

// What this app keeps in a session: req.session.verifier, .state and .name are typed.
declare module 'express-session' {
  interface SessionData {
    verifier: string; // PKCE (RFC 7636) of the sign-in in progress
    state: string;
    name: string; // the signed-in user, from the ID token
  }
}

// The demo realm's App One, as `npx sundown start --import-realm examples/realms/demo-realm.json` has it.
const issuer = new URL(process.env.OIDC_ISSUER ?? 'http://localhost:8080/realms/demo');
const clientId = process.env.OIDC_CLIENT_ID ?? 'app-one';
const clientSecret = process.env.OIDC_CLIENT_SECRET ?? 'app-one-secret';
const port = Number(process.env.PORT ?? 3001);
const appUrl = `http://localhost:${port}`;

// openid-client refuses http: allow it only for a provider on this machine.
const local = issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
const config = await oidc.discovery(issuer, clientId, clientSecret, undefined, {
  execute: local ? [oidc.allowInsecureRequests] : [],
});
const provider = config.serverMetadata();

// One process: a memory store. Several instances: a shared one (RedisLogoutStore, PostgresLogoutStore).
const store = new MemoryLogoutStore();
const sessions = new session.MemoryStore();

const app = express();
// POST /backchannel-logout: the provider's logout token ends this user's sessions here.
app.use(
  backchannelLogoutRouter({
    issuer: provider.issuer,
    clientId,
    keys: new URL(provider.jwks_uri!),
    store,
    onLogout: destroyExpressSessions(sessions),
  }),
);
app.use(
  session({
    secret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    resave: false,
    saveUninitialized: false,
    store: sessions,
  }),
);
app.use(requireActiveSession({ store })); // a session logged out on any instance ends here

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
app.get('/', (req, res) => {
  res
    .type('html')
    .send(
      sessionIdentity(req) && req.session.name
        ? `<p>Signed in as ${escape(req.session.name)}.</p><form method="post" action="/logout"><button>Sign out</button></form>`
        : '<p>Signed out. <a href="/login">Sign in</a></p>',
    );
});

app.get('/login', async (req, res) => {
  const verifier = oidc.randomPKCECodeVerifier();
  req.session.verifier = verifier;
  req.session.state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: `${appUrl}/callback`,
    scope: 'openid profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: req.session.state,
  });
  res.redirect(url.href);
});

app.get('/callback', async (req, res) => {
  const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, appUrl), {
    pkceCodeVerifier: req.session.verifier,
    expectedState: req.session.state,
  });
  const claims = tokens.claims()!;
  req.session.name = String(claims.preferred_username ?? claims.sub);
  // Remembers the ID token's iss, sid and sub: the logout token names them.
  const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
  await recordLogin(req, { iss: claims.iss, sid, sub: claims.sub, idToken: tokens.id_token }, { store });
  res.redirect('/');
});

// Ends the session here, then at the provider, which tells every other app of the session.
app.post(
  '/logout',
  logoutRedirect({ endSessionEndpoint: provider.end_session_endpoint!, postLogoutRedirectUri: `${appUrl}/` }),
);

app.listen(port, 'localhost', (err) => {
  if (err) throw err;
  console.log(`App listening on ${appUrl}`);
});
