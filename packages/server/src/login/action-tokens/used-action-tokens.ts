// The action_token_use table: ids of action tokens (links sent by email) already used, kept until
// the token expires — Keycloak's single-use object store for action tokens
// (SingleUseObjectProvider.putIfAbsent). The insert decides, so two clicks racing on one link,
// in one process or several, cannot both use it.
import type { Executor } from '../../store/executor.ts';

export class UsedActionTokens {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  /** Marks the token used; false when it was used already. */
  async use(realmId: string, jti: string, expiresAt: number, now: number): Promise<boolean> {
    await this.#db.deleteFrom('action_token_use').where('expires_at', '<', now).execute();
    const result = await this.#db
      .insertInto('action_token_use')
      .values({ jti, realm_id: realmId, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** Whether the token was used already (the link's page says so before asking anything). */
  async used(jti: string): Promise<boolean> {
    const row = await this.#db.selectFrom('action_token_use').select('jti').where('jti', '=', jti).executeTakeFirst();
    return row !== undefined;
  }
}
