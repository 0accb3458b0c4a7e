// The clients every Keycloak realm has from its creation (RealmManager.setupRealmDefaults), in
// every export: Sundown imports them as they are — their `${authBaseUrl}` and `${authAdminUrl}`
// rootUrl and relative redirect URIs resolve against Sundown's own URL at run time, as Keycloak
// resolves them (oidc/redirect-uri-pattern.ts) — but serves none of Keycloak's own apps.
import { AUTH_ADMIN_URL, AUTH_BASE_URL } from '../oidc/redirect-uri-pattern.ts';

/** What each built-in client is in Keycloak, and what it is worth in Sundown. */
const BUILTIN_CLIENTS: Readonly<Record<string, string>> = {
  account: "Keycloak's account console",
  'account-console': "Keycloak's account console",
  'admin-cli': "Keycloak's command-line admin client (kept: a public client for the password grant)",
  broker: "Keycloak's identity brokering",
  'realm-management': "the holder of Keycloak's realm admin roles",
  'security-admin-console': "Keycloak's admin console (Sundown's console signs in to the master realm)",
};

export function isBuiltinClient(clientId: string): boolean {
  return Object.hasOwn(BUILTIN_CLIENTS, clientId);
}

/** Whether a rootUrl is one of Keycloak's placeholders for its own URL. */
export function isRootUrlPlaceholder(rootUrl: string): boolean {
  return rootUrl === AUTH_BASE_URL || rootUrl === AUTH_ADMIN_URL;
}

/** The report's line about the built-in clients a realm file had, or null. */
export function builtinClientsNote(clientIds: readonly string[]): string | null {
  const found = clientIds.filter(isBuiltinClient);
  if (found.length === 0) return null;
  const apps = [...new Set(found.filter((id) => id !== 'admin-cli').map((id) => BUILTIN_CLIENTS[id]!.split(' (')[0]))];
  return (
    `Keycloak's built-in clients ${found.join(', ')} were imported as clients (their \${authBaseUrl} and ` +
    `relative URIs resolve against this server), but Sundown does not serve ${apps.join(', ')}.`
  );
}
