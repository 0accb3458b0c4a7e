// Passwords are hashed with argon2id through Node's built-in crypto.argon2, with the OWASP
// Password Storage Cheat Sheet's first recommended parameter set, and stored as a PHC string.
// Hashes imported from Keycloak (keycloak-password-hash.ts) are verified as they are — argon2
// of any type and parameters, PBKDF2 (pbkdf2-hash.ts) — and `needsRehash` tells the sign-in to
// replace them with Sundown's argon2id once the password is known to be right.
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { isPbkdf2Phc, verifyPbkdf2 } from './pbkdf2-hash.ts';

export interface Argon2Params {
  memory: number;
  passes: number;
  parallelism: number;
}

/** OWASP: m=19456 KiB (19 MiB), t=2, p=1. */
export const OWASP_ARGON2ID: Argon2Params = { memory: 19456, passes: 2, parallelism: 1 };

const TAG_LENGTH = 32;
const SALT_LENGTH = 16;

export type Argon2Type = 'argon2id' | 'argon2i' | 'argon2d';

function derive(
  password: string,
  salt: Buffer,
  params: Argon2Params,
  tagLength: number,
  type: Argon2Type = 'argon2id',
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(type, { message: password, nonce: salt, tagLength, ...params }, (err: Error | null, key: Buffer) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string, params: Argon2Params = OWASP_ARGON2ID): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const tag = await derive(password, salt, params, TAG_LENGTH);
  return argon2Phc('argon2id', params, salt, tag);
}

const PHC = /^\$(argon2id|argon2i|argon2d)\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** An argon2 PHC string (version 1.3, the one node:crypto computes). */
export function argon2Phc(type: Argon2Type, params: Argon2Params, salt: Buffer, hash: Buffer): string {
  return `$${type}$v=19$m=${params.memory},t=${params.passes},p=${params.parallelism}$${b64(salt)}$${b64(hash)}`;
}

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  if (isPbkdf2Phc(phc)) return verifyPbkdf2(password, phc);
  const m = PHC.exec(phc);
  if (!m) return false;
  const params = { memory: Number(m[2]), passes: Number(m[3]), parallelism: Number(m[4]) };
  const salt = Buffer.from(m[5]!, 'base64');
  const expected = Buffer.from(m[6]!, 'base64');
  const actual = await derive(password, salt, params, expected.length, m[1] as Argon2Type);
  return timingSafeEqual(actual, expected);
}

/**
 * Whether a stored hash should be replaced after a successful sign-in: anything but argon2id
 * with at least Sundown's parameters (an imported Keycloak PBKDF2 or weaker argon2 hash).
 */
export function needsRehash(phc: string, params: Argon2Params = OWASP_ARGON2ID): boolean {
  const m = PHC.exec(phc);
  if (!m || m[1] !== 'argon2id') return true;
  return Number(m[2]) < params.memory || Number(m[3]) < params.passes;
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
