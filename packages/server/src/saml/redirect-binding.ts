// HTTP-Redirect binding (Bindings §3.4): DEFLATE (RFC 1951, raw), base64, URL-encode. Decoding
// works on the raw query string exactly as the browser sent it, so the detached signature can be
// checked over the original octets (redirect-signature.ts), and caps the inflated size so a
// compression bomb costs nothing (saml.md §8.6, ruby-saml CVE-2025-25293).
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { KeyObject } from 'node:crypto';
import { decodeUtf8, MAX_MESSAGE_BYTES } from './safe-xml.ts';
import type { SamlSignatureAlgorithm } from './saml-client-attributes.ts';
import { checkedRelayState } from './relay-state.ts';
import { malformed } from './saml-errors.ts';
import { type RedirectSignature, sigAlgFor, signRedirectOctets } from './redirect-signature.ts';

export type MessageParam = 'SAMLRequest' | 'SAMLResponse';

export interface RedirectQuery {
  param: MessageParam;
  xml: string;
  relayState: string | null;
  /** The detached signature, when the query carries one. */
  signature: RedirectSignature | null;
}

/** Longest raw query accepted: far above any real message, far below a bomb's cost. */
export const MAX_QUERY_LENGTH = 64 * 1024;
const NAMES = new Set(['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature']);

/** Decodes the raw query (without `?`) of a Redirect-binding GET. */
export function decodeRedirectQuery(rawQuery: string, maxBytes = MAX_MESSAGE_BYTES): RedirectQuery {
  if (rawQuery.length > MAX_QUERY_LENGTH) throw malformed('too_large', 'query too long');
  const raw = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = formDecode(eq < 0 ? pair : pair.slice(0, eq));
    if (!NAMES.has(name)) continue;
    if (raw.has(name)) throw malformed('duplicate_parameter', `${name} appears more than once`);
    raw.set(name, eq < 0 ? '' : pair.slice(eq + 1));
  }
  const hasRequest = raw.has('SAMLRequest');
  if (hasRequest === raw.has('SAMLResponse'))
    throw malformed('invalid_message', 'exactly one of SAMLRequest and SAMLResponse is required');
  const param: MessageParam = hasRequest ? 'SAMLRequest' : 'SAMLResponse';
  const relayRaw = raw.get('RelayState');
  const relayState = checkedRelayState(relayRaw === undefined ? null : formDecode(relayRaw));
  const compressed = base64Bytes(formDecode(raw.get(param)!));
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(compressed, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw malformed('too_large', 'message too large');
    throw malformed('bad_encoding', 'message is not DEFLATE-encoded', (err as Error).message);
  }
  let signature: RedirectSignature | null = null;
  const sigRaw = raw.get('Signature');
  const sigAlgRaw = raw.get('SigAlg');
  if (sigRaw !== undefined || sigAlgRaw !== undefined) {
    if (sigRaw === undefined || sigAlgRaw === undefined)
      throw malformed('invalid_message', 'Signature and SigAlg go together');
    // Bindings §3.4.4.1: this order, these raw values, RelayState only when present.
    const signedOctets = `${param}=${raw.get(param)!}${relayRaw === undefined ? '' : `&RelayState=${relayRaw}`}&SigAlg=${sigAlgRaw}`;
    signature = { sigAlg: formDecode(sigAlgRaw), value: base64Bytes(formDecode(sigRaw)), signedOctets };
  }
  return { param, xml: decodeUtf8(inflated), relayState, signature };
}

export interface RedirectEncodeInput {
  /** The SP's ACS or SLO URL; its own query is kept. */
  location: string;
  param: MessageParam;
  xml: string;
  relayState?: string | null;
  /** Signs the query when given (Profiles §4.4.3.1, §4.4.3.4: logout messages must be signed). */
  signWith?: { privateKey: KeyObject; algorithm: SamlSignatureAlgorithm } | null;
}

/** Builds the Redirect-binding URL for an outbound message (Bindings §3.4.4). */
export function encodeRedirectUrl(input: RedirectEncodeInput): string {
  let query = `${input.param}=${encodeURIComponent(deflateRawSync(Buffer.from(input.xml, 'utf8')).toString('base64'))}`;
  if (input.relayState !== undefined && input.relayState !== null)
    query += `&RelayState=${encodeURIComponent(input.relayState)}`;
  if (input.signWith) {
    query += `&SigAlg=${encodeURIComponent(sigAlgFor(input.signWith.algorithm))}`;
    const { signature } = signRedirectOctets(query, input.signWith.privateKey, input.signWith.algorithm);
    query += `&Signature=${encodeURIComponent(signature)}`;
  }
  return `${input.location}${input.location.includes('?') ? '&' : '?'}${query}`;
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw malformed('bad_encoding', 'query is not URL-encoded');
  }
}

/** Strict base64 (RFC 4648 §4), whitespace tolerated as many SPs wrap lines. */
export function base64Bytes(value: string): Buffer {
  const compact = value.replace(/[\r\n\t ]+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw malformed('bad_encoding', 'value is not base64');
  }
  return Buffer.from(compact, 'base64');
}
