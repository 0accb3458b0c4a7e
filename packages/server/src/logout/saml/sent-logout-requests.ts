// Owner of `saml_logout_request`: the front-channel LogoutRequests Sundown sent, so a
// LogoutResponse coming back is checked against one (Core §3.2.2 InResponseTo; Keycloak did not
// verify inbound LogoutResponses before 26.8, keycloak#51211), answered once, by the client it
// was sent to. The answer's status is kept for the session's record.
import type { Kysely } from 'kysely';
import type { Database, SamlLogoutRequestTable } from '../../store/schema.ts';

export class SentLogoutRequests {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Remembers requests about to be sent; drops expired ones of the realm on the way. */
  async remember(rows: readonly SamlLogoutRequestTable[], now = Date.now()): Promise<void> {
    if (rows.length === 0) return;
    await this.#db
      .deleteFrom('saml_logout_request')
      .where('realm_id', '=', rows[0]!.realm_id)
      .where('expires_at', '<', now)
      .execute();
    await this.#db
      .insertInto('saml_logout_request')
      .values([...rows])
      .execute();
  }

  /** The front-channel LogoutRequests one logout's signed-out page sent (its status page and trace). */
  async ofLogout(logoutId: string): Promise<SamlLogoutRequestTable[]> {
    return this.#db
      .selectFrom('saml_logout_request')
      .selectAll()
      .where('logout_id', '=', logoutId)
      .orderBy('created_at')
      .execute();
  }

  /**
   * Marks the request `id` of `clientId` answered with `status`, once: null when there is no such
   * unanswered, unexpired request of that client (unknown, foreign, replayed or late answer).
   */
  async answer(
    realmId: string,
    clientId: string,
    id: string,
    status: string,
    now = Date.now(),
  ): Promise<SamlLogoutRequestTable | null> {
    const row = await this.#db
      .updateTable('saml_logout_request')
      .set({ answered_at: now, status })
      .where('id', '=', id)
      .where('realm_id', '=', realmId)
      .where('client_id', '=', clientId)
      .where('answered_at', 'is', null)
      .where('expires_at', '>=', now)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }
}
