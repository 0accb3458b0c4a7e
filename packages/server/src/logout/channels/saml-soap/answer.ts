// What a SOAP SP's answer to our back-channel LogoutRequest means (Bindings §3.2.3, Core §3.7.2).
// Keycloak (SamlProtocol.backchannelLogout, saml.md §4) only checks that a StatusResponse came
// back, signed when the client requires signatures, from the client, in response to the request;
// it never reads the status. Sundown also reads the status, so "the SP said no" is visible.
import type { Element } from '@xmldom/xmldom';
import type { SamlClientSettings } from '../../../saml/saml-client-settings.ts';
import { authenticateMessage, decodeSoapMessage } from '../../../saml/inbound-message.ts';
import { readLogoutResponse } from '../../../saml/read-logout-response.ts';
import { NS, STATUS } from '../../../saml/saml-constants.ts';
import { SamlError } from '../../../saml/saml-errors.ts';
import { unwrapSoap } from '../../../saml/soap-envelope.ts';
import { textOf } from '../../../saml/xml-read.ts';

export type SoapOutcome = 'delivered' | 'rejected' | 'retry';

export interface SoapVerdict {
  outcome: SoapOutcome;
  error: string | null;
}

/** Largest SOAP answer read: a signed LogoutResponse with its certificate is ~4 KB. */
export const MAX_SOAP_ANSWER = 64 * 1024;

const short = (s: string): string => s.replace(/^urn:oasis:names:tc:SAML:2\.0:status:/, '');

/**
 * The verdict on one answer. `requestId` is the ID of the LogoutRequest of this attempt;
 * `anyStatus`: a valid LogoutResponse counts whatever its status (the doctor's probe names a
 * session nobody has, so UnknownPrincipal or Requester are fine answers there).
 */
export function judgeSoapAnswer(
  settings: SamlClientSettings,
  requestId: string,
  res: { status: number; body: string },
  anyStatus = false,
): SoapVerdict | null {
  if (res.status === 500) return faultVerdict(res.body);
  if (res.status < 200 || res.status >= 300) return null; // the shared HTTP classification applies
  let response;
  try {
    const msg = decodeSoapMessage(res.body);
    if (msg.kind !== 'LogoutResponse')
      return { outcome: 'rejected', error: `saml: the SOAP answer is a ${msg.kind}, not a LogoutResponse` };
    response = readLogoutResponse(
      authenticateMessage(msg, {
        entityId: settings.entityId,
        requireSignature: settings.requireClientSignature,
        signatureAlgorithm: settings.signatureAlgorithm,
        certificate: settings.certificate,
      }),
    );
  } catch (err) {
    const why = err instanceof SamlError ? err.description : String(err);
    return { outcome: 'rejected', error: `saml: invalid LogoutResponse: ${why}` };
  }
  // Core §3.2.2: InResponseTo names the request this answers; a stale or foreign answer is no answer.
  if (response.inResponseTo !== requestId)
    return {
      outcome: 'rejected',
      error: `saml: LogoutResponse InResponseTo ${response.inResponseTo ?? '(none)'} is not this request`,
    };
  if (response.success || anyStatus) return { outcome: 'delivered', error: null };
  const status = `${short(response.status)}${response.subStatus ? `/${short(response.subStatus)}` : ''}${response.statusMessage ? `: ${response.statusMessage}` : ''}`;
  // Core §3.2.2.2: Responder = the SP failed (may pass); Requester / VersionMismatch = our message was refused.
  return {
    outcome: response.status === STATUS.responder ? 'retry' : 'rejected',
    error: `saml: LogoutResponse status ${status}`,
  };
}

/** SOAP 1.1 §4.4.1: a Client fault is the sender's problem (do not repeat); a Server fault may pass. */
function faultVerdict(body: string): SoapVerdict | null {
  try {
    const { message } = unwrapSoap(body, MAX_SOAP_ANSWER);
    if (message.namespaceURI !== NS.soap11 || message.localName !== 'Fault') return null;
    const code = unqualifiedChildText(message, 'faultcode') ?? '';
    const reason = unqualifiedChildText(message, 'faultstring');
    const error = `saml: SOAP fault ${code}${reason ? `: ${reason}` : ''}`;
    return { outcome: /(^|:)Client(\.|$)/.test(code) ? 'rejected' : 'retry', error };
  } catch {
    return null;
  }
}

/** SOAP 1.1 §4.4: faultcode and faultstring are unqualified children of Fault. */
function unqualifiedChildText(parent: Element, localName: string): string | null {
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    const el = n as Element;
    if (n.nodeType === 1 && !el.namespaceURI && el.localName === localName) return textOf(el);
  }
  return null;
}
