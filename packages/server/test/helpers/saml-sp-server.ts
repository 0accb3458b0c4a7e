// A front-channel SAML SP on loopback built on @node-saml/node-saml 5.1 (the library validates
// everything; this file only routes HTTP): SP-initiated login (AuthnRequest by Redirect, Response at
// the ACS), its SLO endpoint for IdP LogoutRequests (Redirect: signed query; POST: enveloped
// signature), answering with node-saml's signed Redirect LogoutResponse — or, after answerByPost(),
// as pysaml2 does: a page whose form POSTs the signed LogoutResponse back by itself — and its own
// LogoutRequest (getLogoutUrlAsync) whose LogoutResponse it validates (InResponseTo from its cache).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Profile, SAML } from '@node-saml/node-saml';
import { buildLogoutResponse } from '../../src/saml/build-logout.ts';
import type { RealmSigningKey } from '../../src/saml/sign-enveloped.ts';

export interface SamlSpOptions {
  entityId: string;
  /** The IdP's `/protocol/saml` endpoint and entity ID (the realm URL). */
  idpEndpoint: string;
  idpIssuer: string;
  /** The IdP's certificate, PEM (from the descriptor). */
  idpCert: string;
  /** The SP's signing key, PEM. */
  privateKey: string;
}

/** How an SP that answers by POST answers: its SAML status, its key, and how long its page waits. */
export interface PostAnswer {
  delayMs: number;
  status: string;
  signWith: RealmSigningKey;
}

export class SamlSpServer {
  /** IdP LogoutRequests node-saml accepted (front-channel logout of this SP). */
  readonly logoutRequests: Profile[] = [];
  /** Refusals of node-saml, by path. */
  readonly errors: string[] = [];
  /** LogoutResponses to our own LogoutRequests that node-saml accepted. */
  loggedOutResponses = 0;
  /** The profile of the last completed login. */
  profile: Profile | null = null;
  readonly #server: Server;
  #saml: SAML | null = null;
  #options: SamlSpOptions | null = null;
  #postAnswer: PostAnswer | null = null;
  #port = 0;

  private constructor() {
    this.#server = createServer(
      (req, res) => void this.#handle(req, res).catch((err: unknown) => this.#fail(res, err)),
    );
  }

  static async start(): Promise<SamlSpServer> {
    const s = new SamlSpServer();
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', () => resolve()));
    s.#port = (s.#server.address() as AddressInfo).port;
    return s;
  }

  /** Configures node-saml once the IdP (and its certificate) is known. */
  configure(o: SamlSpOptions): void {
    this.#options = o;
    this.#saml = new SAML({
      entryPoint: o.idpEndpoint,
      logoutUrl: o.idpEndpoint,
      issuer: o.entityId,
      callbackUrl: this.acsUrl,
      idpCert: o.idpCert,
      idpIssuer: o.idpIssuer,
      privateKey: o.privateKey,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      wantAuthnResponseSigned: true,
      wantAssertionsSigned: true,
      acceptedClockSkewMs: 2000,
      validateInResponseTo: 'always' as never,
    });
  }

  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }
  get acsUrl(): string {
    return `${this.origin}/saml/acs`;
  }
  get sloUrl(): string {
    return `${this.origin}/saml/slo`;
  }

  get saml(): SAML {
    if (!this.#saml) throw new Error('configure() first');
    return this.#saml;
  }

  /**
   * From now on, answer an IdP LogoutRequest as pysaml2 does: a page whose form POSTs the
   * LogoutResponse (enveloped signature) back to the IdP by itself — here after `delayMs`.
   */
  answerByPost(o: PostAnswer): void {
    this.#postAnswer = o;
  }

  /** The URL that starts SP-initiated login (an AuthnRequest by Redirect). */
  async loginUrl(relayState = ''): Promise<string> {
    return this.saml.getAuthorizeUrlAsync(relayState, undefined, {});
  }

  /** The URL that starts SP-initiated logout of the last login (a LogoutRequest by Redirect). */
  async logoutUrl(relayState = ''): Promise<string> {
    if (!this.profile) throw new Error('not logged in');
    return this.saml.getLogoutUrlAsync(this.profile, relayState, {});
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #fail(res: ServerResponse, err: unknown): void {
    this.errors.push(String(err));
    if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`SP refused: ${String(err)}`);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const rawQuery = url.search.slice(1);
    const form = req.method === 'POST' ? new URLSearchParams(await bodyOf(req)) : null;
    if (url.pathname === '/saml/acs' && form) {
      const { profile } = await this.saml.validatePostResponseAsync(Object.fromEntries(form));
      this.profile = profile;
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<p id="sp">signed in as ${profile?.nameID}</p>`);
      return;
    }
    if (url.pathname === '/saml/slo') {
      if (form?.has('SAMLRequest')) {
        const { profile } = await this.saml.validatePostRequestAsync(Object.fromEntries(form));
        return this.#answerLogout(res, profile, form.get('RelayState') ?? '');
      }
      if (url.searchParams.has('SAMLRequest')) {
        const { profile } = await this.saml.validateRedirectAsync(Object.fromEntries(url.searchParams), rawQuery);
        return this.#answerLogout(res, profile!, url.searchParams.get('RelayState') ?? '');
      }
      if (url.searchParams.has('SAMLResponse')) {
        const { loggedOut } = await this.saml.validateRedirectAsync(Object.fromEntries(url.searchParams), rawQuery);
        if (loggedOut) this.loggedOutResponses++;
        this.profile = null;
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p id="sp">signed out at the IdP</p>');
        return;
      }
    }
    res.writeHead(404).end();
  }

  async #answerLogout(res: ServerResponse, profile: Profile, relayState: string): Promise<void> {
    this.logoutRequests.push(profile);
    const post = this.#postAnswer;
    if (post && this.#options) {
      const idp = this.#options.idpEndpoint;
      const answer = buildLogoutResponse({
        issuer: this.#options.entityId,
        destination: idp,
        inResponseTo: profile.ID!,
        now: Date.now(),
        status: post.status,
        signWith: { key: post.signWith, algorithm: 'RSA_SHA256' },
      });
      const field = (name: string, value: string) => `<input type="hidden" name="${name}" value="${value}">`;
      const fields =
        field('SAMLResponse', Buffer.from(answer.xml).toString('base64')) +
        (relayState ? field('RelayState', escapeAttr(relayState)) : '');
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(
          `<!doctype html><html><body><p id="sp">signing out…</p><form method="post" action="${escapeAttr(idp)}">${fields}</form><script>setTimeout(() => document.forms[0].submit(), ${post.delayMs})</script></body></html>`,
        );
      return;
    }
    const back = await this.saml.getLogoutResponseUrlAsync(profile, relayState, {}, true);
    res.writeHead(302, { Location: back }).end();
  }
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
