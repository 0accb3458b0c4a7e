// The saml_seen_authn_request table: AuthnRequest IDs already accepted, per client, until the
// request could no longer pass the freshness check (message-checks.ts checkFreshness). A second
// AuthnRequest with the same ID is a replay and is refused (Core §1.3.4 IDs are unique;
// saml.md §8.8). The insert decides, so two processes racing on one ID cannot both accept it.
import type { Executor } from '../../store/executor.ts';

export class SeenAuthnRequests {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  /** Records the ID; false when it was already recorded and is still remembered (a replay). */
  async firstUse(
    realmId: string,
    clientId: string,
    requestId: string,
    keepUntil: number,
    now: number,
  ): Promise<boolean> {
    await this.#db.deleteFrom('saml_seen_authn_request').where('expires_at', '<', now).execute();
    const result = await this.#db
      .insertInto('saml_seen_authn_request')
      .values({ realm_id: realmId, client_id: clientId, request_id: requestId, expires_at: keepUntil })
      .onConflict((oc) => oc.columns(['realm_id', 'client_id', 'request_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }
}
