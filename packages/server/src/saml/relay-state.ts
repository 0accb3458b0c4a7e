// RelayState, the SP's opaque value that travels with a message and comes back with the answer.
// Bindings §3.4.3 (Redirect) and §3.5.3 (POST): it "MUST NOT exceed 80 bytes in length". Some SPs
// put a return URL there, so Sundown takes up to 1 KiB; a longer one is refused where the binding
// is decoded, before anything is stored with a pending sign-in or echoed back to the SP.
import { malformed } from './saml-errors.ts';

/** The longest RelayState accepted, in UTF-8 bytes (80 by the spec; more for compatibility). */
export const MAX_RELAY_STATE_BYTES = 1024;

/** The RelayState when it is within the cap; otherwise a `too_large` error. */
export function checkedRelayState(value: string | null): string | null {
  if (value !== null && Buffer.byteLength(value, 'utf8') > MAX_RELAY_STATE_BYTES) {
    throw malformed('too_large', `RelayState is longer than ${MAX_RELAY_STATE_BYTES} bytes`);
  }
  return value;
}
