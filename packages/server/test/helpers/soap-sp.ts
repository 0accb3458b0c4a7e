// A SAML SP's SOAP single-logout endpoint on loopback, for the saml_soap delivery tests. It
// validates each LogoutRequest the way an SP library does — node-saml's validatePostRequestAsync
// (signature over the root with the IdP's certificate from our descriptor, Issuer, NameID,
// NotOnOrAfter) on the message taken out of the SOAP Body — and answers a LogoutResponse signed
// with the SP's key by xml-crypto. Tests script it: a valid answer, another SAML status, an HTTP
// status (503), a SOAP fault, a wrong InResponseTo, or down (connections refused).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SAML } from '@node-saml/node-saml';
import { SignedXml } from 'xml-crypto';

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';

export type SoapAnswer =
  | { kind: 'logout-response'; status?: string; inResponseTo?: string; sign?: boolean }
  | { kind: 'http'; status: number; body?: string }
  | { kind: 'fault'; code: 'Client' | 'Server' }
  /** Never answers (the request stays in flight until the connection closes). */
  | { kind: 'hang' };

export interface SoapReceived {
  at: number;
  soapAction: string | undefined;
  /** The LogoutRequest ID, or null when node-saml refused it. */
  id: string | null;
  nameId: string | null;
  sessionIndex: string | null;
  /** node-saml's error, when it refused the request. */
  error: string | null;
  xml: string;
}

export interface SoapSpOptions {
  entityId: string;
  /** The IdP's certificate, PEM (from /protocol/saml/descriptor). */
  idpCert: string;
  idpIssuer: string;
  /** The SP's signing key, PEM, and its certificate (for KeyInfo). */
  privateKey: string;
  certificateBase64: string;
}

export class SoapSp {
  readonly received: SoapReceived[] = [];
  answer: (n: number, req: SoapReceived) => SoapAnswer = () => ({ kind: 'logout-response' });
  readonly #server: Server;
  readonly #o: SoapSpOptions;
  #saml: SAML | null = null;
  #port = 0;
  readonly #scheme: 'http' | 'https';

  private constructor(o: SoapSpOptions, tls?: { key: string; cert: string }) {
    this.#o = o;
    if (o.idpCert) this.trust(o.idpCert);
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res);
    this.#server = tls ? createHttpsServer(tls, handler) : createServer(handler);
    this.#scheme = tls ? 'https' : 'http';
  }

  /** Trusts another IdP certificate (the SP read our descriptor after the realm existed). */
  trust(idpCert: string): void {
    this.#saml = new SAML({
      issuer: this.#o.entityId,
      idpCert,
      idpIssuer: this.#o.idpIssuer,
      callbackUrl: 'http://127.0.0.1/unused',
      audience: false,
      acceptedClockSkewMs: 1000,
    });
  }

  /** `tls`: serve https with this key and certificate (for the named TLS causes). */
  static async start(o: SoapSpOptions, port = 0, tls?: { key: string; cert: string }): Promise<SoapSp> {
    const sp = new SoapSp(o, tls);
    await sp.listen(port);
    return sp;
  }

  async listen(port = this.#port): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `${this.#scheme}://127.0.0.1:${this.#port}/saml/soap`;
  }

  /** Validly received requests (node-saml accepted them). */
  accepted(): SoapReceived[] {
    return this.received.filter((r) => r.error === null);
  }

  async waitFor(n: number, ms = 10_000): Promise<void> {
    const until = Date.now() + ms;
    while (this.accepted().length < n) {
      if (Date.now() > until)
        throw new Error(
          `SOAP SP accepted ${this.accepted().length} of ${n} LogoutRequests in ${ms} ms (${this.received.map((r) => r.error).join('; ')})`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Down: new connections are refused; `listen()` brings it back on the same port. */
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async close(): Promise<void> {
    if (this.#server.listening) await this.stop();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const got: SoapReceived = {
      at: Date.now(),
      soapAction: req.headers.soapaction as string | undefined,
      id: null,
      nameId: null,
      sessionIndex: null,
      error: null,
      xml: body,
    };
    try {
      const inner = messageOf(body);
      if (!this.#saml) throw new Error('the SP trusts no IdP certificate yet');
      const { profile } = await this.#saml.validatePostRequestAsync({
        SAMLRequest: Buffer.from(inner).toString('base64'),
      });
      got.id = profile.ID ?? null;
      got.nameId = profile.nameID;
      got.sessionIndex = profile.sessionIndex ?? null;
    } catch (err) {
      got.error = String(err);
    }
    this.received.push(got);
    const a = got.error ? ({ kind: 'fault', code: 'Client' } as const) : this.answer(this.received.length, got);
    if (a.kind === 'hang') return;
    if (a.kind === 'http') {
      res.writeHead(a.status, { 'Content-Type': 'text/plain' }).end(a.body ?? '');
      return;
    }
    if (a.kind === 'fault') {
      const fault = `<soap11:Envelope xmlns:soap11="${SOAP11}"><soap11:Body><soap11:Fault><faultcode>soap11:${a.code}</faultcode><faultstring>${a.code === 'Client' ? 'refused' : 'busy'}</faultstring></soap11:Fault></soap11:Body></soap11:Envelope>`;
      res.writeHead(500, { 'Content-Type': 'text/xml' }).end(fault);
      return;
    }
    const xml = this.#logoutResponse(
      a.inResponseTo ?? got.id ?? '_none',
      a.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success',
      a.sign ?? true,
    );
    res
      .writeHead(200, { 'Content-Type': 'text/xml' })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?><soap11:Envelope xmlns:soap11="${SOAP11}"><soap11:Body>${xml}</soap11:Body></soap11:Envelope>`,
      );
  }

  #logoutResponse(inResponseTo: string, status: string, sign: boolean): string {
    const id = `_${randomBytes(16).toString('hex')}`;
    const xml = `<samlp:LogoutResponse xmlns:samlp="${PROTOCOL}" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${new Date().toISOString()}" InResponseTo="${inResponseTo}"><saml:Issuer>${this.#o.entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${status}"/></samlp:Status></samlp:LogoutResponse>`;
    if (!sign) return xml;
    const signer = new SignedXml({
      privateKey: this.#o.privateKey,
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
      getKeyInfoContent: () => `<X509Data><X509Certificate>${this.#o.certificateBase64}</X509Certificate></X509Data>`,
    });
    signer.addReference({
      xpath: `//*[@ID='${id}']`,
      transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    });
    signer.computeSignature(xml, {
      prefix: 'ds',
      location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: 'after' },
    });
    return signer.getSignedXml();
  }
}

/** The single SAML element of the SOAP Body, serialised as it arrived (its signature intact). */
function messageOf(envelope: string): string {
  const doc = new DOMParser().parseFromString(envelope, 'text/xml');
  const body = doc.getElementsByTagNameNS(SOAP11, 'Body')[0];
  for (let n = body?.firstChild ?? null; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as unknown as { namespaceURI: string }).namespaceURI === PROTOCOL)
      return new XMLSerializer().serializeToString(n);
  }
  throw new Error('no SAML message in the SOAP Body');
}
