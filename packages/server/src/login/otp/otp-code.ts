// The codes of one credential, computed by the `otpauth` library (RFC 4226 HOTP, RFC 6238
// TOTP): its key as Keycloak decodes it (OTPCredentialModel.getDecodedSecret: the secret's
// UTF-8 bytes, or base32 when credentialData says secretEncoding BASE32) and Keycloak's
// algorithm names mapped to the library's.
import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';
import type { OtpAlgorithm } from '../../realm/otp-policy.ts';

const HASH: Readonly<Record<OtpAlgorithm, string>> = {
  HmacSHA1: 'SHA1',
  HmacSHA256: 'SHA256',
  HmacSHA512: 'SHA512',
};

export interface OtpKey {
  secret: string;
  secretEncoding: string | null;
  algorithm: string;
  digits: number;
}

export function otpSecretOf(key: Pick<OtpKey, 'secret' | 'secretEncoding'>): Secret {
  if (key.secretEncoding?.toUpperCase() === 'BASE32') return Secret.fromBase32(key.secret.replace(/\s/g, ''));
  const bytes = new TextEncoder().encode(key.secret);
  return new Secret({ buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
}

/** The library's name of a Keycloak algorithm (stored rows hold Keycloak's). */
export function hashName(algorithm: string): string {
  return HASH[algorithm as OtpAlgorithm] ?? 'SHA1';
}

/** The code of HOTP counter `counter` (a TOTP step is the counter of RFC 6238 §4.2). */
export function codeAt(key: OtpKey, counter: number): string {
  return HOTP.generate({ secret: otpSecretOf(key), algorithm: hashName(key.algorithm), digits: key.digits, counter });
}

/** The TOTP time step of a moment (RFC 6238 §4.2: T = floor((now − T0) / X), T0 = 0). */
export function stepAt(period: number, nowMs: number): number {
  return TOTP.counter({ period, timestamp: nowMs });
}

/** Compares a typed code with an expected one without leaking where they differ. */
export function sameCode(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
