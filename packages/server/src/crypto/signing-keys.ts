// Per-realm signing keys: generated on first use, persisted, published in the JWKS with a
// `kid`. Rotation adds a new active key and keeps the old public keys published so that
// tokens signed before the rotation still verify.

import {
  createLocalJWKSet,
  // jose's type, not the DOM's: the published declarations must check without lib "dom".
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { newId } from './random.ts';

export const SUPPORTED_SIGNING_ALGS = ['RS256', 'ES256', 'PS256'] as const;
export type SigningAlg = (typeof SUPPORTED_SIGNING_ALGS)[number];
export const DEFAULT_SIGNING_ALG: SigningAlg = 'RS256';

export function isSigningAlg(value: string): value is SigningAlg {
  return (SUPPORTED_SIGNING_ALGS as readonly string[]).includes(value);
}

export interface ActiveKey {
  kid: string;
  alg: SigningAlg;
  key: CryptoKey;
}

interface RealmKeys {
  loadedAt: number;
  active: Map<SigningAlg, ActiveKey>;
  jwks: JSONWebKeySet;
  getKey: JWTVerifyGetKey;
}

/**
 * How long a process trusts its cached view of a realm's keys. Another process may rotate
 * keys (PostgreSQL deployments); after this long every process signs with the new key.
 */
const CACHE_MS = 30_000;

export class SigningKeys {
  readonly #db: Kysely<Database>;
  readonly #cache = new Map<string, Promise<RealmKeys>>();

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** The key that signs new tokens of `alg` for the realm, created on first use. */
  async activeKey(realmId: string, alg: SigningAlg): Promise<ActiveKey> {
    let keys = await this.#load(realmId);
    let key = keys.active.get(alg);
    if (!key) {
      await this.#createKey(realmId, alg);
      this.#cache.delete(realmId);
      keys = await this.#load(realmId);
      key = keys.active.get(alg);
      if (!key) throw new Error(`No ${alg} signing key for realm ${realmId}`);
    }
    return key;
  }

  /** The realm's public keys (active and passive), as served at the `certs` endpoint. */
  async jwks(realmId: string): Promise<JSONWebKeySet> {
    await this.activeKey(realmId, DEFAULT_SIGNING_ALG);
    return (await this.#load(realmId)).jwks;
  }

  /** A key resolver for jose's jwtVerify over the realm's published keys. */
  async verificationKeys(realmId: string): Promise<JWTVerifyGetKey> {
    return (await this.#load(realmId)).getKey;
  }

  /** Makes a new active key for `alg`; the previous one stays published as passive. */
  async rotate(realmId: string, alg: SigningAlg = DEFAULT_SIGNING_ALG): Promise<string> {
    const kid = await this.#db.transaction().execute(async (trx) => {
      await trx
        .updateTable('signing_key')
        .set({ status: 'passive' })
        .where('realm_id', '=', realmId)
        .where('alg', '=', alg)
        .where('status', '=', 'active')
        .execute();
      return this.#insertKey(trx, realmId, alg);
    });
    this.#cache.delete(realmId);
    return kid;
  }

  async #createKey(realmId: string, alg: SigningAlg): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('signing_key')
        .select('kid')
        .where('realm_id', '=', realmId)
        .where('alg', '=', alg)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (!existing) await this.#insertKey(trx, realmId, alg);
    });
  }

  async #insertKey(trx: Kysely<Database>, realmId: string, alg: SigningAlg): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = newId();
    const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg };
    await trx
      .insertInto('signing_key')
      .values({
        kid,
        realm_id: realmId,
        alg,
        status: 'active',
        private_jwk: JSON.stringify(privateJwk),
        public_jwk: JSON.stringify(publicJwk),
        created_at: Date.now(),
      })
      .execute();
    return kid;
  }

  #load(realmId: string): Promise<RealmKeys> {
    const cached = this.#cache.get(realmId);
    if (cached) {
      return cached.then((keys) => {
        if (Date.now() - keys.loadedAt < CACHE_MS) return keys;
        this.#cache.delete(realmId);
        return this.#load(realmId);
      });
    }
    const loading = this.#read(realmId);
    this.#cache.set(realmId, loading);
    loading.catch(() => this.#cache.delete(realmId));
    return loading;
  }

  async #read(realmId: string): Promise<RealmKeys> {
    const rows = await this.#db
      .selectFrom('signing_key')
      .selectAll()
      .where('realm_id', '=', realmId)
      .orderBy('created_at', 'desc')
      .execute();
    const active = new Map<SigningAlg, ActiveKey>();
    for (const row of rows) {
      if (row.status !== 'active' || !isSigningAlg(row.alg) || active.has(row.alg)) continue;
      const key = (await importJWK(JSON.parse(row.private_jwk) as JWK, row.alg)) as CryptoKey;
      active.set(row.alg, { kid: row.kid, alg: row.alg, key });
    }
    const jwks: JSONWebKeySet = { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
    return { loadedAt: Date.now(), active, jwks, getKey: createLocalJWKSet(jwks) };
  }
}
