// A Keycloak password credential as its export holds it, turned into a hash Sundown verifies as
// it is (crypto/password.ts). Keycloak 11+ keeps two JSON strings (PasswordCredentialModel):
//   secretData      {"value": base64 hash, "salt": base64 salt, "additionalParameters": {}}
//   credentialData  {"hashIterations": n, "algorithm": "...", "additionalParameters": {...}}
// older exports the same values as `hashedSaltedValue`, `salt`, `hashIterations`, `algorithm`.
// Algorithms (Keycloak's PasswordHashProviderFactory ids): `pbkdf2` (HmacSHA1), `pbkdf2-sha256`
// (Keycloak ≤ 21's default, 27,500 iterations), `pbkdf2-sha512` (22–23, 210,000), and `argon2`
// (24+, Argon2PasswordHashProvider: additionalParameters type id|i|d, version 1.3, hashLength,
// memory KiB, parallelism; hashIterations is its time cost). Anything else — a custom provider's
// `bcrypt`, argon2 version 1.0, which node:crypto does not compute — is reported by name.
import { argon2Phc, type Argon2Type } from './password.ts';
import { type Pbkdf2Digest, pbkdf2Phc } from './pbkdf2-hash.ts';

export type ImportedHash = { ok: true; phc: string; algorithm: string } | { ok: false; reason: string };

export interface KeycloakPasswordFields {
  secretData?: unknown;
  credentialData?: unknown;
  hashedSaltedValue?: unknown;
  salt?: unknown;
  hashIterations?: unknown;
  algorithm?: unknown;
}

const PBKDF2: Readonly<Record<string, Pbkdf2Digest>> = {
  pbkdf2: 'sha1',
  'pbkdf2-sha256': 'sha256',
  'pbkdf2-sha512': 'sha512',
};

const ARGON2_TYPES: Readonly<Record<string, Argon2Type>> = { id: 'argon2id', i: 'argon2i', d: 'argon2d' };

type Json = Record<string, unknown>;

function object(text: unknown, what: string): Json {
  if (typeof text !== 'string') throw new Error(`${what} must be a JSON string`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be an object`);
  return value as Json;
}

function base64(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw new Error(`${what} is not base64`);
  return Buffer.from(value, 'base64');
}

function whole(value: unknown, what: string, min: number, max: number): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw new Error(`${what} must be a whole number from ${min} to ${max}`);
  return n;
}

/** Keycloak keeps argon2's parameters as lists of strings: {"memory": ["7168"]}. */
function first(params: Json, key: string): unknown {
  const v = params[key];
  return Array.isArray(v) ? v[0] : v;
}

/** The stored hash of a Keycloak password credential, or why it cannot be carried over. */
export function importKeycloakPassword(c: KeycloakPasswordFields): ImportedHash {
  try {
    const legacy = c.secretData === undefined && c.credentialData === undefined;
    const secret = legacy ? { value: c.hashedSaltedValue, salt: c.salt } : object(c.secretData, 'secretData');
    const data = legacy
      ? { hashIterations: c.hashIterations, algorithm: c.algorithm ?? 'pbkdf2-sha256', additionalParameters: {} }
      : object(c.credentialData, 'credentialData');
    const algorithm = typeof data.algorithm === 'string' ? data.algorithm : 'pbkdf2-sha256';
    const hash = base64(secret.value, 'the hash value');
    const salt = base64(secret.salt, 'the salt');
    if (hash.length < 16) throw new Error('the hash value is too short');
    const digest = PBKDF2[algorithm];
    if (digest) {
      const iterations = whole(data.hashIterations, 'hashIterations', 1, 10_000_000);
      return { ok: true, phc: pbkdf2Phc(digest, iterations, salt, hash), algorithm };
    }
    if (algorithm === 'argon2') {
      const params = (data.additionalParameters ?? {}) as Json;
      const type = ARGON2_TYPES[String(first(params, 'type') ?? 'id')];
      if (!type) return { ok: false, reason: `argon2 type "${String(first(params, 'type'))}" is not supported` };
      const version = String(first(params, 'version') ?? '1.3');
      if (version !== '1.3') return { ok: false, reason: `argon2 version ${version} is not supported (only 1.3)` };
      const hashLength = whole(first(params, 'hashLength') ?? hash.length, 'hashLength', 4, 1024);
      if (hashLength !== hash.length) throw new Error('hashLength does not match the hash value');
      const phc = argon2Phc(
        type,
        {
          memory: whole(first(params, 'memory'), 'memory', 8, 4_194_304),
          passes: whole(data.hashIterations, 'hashIterations', 1, 1000),
          parallelism: whole(first(params, 'parallelism') ?? 1, 'parallelism', 1, 255),
        },
        salt,
        hash,
      );
      return { ok: true, phc, algorithm };
    }
    return { ok: false, reason: `the hash algorithm "${algorithm}" is not supported` };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
