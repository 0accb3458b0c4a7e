// A user's place in the authorization model, from Keycloak's UserRepresentation: its realm and
// client role mappings, its groups (by path), its attributes and, for a service account, the
// client it belongs to. Names are resolved when the import is written (write-access.ts).
import { multiValuedMap, optionalStringList, rolesByClient } from './access-json-readers.ts';
import type { ObjectReader } from './realm-json.ts';

export interface UserAccessImport {
  /** Realm role names; null when the representation does not say (a new user then gets the default role). */
  realmRoles: string[] | null;
  /** Client role names by clientId; null when not said. */
  clientRoles: Record<string, string[]> | null;
  /** Group paths ("/parent/child"); null when not said. */
  groups: string[] | null;
  /** Keycloak's attributes, unmanaged ones included (Keycloak 24+ with unmanaged attributes enabled). */
  attributes: Record<string, string[]>;
  /** The clientId whose service account this user is. */
  serviceAccountClientId: string | null;
}

export function parseUserAccess(u: ObjectReader): UserAccessImport {
  return {
    realmRoles: optionalStringList(u, 'realmRoles'),
    clientRoles: rolesByClient(u, 'clientRoles'),
    groups: optionalStringList(u, 'groups'),
    attributes: multiValuedMap(u, 'attributes'),
    serviceAccountClientId: u.string('serviceAccountClientId'),
  };
}
