// Keycloak's not-before policy: a realm and each client may carry a time (seconds since the
// epoch) before which every token issued is refused. "Log out all" sets the realm's to now; the
// admin "push revocation" tells admin-URL adapters the current value (k_push_not_before).
// Keycloak's TokenVerifier refuses `iat < notBefore`; so do Sundown's access-token checks
// (userinfo, introspection, admin API) and the refresh grant. This module owns the not_before table.
import { InvalidRequest } from '../errors.ts';
import type { Executor } from '../store/executor.ts';

/** The realm's own row; other rows are keyed by the client's internal id. */
const REALM_ROW = '';

export class NotBeforeStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async ofRealm(realmId: string): Promise<number> {
    return this.#get(realmId, REALM_ROW);
  }

  async ofClient(realmId: string, clientId: string): Promise<number> {
    return this.#get(realmId, clientId);
  }

  /** Every client's not-before time in a realm, by internal client id (the admin API lists). */
  async ofClients(realmId: string): Promise<Map<string, number>> {
    const rows = await this.#db.selectFrom('not_before').select(['client_id', 'not_before']).where('realm_id', '=', realmId).where('client_id', '!=', REALM_ROW).execute();
    return new Map(rows.map((r) => [r.client_id, r.not_before]));
  }

  setRealm(realmId: string, notBefore: number): Promise<void> {
    return this.#put(realmId, REALM_ROW, notBefore);
  }

  setClient(realmId: string, clientId: string, notBefore: number): Promise<void> {
    return this.#put(realmId, clientId, notBefore);
  }

  /**
   * Whether a token issued at `iat` (seconds) is older than the realm's or the client's not-before
   * time. `clientId` is the internal id, or null when the client is unknown (only the realm's counts).
   */
  async issuedBefore(realmId: string, clientId: string | null, iat: number): Promise<boolean> {
    const row = await this.#db
      .selectFrom('not_before')
      .select((eb) => eb.fn.max('not_before').as('nb'))
      .where('realm_id', '=', realmId)
      .where('client_id', 'in', [REALM_ROW, clientId ?? REALM_ROW])
      .executeTakeFirst();
    const nb = row?.nb == null ? 0 : Number(row.nb);
    return iat < nb;
  }

  async #get(realmId: string, clientId: string): Promise<number> {
    const row = await this.#db.selectFrom('not_before').select('not_before').where('realm_id', '=', realmId).where('client_id', '=', clientId).executeTakeFirst();
    return row?.not_before ?? 0;
  }

  async #put(realmId: string, clientId: string, notBefore: number): Promise<void> {
    await this.#db
      .insertInto('not_before')
      .values({ realm_id: realmId, client_id: clientId, not_before: notBefore })
      .onConflict((oc) => oc.columns(['realm_id', 'client_id']).doUpdateSet({ not_before: notBefore }))
      .execute();
  }
}

/** Takes the `notBefore` field out of an admin representation: whole seconds ≥ 0, or absent. */
export function notBeforeField(body: Record<string, unknown>): number | undefined {
  const value = body.notBefore;
  delete body.notBefore;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) throw new InvalidRequest('notBefore must be whole seconds since the epoch (0: none)');
  return value;
}
