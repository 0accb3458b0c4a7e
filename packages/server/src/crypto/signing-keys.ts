// Per-realm signing keys: generated on first use, persisted, published in the JWKS with a
// `kid`. Rotation adds a new active key and keeps the old public keys published so that
// tokens signed before the rotation still verify. The store holds at most one active key per
// realm and algorithm (a unique index), so processes racing to create a realm's first key all
// end up signing with the same one.

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
import type { Insertable, Kysely } from 'kysely';
import type { Database, SigningKeyTable } from '../store/schema.ts';
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
  /** The number of the store read this view came from (reads are numbered as they start). */
  read: number;
  active: Map<SigningAlg, ActiveKey>;
  /** Every kid this view knows, so a token signed with any other one triggers a fresh read. */
  kids: Set<string>;
  getKey: JWTVerifyGetKey;
}

export interface SigningKeysOptions {
  /**
   * Tells other processes on the same store that the realm's keys changed (a key was created or
   * rotated), so they drop their cached view at once instead of after `CACHE_MS`.
   */
  announce?: (realmId: string) => void;
}

/**
 * How long a process trusts its cached view of a realm's active keys. Another process may rotate
 * keys (PostgreSQL deployments); after this long at the latest every process signs with the new
 * key. Published keys and verification do not wait for it: the JWKS is read from the store, and a
 * token whose `kid` the cache lacks makes it read the store again.
 */
const CACHE_MS = 30_000;

export class SigningKeys {
  readonly #db: Kysely<Database>;
  readonly #announce: (realmId: string) => void;
  readonly #cache = new Map<string, Promise<RealmKeys>>();
  /** Counts store reads as they start, so a view can be told apart from one read before a write. */
  #reads = 0;

  constructor(db: Kysely<Database>, options: SigningKeysOptions = {}) {
    this.#db = db;
    this.#announce = options.announce ?? (() => {});
  }

  /** The key that signs new tokens of `alg` for the realm, created on first use. */
  async activeKey(realmId: string, alg: SigningAlg): Promise<ActiveKey> {
    let keys = await this.#load(realmId);
    let key = keys.active.get(alg);
    if (!key) {
      // Whoever inserted the key (this call or a racing one), it is committed once createKey
      // returns; only a view read after that moment is sure to hold it. A view another caller
      // started reading earlier (say after a failed read emptied the cache) may predate it.
      const readsBeforeCommit = await this.#createKey(realmId, alg);
      keys = await this.#readSince(realmId, readsBeforeCommit);
      key = keys.active.get(alg);
      if (!key) throw new Error(`No ${alg} signing key for realm ${realmId}`);
    }
    return key;
  }

  /**
   * The realm's public keys (active and passive, never retired), as served at the `certs`
   * endpoint. Read from the store on every call, so every process publishes every key any
   * process signs with, however fresh.
   */
  async jwks(realmId: string): Promise<JSONWebKeySet> {
    await this.activeKey(realmId, DEFAULT_SIGNING_ALG);
    const rows = await this.#publishedRows(realmId);
    const cached = await this.#load(realmId);
    if (rows.some((r) => !cached.kids.has(r.kid))) await this.#reload(realmId, cached);
    return { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
  }

  /**
   * A key resolver for jose's jwtVerify over the realm's published keys. A `kid` unknown to this
   * process's cache may be a key another process just created or rotated to: the store is read
   * again (concurrent misses share one read) before the token is refused.
   */
  async verificationKeys(realmId: string): Promise<JWTVerifyGetKey> {
    await this.#load(realmId);
    return async (header, token) => {
      let keys = await this.#load(realmId);
      if (header.kid !== undefined && !keys.kids.has(header.kid)) keys = await this.#reload(realmId, keys);
      return keys.getKey(header, token);
    };
  }

  /**
   * The realm's published keys of one algorithm with their private halves and creation times,
   * active first (SAML signs with the RS256 key of the JWKS and publishes a certificate for each,
   * saml.md §1). Read from the store, as the JWKS is; the active key is created on first use.
   */
  async publishedKeyPairs(
    realmId: string,
    alg: SigningAlg,
  ): Promise<Array<{ kid: string; privateJwk: JWK; createdAt: number; active: boolean }>> {
    await this.activeKey(realmId, alg);
    const rows = await this.#db
      .selectFrom('signing_key')
      .select(['kid', 'private_jwk', 'created_at', 'status'])
      .where('realm_id', '=', realmId)
      .where('alg', '=', alg)
      .where('status', '!=', 'retired')
      .orderBy('created_at', 'desc')
      .execute();
    const pairs = rows.map((r) => ({
      kid: r.kid,
      privateJwk: JSON.parse(r.private_jwk) as JWK,
      createdAt: r.created_at,
      active: r.status === 'active',
    }));
    return pairs.sort((a, b) => Number(b.active) - Number(a.active));
  }

  /** Forgets the cached view of one realm's keys (or of all): the next use reads the store. */
  invalidate(realmId?: string): void {
    if (realmId === undefined) this.#cache.clear();
    else this.#cache.delete(realmId);
  }

  /**
   * Makes a new active key for `alg`; the previous one stays published as passive. Of two
   * rotations at once, one wins (one active key per realm and algorithm) and both return its kid.
   */
  async rotate(realmId: string, alg: SigningAlg = DEFAULT_SIGNING_ALG): Promise<string> {
    const row = await newKeyRow(realmId, alg);
    const inserted = await this.#db.transaction().execute(async (trx) => {
      await trx
        .updateTable('signing_key')
        .set({ status: 'passive' })
        .where('realm_id', '=', realmId)
        .where('alg', '=', alg)
        .where('status', '=', 'active')
        .execute();
      return insertKey(trx, row);
    });
    this.invalidate(realmId);
    this.#announce(realmId);
    return inserted ? row.kid : (await this.activeKey(realmId, alg)).kid;
  }

  /** Returns the number of store reads started before the key was committed. */
  async #createKey(realmId: string, alg: SigningAlg): Promise<number> {
    // Generated before touching the store: key generation is slow, and no transaction waits on it.
    const row = await newKeyRow(realmId, alg);
    // Two processes may get here at once; the unique index lets one insert win and the other
    // insert nothing, and the caller then reads the winner's key.
    if (await insertKey(this.#db, row)) this.#announce(realmId);
    return this.#reads;
  }

  #publishedRows(realmId: string): Promise<Array<{ kid: string; public_jwk: string }>> {
    return this.#db
      .selectFrom('signing_key')
      .select(['kid', 'public_jwk'])
      .where('realm_id', '=', realmId)
      .where('status', '!=', 'retired')
      .orderBy('created_at', 'desc')
      .execute();
  }

  #load(realmId: string): Promise<RealmKeys> {
    const cached = this.#cache.get(realmId);
    if (cached) {
      return cached.then((keys) => (Date.now() - keys.loadedAt < CACHE_MS ? keys : this.#reload(realmId, keys)));
    }
    const loading = this.#read(realmId);
    this.#cache.set(realmId, loading);
    loading.catch(() => {
      if (this.#cache.get(realmId) === loading) this.#cache.delete(realmId);
    });
    return loading;
  }

  /** Reads the store again unless another caller already replaced `stale` with a newer view. */
  #reload(realmId: string, stale: RealmKeys): Promise<RealmKeys> {
    return this.#readSince(realmId, stale.read);
  }

  /**
   * A view from a store read started after read number `after`: the cached one if it is that
   * recent (concurrent callers share one read), else a new read.
   */
  async #readSince(realmId: string, after: number): Promise<RealmKeys> {
    const entry = this.#cache.get(realmId);
    const current = entry ? await entry.catch(() => undefined) : undefined;
    if (current && current.read > after) return current;
    if (this.#cache.get(realmId) === entry) this.#cache.delete(realmId);
    // Whatever #load returns now was started after this point, so after read number `after`.
    return this.#load(realmId);
  }

  async #read(realmId: string): Promise<RealmKeys> {
    const read = ++this.#reads;
    const rows = await this.#db
      .selectFrom('signing_key')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where('status', '!=', 'retired')
      .orderBy('created_at', 'desc')
      .execute();
    const active = new Map<SigningAlg, ActiveKey>();
    for (const row of rows) {
      if (row.status !== 'active' || !isSigningAlg(row.alg) || active.has(row.alg)) continue;
      const key = (await importJWK(JSON.parse(row.private_jwk) as JWK, row.alg)) as CryptoKey;
      active.set(row.alg, { kid: row.kid, alg: row.alg, key });
    }
    const jwks: JSONWebKeySet = { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
    return {
      loadedAt: Date.now(),
      read,
      active,
      kids: new Set(rows.map((r) => r.kid)),
      getKey: createLocalJWKSet(jwks),
    };
  }
}

async function newKeyRow(realmId: string, alg: SigningAlg): Promise<Insertable<SigningKeyTable> & { kid: string }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = newId();
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg };
  return {
    kid,
    realm_id: realmId,
    alg,
    status: 'active',
    private_jwk: JSON.stringify(privateJwk),
    public_jwk: JSON.stringify(publicJwk),
    created_at: Date.now(),
  };
}

/**
 * Inserts an active key unless the realm already has an active key of its algorithm (the
 * partial unique index `signing_key_one_active_uq`); says whether it was inserted.
 */
async function insertKey(db: Kysely<Database>, row: Insertable<SigningKeyTable>): Promise<boolean> {
  const res = await db
    .insertInto('signing_key')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
}
