// PBKDF2 password hashes as Keycloak stores them (AbstractPbkdf2PasswordHashProvider: HmacSHA1
// for `pbkdf2`, HmacSHA256 for `pbkdf2-sha256`, HmacSHA512 for `pbkdf2-sha512`; the key length
// is the stored hash's length), kept here as a PHC-style string `$pbkdf2-<digest>$i=<n>$<salt>$<hash>`
// (standard base64 without padding). Sundown verifies them through node:crypto and replaces
// them with argon2id at the user's next successful sign-in (crypto/password.ts).
import { pbkdf2, timingSafeEqual } from 'node:crypto';

export type Pbkdf2Digest = 'sha1' | 'sha256' | 'sha512';

const PHC = /^\$pbkdf2-(sha1|sha256|sha512)\$i=(\d{1,7})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');

export function pbkdf2Phc(digest: Pbkdf2Digest, iterations: number, salt: Buffer, hash: Buffer): string {
  return `$pbkdf2-${digest}$i=${iterations}$${b64(salt)}$${b64(hash)}`;
}

export function isPbkdf2Phc(phc: string): boolean {
  return PHC.test(phc);
}

export async function verifyPbkdf2(password: string, phc: string): Promise<boolean> {
  const m = PHC.exec(phc);
  if (!m) return false;
  const digest = m[1] as Pbkdf2Digest;
  const iterations = Number(m[2]);
  const salt = Buffer.from(m[3]!, 'base64');
  const expected = Buffer.from(m[4]!, 'base64');
  if (iterations < 1 || expected.length === 0) return false;
  const actual = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(password, salt, iterations, expected.length, digest, (err, key) => (err ? reject(err) : resolve(key))),
  );
  return timingSafeEqual(actual, expected);
}
