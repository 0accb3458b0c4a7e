// The master realm with Keycloak's `admin-cli` client and a bootstrap admin, created on first
// start from SUNDOWN_ADMIN_* (or KC_BOOTSTRAP_ADMIN_*). A later start never resets the admin.
import { newId } from '../crypto/random.ts';
import { CLIENT_ATTRIBUTE } from '../realm/attributes.ts';
import { accessWriterDepsOver } from '../access/access-stores.ts';
import { AccessWriter } from '../access/access-writer.ts';
import { RealmWriter } from '../realm/realm-writer.ts';
import { importRealm } from '../realm-import/import-realm.ts';
import { parseRealmJson } from '../realm-import/realm-json.ts';
import { clientRow } from '../realm-import/rows.ts';
import type { Executor } from '../store/executor.ts';
import { AdminStore } from './admin-store.ts';

export const MASTER_REALM = 'master';
export const ADMIN_ROLE = 'admin';

export interface BootstrapAdmin {
  username: string;
  password: string;
}

/** Returns true when it created the admin (first start). */
export async function ensureBootstrapAdmin(db: Executor, admin: BootstrapAdmin): Promise<boolean> {
  const store = new AdminStore(db);
  const master = await store.realmIdByName(MASTER_REALM);
  if (master !== undefined && (await store.hasUsers(master))) return false;
  await importRealm(
    db,
    parseRealmJson({
      realm: MASTER_REALM,
      displayName: 'Sundown administration',
      clients: [
        { clientId: 'admin-cli', publicClient: true, standardFlowEnabled: false, directAccessGrantsEnabled: true },
      ],
      users: [
        {
          username: admin.username,
          enabled: true,
          realmRoles: [ADMIN_ROLE],
          credentials: [{ type: 'password', value: admin.password }],
        },
      ],
    }),
  );
  return true;
}

/** Keycloak's name for the admin console's client. */
export const CONSOLE_CLIENT_ID = 'security-admin-console';

/** How to turn the console on: said at start-up and by /admin/ while there is no master realm. */
export const CONSOLE_OFF_HINT =
  "start with SUNDOWN_ADMIN_USERNAME and SUNDOWN_ADMIN_PASSWORD set (or Keycloak's KC_BOOTSTRAP_ADMIN_USERNAME and KC_BOOTSTRAP_ADMIN_PASSWORD): that creates the master realm with this admin, who signs in to the console";

/**
 * The console signs in with the code flow and PKCE as a public client of the master realm.
 * Its redirect URI follows the public URL, which may change between starts. False when there is
 * no master realm, so no console.
 */
export async function ensureConsoleClient(db: Executor, consoleUrl: string): Promise<boolean> {
  const store = new AdminStore(db);
  const master = await store.realmIdByName(MASTER_REALM);
  if (master === undefined) return false;
  const values = clientRow(
    {
      clientId: CONSOLE_CLIENT_ID,
      protocol: 'openid-connect',
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
      fullScopeAllowed: true,
      protocolMappers: null,
      defaultClientScopes: null,
      optionalClientScopes: null,
      attributes: { [CLIENT_ATTRIBUTE.postLogoutRedirectUris]: '+' },
    },
    null,
  );
  const writer = new RealmWriter(db, newId);
  const existing = await store.clientIdByClientId(master, CONSOLE_CLIENT_ID);
  if (existing !== undefined) {
    await writer.updateClient(existing, values);
    return true;
  }
  // A new client gets the realm's default scopes (roles among them: the console reads realm_access).
  const id = newId();
  await writer.insertClient(id, master, values);
  await new AccessWriter(accessWriterDepsOver(db, writer)).linkRealmDefaults(db, master, id, 'openid-connect');
  return true;
}
