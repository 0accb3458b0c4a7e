// The capabilities this folder offers to the units above it: each is one service, named by what it
// does. A unit declares exactly the ones it uses and composes them with `&`; only the composition
// root (provider.ts) knows them all.
import type { PasswordHistory } from './password-history.ts';
import type { RealmWriter } from './realm-writer.ts';
import type { RealmRepository } from './repository.ts';

export interface UsesRealms {
  readonly realms: RealmRepository;
}

/** The one writer of realms, clients and users (realm import and the admin API). */
export interface UsesRealmWriter {
  readonly realmWriter: RealmWriter;
}

/** Users' earlier password hashes (Keycloak's passwordHistory policy). */
export interface UsesPasswordHistory {
  readonly passwordHistory: PasswordHistory;
}
