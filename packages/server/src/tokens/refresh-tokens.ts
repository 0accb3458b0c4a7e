// Refresh tokens are stored only as their SHA-256; this finds one by the value a client sends.
import type { Kysely } from 'kysely';
import { sha256 } from '../crypto/random.ts';
import type { Database, RefreshTokenTable } from '../store/schema.ts';

export async function findRefreshToken(db: Kysely<Database>, realmId: string, token: string): Promise<RefreshTokenTable | undefined> {
  return db.selectFrom('refresh_token').selectAll().where('token_hash', '=', sha256(token)).where('realm_id', '=', realmId).executeTakeFirst();
}
