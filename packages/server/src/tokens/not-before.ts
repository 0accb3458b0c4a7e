// Keycloak's not-before policy: a realm and each client may carry a time (seconds since the
// epoch) before which every token issued is refused. "Log out all" sets the realm's to now; the
// admin "push revocation" tells admin-URL adapters the current value (k_push_not_before).
// Keycloak's TokenVerifier refuses `iat < notBefore`; so do Sundown's access-token checks
// (userinfo, introspection, admin API) and the refresh grant. This module owns the not_before table.
import { InvalidRequest } from '../errors.ts';
import type { Executor } from '../store/executor.ts';

/** The realm's own row; other rows are keyed by the client's internal id. */
const REALM_ROW = '';

/**
 * The cache generation of realm configuration (RealmRepository.configGeneration): it moves on
 * every write to not_before too (migration 0013), from any process.
 */
export type ConfigGeneration = () => Promise<number>;

/** Realms whose not-before times are kept, before the cache is emptied (a bound on memory). */
const MAX_REALMS = 1000;

export class NotBeforeStore {
  readonly #db: Executor;
  readonly #generation: ConfigGeneration | undefined;
  /** Per realm: every not-before time ('' the realm's own), read at one cache generation. */
  readonly #cache = new Map<string, { generation: number; times: Map<string, number> }>();
  /** Without `generation`, nothing is cached: every check reads the store. */
  constructor(db: Executor, generation?: ConfigGeneration) {
    this.#db = db;
    this.#generation = generation;
  }

  async ofRealm(realmId: string): Promise<number> {
    return this.#get(realmId, REALM_ROW);
  }

  async ofClient(realmId: string, clientId: string): Promise<number> {
    return this.#get(realmId, clientId);
  }

  /** Every client's not-before time in a realm, by internal client id (the admin API lists). */
  async ofClients(realmId: string): Promise<Map<string, number>> {
    const rows = await this.#db
      .selectFrom('not_before')
      .select(['client_id', 'not_before'])
      .where('realm_id', '=', realmId)
      .where('client_id', '!=', REALM_ROW)
      .execute();
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
    if (this.#generation) {
      // Read on every refresh grant and bearer check, changed by admins: from the cache, whose
      // generation the request's one configuration check confirmed (realm/repository.ts).
      const times = await this.#times(realmId, this.#generation);
      return iat < Math.max(times.get(REALM_ROW) ?? 0, clientId === null ? 0 : (times.get(clientId) ?? 0));
    }
    const row = await this.#db
      .selectFrom('not_before')
      .select((eb) => eb.fn.max('not_before').as('nb'))
      .where('realm_id', '=', realmId)
      .where('client_id', 'in', [REALM_ROW, clientId ?? REALM_ROW])
      .executeTakeFirst();
    const nb = row?.nb == null ? 0 : Number(row.nb);
    return iat < nb;
  }

  async #times(realmId: string, current: ConfigGeneration): Promise<Map<string, number>> {
    const generation = await current();
    const cached = this.#cache.get(realmId);
    if (cached?.generation === generation) return cached.times;
    const rows = await this.#db
      .selectFrom('not_before')
      .select(['client_id', 'not_before'])
      .where('realm_id', '=', realmId)
      .execute();
    const times = new Map(rows.map((r) => [r.client_id, Number(r.not_before)]));
    // Keyed by the generation checked before the read: a later change moves the generation, and
    // every request that checks after it reads the store again.
    if (this.#cache.size >= MAX_REALMS) this.#cache.clear();
    this.#cache.set(realmId, { generation, times });
    return times;
  }

  async #get(realmId: string, clientId: string): Promise<number> {
    const row = await this.#db
      .selectFrom('not_before')
      .select('not_before')
      .where('realm_id', '=', realmId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
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
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1)
    throw new InvalidRequest('notBefore must be whole seconds since the epoch (0: none)');
  return value;
}
