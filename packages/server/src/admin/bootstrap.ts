// The master realm with Keycloak's `admin-cli` client and a bootstrap admin, created on first
// start from SUNDOWN_ADMIN_* (or KC_BOOTSTRAP_ADMIN_*). A later start never resets the admin.
import type { Kysely } from 'kysely';
import { importRealm } from '../realm/import-realm.ts';
import { parseRealmJson } from '../realm/realm-json.ts';
import type { Database } from '../store/schema.ts';

export const MASTER_REALM = 'master';
export const ADMIN_ROLE = 'admin';

export interface BootstrapAdmin {
  username: string;
  password: string;
}

/** Returns true when it created the admin (first start). */
export async function ensureBootstrapAdmin(db: Kysely<Database>, admin: BootstrapAdmin): Promise<boolean> {
  const master = await db.selectFrom('realm').select('id').where('name', '=', MASTER_REALM).executeTakeFirst();
  if (master) {
    const users = await db.selectFrom('app_user').select('id').where('realm_id', '=', master.id).limit(1).execute();
    if (users.length > 0) return false;
  }
  await importRealm(
    db,
    parseRealmJson({
      realm: MASTER_REALM,
      displayName: 'Sundown administration',
      clients: [{ clientId: 'admin-cli', publicClient: true, standardFlowEnabled: false, directAccessGrantsEnabled: true }],
      users: [{ username: admin.username, enabled: true, realmRoles: [ADMIN_ROLE], credentials: [{ type: 'password', value: admin.password }] }],
    }),
  );
  return true;
}
