// The body of a POST to the SAML endpoint: a form (HTTP-POST binding, Bindings §3.5.4) or a
// SOAP envelope (text/xml, Bindings §3.2.3). Sizes are capped before anything is decoded
// (saml.md §8.6), and a form field sent twice is refused rather than one of them picked.
import { PayloadTooLarge } from '../../errors.ts';
import { readBody } from '../../http/params.ts';
import { MAX_MESSAGE_BYTES } from '../safe-xml.ts';
import { malformed } from '../saml-errors.ts';

/** base64 of the largest message (percent-encoded), the RelayState (at most 1 KiB, relay-state.ts) and names. */
const FORM_LIMIT = Math.ceil((MAX_MESSAGE_BYTES * 4) / 3) * 3 + 16 * 1024;

export type SamlBody = { kind: 'form'; fields: Map<string, string> } | { kind: 'soap'; xml: string };

export async function readSamlBody(req: Request): Promise<SamlBody> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  let text: string;
  try {
    text = await readBody(req, type === 'application/x-www-form-urlencoded' ? FORM_LIMIT : MAX_MESSAGE_BYTES);
  } catch (err) {
    if (err instanceof PayloadTooLarge) throw malformed('too_large', 'message too large');
    throw err;
  }
  if (type === 'text/xml' || type === 'application/soap+xml') return { kind: 'soap', xml: text };
  if (type !== 'application/x-www-form-urlencoded')
    throw malformed(
      'invalid_message',
      'Content-Type must be application/x-www-form-urlencoded (HTTP-POST) or text/xml (SOAP)',
    );
  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (fields.has(name)) throw malformed('duplicate_parameter', `${name} appears more than once`);
    fields.set(name, value);
  }
  return { kind: 'form', fields };
}
