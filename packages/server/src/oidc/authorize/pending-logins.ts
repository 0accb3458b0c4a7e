// The sign-in forms waiting for a user (`auth_request` rows). Any unauthenticated GET of the
// authorization endpoint creates one, so they are bounded twice: expired ones are deleted, and
// a realm keeps about its newest `max` (an evicted form answers "expired, sign in again", as
// Keycloak's login page does after its login timeout). Keycloak and node-oidc-provider also
// store a login state per request; the cap is what bounds it under a flood.
import type { Kysely } from 'kysely';
import type { AuthRequestTable, Database } from '../../store/schema.ts';

/** Default cap per realm: ~5 new abandoned forms a second for the 30-minute form lifetime. */
export const DEFAULT_MAX_PENDING_LOGINS = 10_000;
const DELETE_BATCH = 1000;

export class PendingLogins {
  readonly #db: Kysely<Database>;
  readonly #max: number;
  /** Trimming scans `max` index entries, so it runs after every max/10 saves, not every save. */
  readonly #trimEvery: number;
  readonly #sinceTrim = new Map<string, number>();

  constructor(db: Kysely<Database>, max = DEFAULT_MAX_PENDING_LOGINS) {
    this.#db = db;
    this.#max = max;
    this.#trimEvery = Math.max(1, Math.floor(max / 10));
  }

  /** Stores a form; a realm then holds at most max + max/10 per server process. */
  async save(row: AuthRequestTable): Promise<void> {
    await this.#db.deleteFrom('auth_request').where('expires_at', '<', row.created_at).execute();
    await this.#db.insertInto('auth_request').values(row).execute();
    const n = (this.#sinceTrim.get(row.realm_id) ?? 0) + 1;
    if (n < this.#trimEvery) {
      this.#sinceTrim.set(row.realm_id, n);
      return;
    }
    this.#sinceTrim.set(row.realm_id, 0);
    await this.trim(row.realm_id);
  }

  /** Deletes a realm's forms beyond its newest `max`. */
  async trim(realmId: string): Promise<void> {
    for (;;) {
      const deleted = await this.#db
        .deleteFrom('auth_request')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('auth_request')
            .select('id')
            .where('realm_id', '=', realmId)
            .orderBy('created_at', 'desc')
            .orderBy('id', 'desc')
            .limit(DELETE_BATCH)
            .offset(this.#max),
        )
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) < DELETE_BATCH) return;
    }
  }
}
