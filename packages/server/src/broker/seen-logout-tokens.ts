// broker_seen_logout_token: upstream logout tokens already accepted, by alias and jti, until they
// could no longer be accepted anyway (BCL §2.6 step 8: a replayed token is refused; Keycloak keeps
// no such record).
import { sha256 } from '../crypto/random.ts';
import type { Executor } from '../store/executor.ts';

export class SeenLogoutTokens {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async deleteExpired(now = Date.now()): Promise<void> {
    await this.#db.deleteFrom('broker_seen_logout_token').where('expires_at', '<', now).execute();
  }

  /** Records the token; false when it was seen before (a replay). */
  async first(alias: string, jti: string, expiresAt: number, now = Date.now()): Promise<boolean> {
    const id = sha256(`${alias}\u0000${jti}`);
    await this.#db.deleteFrom('broker_seen_logout_token').where('expires_at', '<', now).execute();
    const res = await this.#db
      .insertInto('broker_seen_logout_token')
      .values({ id, expires_at: expiresAt })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
}
