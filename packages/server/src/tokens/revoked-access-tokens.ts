// The revoked_access_token table: access tokens revoked one by one (RFC 7009), by jti, kept
// until they would have expired anyway.
import type { Executor } from '../store/executor.ts';

export class RevokedAccessTokens {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async add(jti: string, expiresAt: number): Promise<void> {
    await this.#db
      .insertInto('revoked_access_token')
      .values({ jti, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }

  async isRevoked(jti: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('revoked_access_token')
      .select('jti')
      .where('jti', '=', jti)
      .executeTakeFirst();
    return row !== undefined;
  }

  async deleteExpired(now: number): Promise<void> {
    await this.#db.deleteFrom('revoked_access_token').where('expires_at', '<', now).execute();
  }
}
