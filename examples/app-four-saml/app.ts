// App Four: a SAML 2.0 service provider (node-saml, as passport-saml uses it) in the same SSO
// session as the OIDC apps. It signs its AuthnRequests and LogoutRequests with its own key
// (demo-sp-key.pem — a demo key, published with the repository: never reuse it), trusts the
// realm's certificate from the IdP descriptor, keeps its sessions server-side by SessionIndex,
// and ends them when Sundown sends a LogoutRequest: to /saml/slo through the browser's signed-out
// page, or to /saml/soap by the back channel when no browser takes part (soap-logout.ts).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { type Profile, SAML } from '@node-saml/node-saml';
import { type Context, Hono } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { listen, type ListenOptions } from '../shared/listen.ts';
import { renderAppPage } from '../shared/page.ts';
import { answerSoapLogout } from './soap-logout.ts';

export interface SamlAppOptions extends ListenOptions {
  /** The realm URL, e.g. http://localhost:8080/realms/demo (the IdP entity ID). */
  issuer: string;
}

interface SpSession {
  nameID: string;
  nameIDFormat: string;
  sessionIndex: string;
}

const COOKIE = 'app_four';
const KEY = readFileSync(new URL('./demo-sp-key.pem', import.meta.url), 'utf8');
const CERT = readFileSync(new URL('./demo-sp-cert.pem', import.meta.url), 'utf8').replace(/-----[^-]+-----|\s/g, '');

/** The SP entity ID: the realm's SAML clientId (demo-realm.json). */
export const appFourEntityId = (port: number) => `http://localhost:${port}/saml`;

export async function startAppFour(o: SamlAppOptions): Promise<{ url: string; close(): Promise<void> }> {
  const base = `http://localhost:${o.port}`;
  const descriptor = await (await fetch(`${o.issuer}/protocol/saml/descriptor`)).text();
  const idpCert = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(descriptor)?.[1];
  if (!idpCert) throw new Error('no signing certificate in the IdP descriptor');
  const saml = new SAML({
    entryPoint: `${o.issuer}/protocol/saml`,
    logoutUrl: `${o.issuer}/protocol/saml`,
    issuer: appFourEntityId(o.port),
    callbackUrl: `${base}/saml/acs`,
    logoutCallbackUrl: `${base}/saml/slo`,
    idpIssuer: o.issuer,
    idpCert,
    privateKey: KEY,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    wantAuthnResponseSigned: true,
    wantAssertionsSigned: true,
  });
  const secret = randomBytes(32).toString('hex');
  const cookie = { path: '/', httpOnly: true, sameSite: 'Lax' as const };
  // Server-side sessions by SessionIndex, so a LogoutRequest without this browser's cookie
  // (front-channel in a frame, or SOAP) still ends them.
  const sessions = new Map<string, SpSession>();

  async function current(c: Context): Promise<SpSession | null> {
    const index = await getSignedCookie(c, secret, COOKIE);
    return (index && sessions.get(index)) || null;
  }

  const app = new Hono();
  app.get('/', async (c) => {
    const s = await current(c);
    return c.html(
      renderAppPage({
        app: 'App Four · SAML',
        accent: '#0f766e',
        user: s ? { name: s.nameID, username: s.nameID, sid: s.sessionIndex } : null,
        note: 'A SAML 2.0 service provider (node-saml). Its sign-out sends a signed LogoutRequest.',
      }),
    );
  });

  app.get('/login', async (c) => c.redirect(await saml.getAuthorizeUrlAsync('/', undefined, {})));

  app.post('/saml/acs', async (c) => {
    const form = (await c.req.parseBody()) as Record<string, string>;
    try {
      const { profile } = await saml.validatePostResponseAsync(form);
      if (!profile?.sessionIndex) return c.text('The IdP did not sign you in.', 401);
      sessions.set(profile.sessionIndex, {
        nameID: profile.nameID,
        nameIDFormat: profile.nameIDFormat,
        sessionIndex: profile.sessionIndex,
      });
      await setSignedCookie(c, COOKIE, profile.sessionIndex, secret, cookie);
      return c.redirect('/', 303);
    } catch (err) {
      return c.text(`Sign-in refused: ${(err as Error).message}`, 400);
    }
  });

  // SP-initiated single logout (Profiles §4.4): a signed Redirect LogoutRequest to Sundown.
  app.post('/logout', async (c) => {
    const s = await current(c);
    deleteCookie(c, COOKIE, cookie);
    if (!s) return c.redirect('/', 303);
    sessions.delete(s.sessionIndex);
    const profile = {
      issuer: o.issuer,
      nameID: s.nameID,
      nameIDFormat: s.nameIDFormat,
      sessionIndex: s.sessionIndex,
    } as Profile;
    return c.redirect(await saml.getLogoutUrlAsync(profile, '/', {}), 303);
  });

  // Sundown's LogoutRequest (front channel) or its LogoutResponse to ours, by Redirect.
  app.get('/saml/slo', async (c) => {
    const query = c.req.query();
    const raw = new URL(c.req.url).search.slice(1);
    try {
      const { profile, loggedOut } = await saml.validateRedirectAsync(query, raw);
      if (query.SAMLRequest && profile) {
        if (profile.sessionIndex) sessions.delete(profile.sessionIndex);
        deleteCookie(c, COOKIE, cookie);
        return c.redirect(await saml.getLogoutResponseUrlAsync(profile, query.RelayState ?? '', {}, true));
      }
      deleteCookie(c, COOKIE, cookie);
      return c.redirect(loggedOut ? '/' : '/?logout=failed');
    } catch (err) {
      return c.text(`Logout message refused: ${(err as Error).message}`, 400);
    }
  });

  // Sundown's LogoutRequest by the back channel (SOAP): no browser, so the session is found by its SessionIndex.
  app.post('/saml/soap', async (c) => {
    const answer = await answerSoapLogout(
      {
        saml,
        entityId: appFourEntityId(o.port),
        privateKey: KEY,
        certificate: CERT,
        endSession: (index) => sessions.delete(index),
      },
      await c.req.text(),
    );
    return c.body(answer.body, answer.status as 200 | 500, { 'Content-Type': 'text/xml; charset=utf-8' });
  });

  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await listen(server, o);
  return { url: base, close: () => new Promise((r) => server.close(() => r())) };
}
