// Owner of `saml_seen_logout_request`: the IDs of LogoutRequests SPs sent us, kept until they
// could no longer pass the freshness check (message-checks.ts checkFreshness), so a replayed
// LogoutRequest is refused (saml.md §8.8) — by every process sharing the store.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';

export class SeenLogoutRequests {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Records the ID; false when this client's request ID was seen before (a replay). */
  async firstSight(
    realmId: string,
    clientId: string,
    requestId: string,
    keepUntil: number,
    now = Date.now(),
  ): Promise<boolean> {
    await this.#db
      .deleteFrom('saml_seen_logout_request')
      .where('realm_id', '=', realmId)
      .where('expires_at', '<', now)
      .execute();
    const res = await this.#db
      .insertInto('saml_seen_logout_request')
      .values({ realm_id: realmId, client_id: clientId, request_id: requestId, expires_at: keepUntil })
      .onConflict((oc) => oc.columns(['realm_id', 'client_id', 'request_id']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
  }
}
