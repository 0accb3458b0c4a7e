// The realm secret that signs refresh tokens, owner of the `realm_secret` table. Keycloak signs
// refresh tokens with the realm's generated HMAC key (HS512), not its RSA key: only Keycloak
// itself ever verifies them, and an HMAC costs microseconds where an RSA signature costs about
// a millisecond on every grant. Sundown does the same. The token is still looked up by its
// stored hash, so the signature is not what makes it valid; it makes the JWT honest about who
// issued it and keeps forged look-alikes out of logs and tools that decode it.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../crypto/random.ts';
import type { Database } from '../store/schema.ts';

export const REFRESH_TOKEN_ALG = 'HS512';
const PURPOSE = 'refresh_token';

export interface RefreshTokenKey {
  kid: string;
  key: Uint8Array;
}

export class RefreshTokenKeys {
  readonly #db: Kysely<Database>;
  readonly #cache = new Map<string, Promise<RefreshTokenKey>>();

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** The realm's key, created on first use; processes racing to create it all use the first stored. */
  key(realmId: string): Promise<RefreshTokenKey> {
    let key = this.#cache.get(realmId);
    if (!key) {
      key = this.#load(realmId);
      // A failed read (store outage) is not cached.
      key.catch(() => this.#cache.delete(realmId));
      this.#cache.set(realmId, key);
    }
    return key;
  }

  async #load(realmId: string): Promise<RefreshTokenKey> {
    const existing = await this.#read(realmId);
    if (existing) return existing;
    // RFC 7518 §3.2: an HS512 key has at least 512 bits.
    await this.#db
      .insertInto('realm_secret')
      .values({
        realm_id: realmId,
        purpose: PURPOSE,
        kid: newId(),
        secret: randomBytes(64).toString('base64url'),
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.columns(['realm_id', 'purpose']).doNothing())
      .execute();
    const stored = await this.#read(realmId);
    if (!stored) throw new Error(`refresh token key of realm ${realmId} could not be stored`);
    return stored;
  }

  async #read(realmId: string): Promise<RefreshTokenKey | undefined> {
    const row = await this.#db
      .selectFrom('realm_secret')
      .select(['kid', 'secret'])
      .where('realm_id', '=', realmId)
      .where('purpose', '=', PURPOSE)
      .executeTakeFirst();
    return row && { kid: row.kid, key: Buffer.from(row.secret, 'base64url') };
  }
}
