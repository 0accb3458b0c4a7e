// App Four's SOAP single-logout endpoint (SAML Bindings §3.2, Profiles §4.4.3.3): the channel
// Sundown uses when no browser takes part in a logout — an administrator, expiry, a disabled
// user, "sign out everywhere else". It checks the LogoutRequest as node-saml checks one (the
// IdP's signature, Issuer, NameID, NotOnOrAfter) after taking it out of the SOAP Body, ends the
// session its SessionIndex names, and answers a LogoutResponse signed with the SP's key.
import { randomBytes } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { SAML } from '@node-saml/node-saml';
import { SignedXml } from 'xml-crypto';

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

export interface SoapLogoutOptions {
  saml: SAML;
  entityId: string;
  privateKey: string;
  /** The SP's certificate, base64 DER (KeyInfo). */
  certificate: string;
  /** Ends the SP's session of this SessionIndex; false when there was none. */
  endSession(sessionIndex: string): boolean;
}

/** Answers one SOAP request: the signed LogoutResponse, or a SOAP fault for what it cannot accept. */
export async function answerSoapLogout(
  o: SoapLogoutOptions,
  envelope: string,
): Promise<{ status: number; body: string }> {
  let request: { id: string; sessionIndex: string | null };
  try {
    const { profile } = await o.saml.validatePostRequestAsync({
      SAMLRequest: Buffer.from(messageOf(envelope)).toString('base64'),
    });
    request = { id: profile.ID ?? '', sessionIndex: profile.sessionIndex ?? null };
  } catch (err) {
    const fault = `<soap11:Envelope xmlns:soap11="${SOAP11}"><soap11:Body><soap11:Fault><faultcode>soap11:Client</faultcode><faultstring>${escapeXml(String(err))}</faultstring></soap11:Fault></soap11:Body></soap11:Envelope>`;
    return { status: 500, body: fault };
  }
  if (request.sessionIndex) o.endSession(request.sessionIndex);
  // Already ended counts as done (Profiles §4.4.4.2: the principal is no longer logged in here).
  const response = logoutResponse(o, request.id);
  return {
    status: 200,
    body: `<?xml version="1.0" encoding="UTF-8"?><soap11:Envelope xmlns:soap11="${SOAP11}"><soap11:Body>${response}</soap11:Body></soap11:Envelope>`,
  };
}

function logoutResponse(o: SoapLogoutOptions, inResponseTo: string): string {
  const id = `_${randomBytes(16).toString('hex')}`;
  const xml = `<samlp:LogoutResponse xmlns:samlp="${PROTOCOL}" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${new Date().toISOString()}" InResponseTo="${escapeXml(inResponseTo)}"><saml:Issuer>${escapeXml(o.entityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${SUCCESS}"/></samlp:Status></samlp:LogoutResponse>`;
  const signer = new SignedXml({
    privateKey: o.privateKey,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    getKeyInfoContent: () => `<X509Data><X509Certificate>${o.certificate}</X509Certificate></X509Data>`,
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

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
