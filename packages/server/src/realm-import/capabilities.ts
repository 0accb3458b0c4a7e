// The capability this folder offers to the admin API above it (see realm/capabilities.ts).
import type { RealmImporter } from './import-realm.ts';

/** Imports a parsed realm into the running provider (the admin API's POST /admin/realms). */
export interface UsesRealmImporter {
  readonly realmImporter: RealmImporter;
}
