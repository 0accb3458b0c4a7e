// The password_history table: a user's earlier password hashes, for Keycloak's
// `passwordHistory(N)` policy (HistoryPasswordPolicyProvider: the new password must differ from
// the current one and the N-1 before it). A replaced hash is remembered here by whoever sets a
// password (password-change.ts); rows beyond what any policy can ask are dropped.
import type { Executor } from '../store/executor.ts';

/** Kept per user: more than any sensible passwordHistory asks. */
const KEEP = 24;

export class PasswordHistory {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  /** The user's earlier hashes, newest first, at most `limit`. */
  async recent(userId: string, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const rows = await this.#db
      .selectFrom('password_history')
      .select('password_hash')
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.password_hash);
  }

  /** Remembers a hash the user no longer has, and forgets the oldest beyond KEEP. */
  async remember(userId: string, passwordHash: string, now: number): Promise<void> {
    await this.#db
      .insertInto('password_history')
      .values({ user_id: userId, password_hash: passwordHash, created_at: now })
      .execute();
    const old = await this.#db
      .selectFrom('password_history')
      .select('created_at')
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .offset(KEEP)
      .limit(1)
      .executeTakeFirst();
    if (old)
      await this.#db
        .deleteFrom('password_history')
        .where('user_id', '=', userId)
        .where('created_at', '<=', Number(old.created_at))
        .execute();
  }
}
