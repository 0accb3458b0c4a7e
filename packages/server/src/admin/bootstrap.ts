// The master realm with Keycloak's `admin-cli` client and a bootstrap admin, created on first
// start from SUNDOWN_ADMIN_* (or KC_BOOTSTRAP_ADMIN_*). A later start never resets the admin.
import type { Kysely } from 'kysely';
import { newId } from '../crypto/random.ts';
import { CLIENT_ATTRIBUTE } from '../realm/attributes.ts';
import { importRealm } from '../realm/import-realm.ts';
import { parseRealmJson } from '../realm/realm-json.ts';
import { clientRow } from '../realm/rows.ts';
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

/** Keycloak's name for the admin console's client. */
export const CONSOLE_CLIENT_ID = 'security-admin-console';

/**
 * The console signs in with the code flow and PKCE as a public client of the master realm.
 * Its redirect URI follows the public URL, which may change between starts.
 */
export async function ensureConsoleClient(db: Kysely<Database>, consoleUrl: string): Promise<void> {
  const master = await db.selectFrom('realm').select('id').where('name', '=', MASTER_REALM).executeTakeFirst();
  if (!master) return;
  const values = clientRow(
    {
      clientId: CONSOLE_CLIENT_ID,
      name: 'Sundown admin console',
      secret: null,
      publicClient: true,
      enabled: true,
      redirectUris: [consoleUrl],
      webOrigins: ['+'],
      rootUrl: null,
      adminUrl: null,
      frontchannelLogout: false,
      standardFlowEnabled: true,
      directAccessGrantsEnabled: false,
      serviceAccountsEnabled: false,
      attributes: { [CLIENT_ATTRIBUTE.postLogoutRedirectUris]: '+' },
    },
    null,
  );
  const existing = await db.selectFrom('client').select('id').where('realm_id', '=', master.id).where('client_id', '=', CONSOLE_CLIENT_ID).executeTakeFirst();
  if (existing) await db.updateTable('client').set(values).where('id', '=', existing.id).execute();
  else await db.insertInto('client').values({ id: newId(), realm_id: master.id, created_at: Date.now(), ...values }).execute();
}
