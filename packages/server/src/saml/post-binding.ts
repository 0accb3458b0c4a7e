// HTTP-POST binding (Bindings §3.5): the message is base64 in a form field (no DEFLATE), sent by
// an auto-submitting HTML form. Decoding caps the size before base64 is undone (saml.md §8.6).
import { inflateRawSync } from 'node:zlib';
import { escapeHtml } from '../views/html.ts';
import { base64Bytes, type MessageParam } from './redirect-binding.ts';
import { checkedRelayState } from './relay-state.ts';
import { decodeUtf8, MAX_MESSAGE_BYTES } from './safe-xml.ts';
import { malformed } from './saml-errors.ts';

export interface PostForm {
  param: MessageParam;
  xml: string;
  relayState: string | null;
}

/** Decodes the fields of a POSTed form (already parsed; duplicates refused by the caller's parser). */
export function decodePostForm(
  fields: { SAMLRequest?: string | undefined; SAMLResponse?: string | undefined; RelayState?: string | undefined },
  maxBytes = MAX_MESSAGE_BYTES,
): PostForm {
  const hasRequest = fields.SAMLRequest !== undefined;
  if (hasRequest === (fields.SAMLResponse !== undefined))
    throw malformed('invalid_message', 'exactly one of SAMLRequest and SAMLResponse is required');
  const param: MessageParam = hasRequest ? 'SAMLRequest' : 'SAMLResponse';
  const relayState = checkedRelayState(fields.RelayState ?? null);
  const encoded = (hasRequest ? fields.SAMLRequest : fields.SAMLResponse)!;
  if (encoded.length > Math.ceil((maxBytes * 4) / 3) + 1024) throw malformed('too_large', 'message too large');
  const bytes = base64Bytes(encoded);
  if (bytes.length > maxBytes) throw malformed('too_large', 'message too large');
  return { param, xml: decodeUtf8(looksLikeXml(bytes) ? bytes : inflatePosted(bytes, maxBytes)), relayState };
}

// Bindings §3.5.4 puts the message in the form without DEFLATE, but node-saml (and so
// passport-saml) deflates POSTed requests unless `skipRequestCompression` is set, which
// Keycloak refuses. A body that is not XML is inflated, under the same size cap as the
// Redirect binding (saml.md §8.6); the XML is then checked exactly as any other.
function looksLikeXml(bytes: Buffer): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x3c; // '<'
}

function inflatePosted(bytes: Buffer, maxBytes: number): Buffer {
  try {
    return inflateRawSync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw malformed('too_large', 'message too large');
    throw malformed('bad_encoding', 'message is neither XML nor DEFLATE-encoded XML', (err as Error).message);
  }
}

export interface PostFormInput {
  /** The SP's ACS or SLO URL. */
  action: string;
  param: MessageParam;
  xml: string;
  relayState?: string | null;
  /** The CSP nonce of the response, which allows the one inline submit script. */
  nonce: string;
}

/**
 * The auto-submit page (Bindings §3.5.4). Without JavaScript the button submits the same form.
 * Served with `Content-Security-Policy: script-src 'nonce-…'; form-action <action origin>` by the
 * caller, which knows its CSP header.
 */
export function renderPostForm(input: PostFormInput): string {
  const value = Buffer.from(input.xml, 'utf8').toString('base64');
  const relay =
    input.relayState === undefined || input.relayState === null
      ? ''
      : `<input type="hidden" name="RelayState" value="${escapeHtml(input.relayState)}">`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Continuing…</title></head><body><form method="post" action="${escapeHtml(input.action)}"><input type="hidden" name="${input.param}" value="${value}">${relay}<noscript><p>JavaScript is off: press Continue.</p><button type="submit">Continue</button></noscript></form><script nonce="${escapeHtml(input.nonce)}">document.forms[0].submit()</script></body></html>`;
}
