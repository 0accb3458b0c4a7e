// Keycloak's not-before policy: a realm and each client may carry a time (seconds since the
// epoch) before which every token issued is refused. "Log out all" sets the realm's to now; the
// admin "push revocation" tells admin-URL adapters the current value (k_push_not_before).
// Keycloak's TokenVerifier refuses `iat < notBefore`; so do Sundown's access-token checks
// (userinfo, introspection, admin API) and the refresh grant. This module owns the not_before table.
import type { Kysely } from 'kysely';
import { InvalidRequest } from '../errors.ts';
import type { Database } from '../store/schema.ts';

/** The realm's own row; other rows are keyed by the client's internal id. */
const REALM_ROW = '';

export async function realmNotBefore(db: Kysely<Database>, realmId: string): Promise<number> {
  const row = await db.selectFrom('not_before').select('not_before').where('realm_id', '=', realmId).where('client_id', '=', REALM_ROW).executeTakeFirst();
  return row?.not_before ?? 0;
}

export async function clientNotBefore(db: Kysely<Database>, realmId: string, clientId: string): Promise<number> {
  const row = await db.selectFrom('not_before').select('not_before').where('realm_id', '=', realmId).where('client_id', '=', clientId).executeTakeFirst();
  return row?.not_before ?? 0;
}

/** Every client's not-before time in a realm, by internal client id (the admin API lists). */
export async function clientNotBefores(db: Kysely<Database>, realmId: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('not_before').select(['client_id', 'not_before']).where('realm_id', '=', realmId).where('client_id', '!=', REALM_ROW).execute();
  return new Map(rows.map((r) => [r.client_id, r.not_before]));
}

async function put(db: Kysely<Database>, realmId: string, clientId: string, notBefore: number): Promise<void> {
  await db
    .insertInto('not_before')
    .values({ realm_id: realmId, client_id: clientId, not_before: notBefore })
    .onConflict((oc) => oc.columns(['realm_id', 'client_id']).doUpdateSet({ not_before: notBefore }))
    .execute();
}

export const setRealmNotBefore = (db: Kysely<Database>, realmId: string, notBefore: number) => put(db, realmId, REALM_ROW, notBefore);
export const setClientNotBefore = (db: Kysely<Database>, realmId: string, clientId: string, notBefore: number) => put(db, realmId, clientId, notBefore);

/**
 * Whether a token issued at `iat` (seconds) is older than the realm's or the client's not-before
 * time. `client` is the internal id, or `{ clientId }` for the public one (an access token's azp).
 */
export async function issuedBeforeNotBefore(db: Kysely<Database>, realmId: string, client: string | { clientId: string }, iat: number): Promise<boolean> {
  const clientRow =
    typeof client === 'string'
      ? client
      : ((await db.selectFrom('client').select('id').where('realm_id', '=', realmId).where('client_id', '=', client.clientId).executeTakeFirst())?.id ?? REALM_ROW);
  const row = await db
    .selectFrom('not_before')
    .select((eb) => eb.fn.max('not_before').as('nb'))
    .where('realm_id', '=', realmId)
    .where('client_id', 'in', [REALM_ROW, clientRow])
    .executeTakeFirst();
  const nb = row?.nb == null ? 0 : Number(row.nb);
  return iat < nb;
}

/** Takes the `notBefore` field out of an admin representation: whole seconds ≥ 0, or absent. */
export function notBeforeField(body: Record<string, unknown>): number | undefined {
  const value = body.notBefore;
  delete body.notBefore;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) throw new InvalidRequest('notBefore must be whole seconds since the epoch (0: none)');
  return value;
}
