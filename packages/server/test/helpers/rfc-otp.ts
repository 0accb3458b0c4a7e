// The tests' own one-time codes, computed straight from RFC 4226 §5.3 with node:crypto's HMAC —
// not with the `otpauth` library the server uses — so a test that signs in with one of these
// proves the server agrees with the RFCs, not with itself. Checked against the RFCs' test
// vectors in test/login/otp/otp-code.test.ts.
import { createHmac } from 'node:crypto';

export type RfcHash = 'sha1' | 'sha256' | 'sha512';

/** HOTP(K, C) = Truncate(HMAC(K, C)) mod 10^digits (RFC 4226 §5.3). */
export function rfcHotp(key: Buffer, counter: number, digits = 6, hash: RfcHash = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(hash, key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** TOTP: HOTP of the time step floor(seconds / period) (RFC 6238 §4.2). */
export function rfcTotp(key: Buffer, unixSeconds: number, digits = 6, hash: RfcHash = 'sha1', period = 30): string {
  return rfcHotp(key, Math.floor(unixSeconds / period), digits, hash);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 §6 base32, for reading the secret a page shows. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const i = BASE32.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
