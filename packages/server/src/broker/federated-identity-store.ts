// federated_identity: which local user an upstream account is (Keycloak's FederatedIdentityModel:
// identityProvider, userId, userName). One link per user and upstream, one user per upstream account.
import type { Executor } from '../store/executor.ts';
import type { FederatedIdentityTable } from '../store/schema.ts';

export interface FederatedIdentity {
  userId: string;
  alias: string;
  upstreamUserId: string;
  upstreamUsername: string | null;
}

function fromRow(r: FederatedIdentityTable): FederatedIdentity {
  return {
    userId: r.user_id,
    alias: r.alias,
    upstreamUserId: r.upstream_user_id,
    upstreamUsername: r.upstream_username,
  };
}

export class FederatedIdentityStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  /** The local user linked to this upstream account, if any. */
  async find(realmId: string, alias: string, upstreamUserId: string): Promise<FederatedIdentity | undefined> {
    const row = await this.#db
      .selectFrom('federated_identity')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where('alias', '=', alias)
      .where('upstream_user_id', '=', upstreamUserId)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async ofUser(userId: string): Promise<FederatedIdentity[]> {
    const rows = await this.#db
      .selectFrom('federated_identity')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('alias')
      .execute();
    return rows.map(fromRow);
  }

  async link(
    realmId: string,
    link: FederatedIdentity,
    token: string | null,
    now = Date.now(),
    db: Executor = this.#db,
  ): Promise<void> {
    await db
      .insertInto('federated_identity')
      .values({
        realm_id: realmId,
        user_id: link.userId,
        alias: link.alias,
        upstream_user_id: link.upstreamUserId,
        upstream_username: link.upstreamUsername,
        token,
        created_at: now,
      })
      .execute();
  }

  /** The stored upstream token response of a link (storeToken), refreshed at each sign-in. */
  async updateToken(userId: string, alias: string, token: string | null): Promise<void> {
    await this.#db
      .updateTable('federated_identity')
      .set({ token })
      .where('user_id', '=', userId)
      .where('alias', '=', alias)
      .execute();
  }

  async unlink(userId: string, alias: string): Promise<boolean> {
    const res = await this.#db
      .deleteFrom('federated_identity')
      .where('user_id', '=', userId)
      .where('alias', '=', alias)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
