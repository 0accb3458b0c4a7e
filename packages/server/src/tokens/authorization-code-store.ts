// The authorization_code table: one-time codes (RFC 6749 §4.1.2), stored only as their SHA-256.
import type { Executor } from '../store/executor.ts';
import type { AuthorizationCodeTable } from '../store/schema.ts';

/** Used and expired codes are kept this long, so a late replay is still recognised. */
const KEEP_AFTER_EXPIRY_MS = 3_600_000;

export class AuthorizationCodeStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(row: AuthorizationCodeTable): Promise<void> {
    await this.#db.insertInto('authorization_code').values(row).execute();
  }

  async find(codeHash: string): Promise<AuthorizationCodeTable | undefined> {
    return this.#db.selectFrom('authorization_code').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
  }

  /** Marks the code used, atomically: false when it was used already (a replay). */
  async claim(codeHash: string, now: number, db: Executor = this.#db): Promise<boolean> {
    const claimed = await db
      .updateTable('authorization_code')
      .set({ used_at: now })
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) === 1;
  }

  async deleteExpired(now: number): Promise<void> {
    await this.#db
      .deleteFrom('authorization_code')
      .where('expires_at', '<', now - KEEP_AFTER_EXPIRY_MS)
      .execute();
  }
}
