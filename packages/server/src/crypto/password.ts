// Passwords are hashed with argon2id through Node's built-in crypto.argon2, with the OWASP
// Password Storage Cheat Sheet's first recommended parameter set, and stored as a PHC string.
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Argon2Params {
  memory: number;
  passes: number;
  parallelism: number;
}

/** OWASP: m=19456 KiB (19 MiB), t=2, p=1. */
export const OWASP_ARGON2ID: Argon2Params = { memory: 19456, passes: 2, parallelism: 1 };

const TAG_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, params: Argon2Params, tagLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2('argon2id', { message: password, nonce: salt, tagLength, ...params }, (err: Error | null, key: Buffer) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string, params: Argon2Params = OWASP_ARGON2ID): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const tag = await derive(password, salt, params, TAG_LENGTH);
  return `$argon2id$v=19$m=${params.memory},t=${params.passes},p=${params.parallelism}$${b64(salt)}$${b64(tag)}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const m = PHC.exec(phc);
  if (!m) return false;
  const params = { memory: Number(m[1]), passes: Number(m[2]), parallelism: Number(m[3]) };
  const salt = Buffer.from(m[4]!, 'base64');
  const expected = Buffer.from(m[5]!, 'base64');
  const actual = await derive(password, salt, params, expected.length);
  return timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real verification, so that an unknown username cannot be told
 * apart from a wrong password by timing.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('sundown-dummy-password');
  await verifyPassword(password, await dummyHash);
  return false;
}

/**
 * How logins check a password: against the user's stored hash, or — `phc` null, an unknown
 * user — against a dummy hash, so both cost one argon2 verification. Injectable, so tests can
 * count the verifications that really ran.
 */
export type PasswordVerifier = (password: string, phc: string | null) => Promise<boolean>;

export const verifyStoredPassword: PasswordVerifier = (password, phc) =>
  phc ? verifyPassword(password, phc) : verifyAgainstDummy(password);

// PHC strings use standard base64 without padding.
function b64(buf: Buffer): string {
  return buf.toString('base64').replace(/=+$/, '');
}
