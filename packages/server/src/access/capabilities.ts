// The capabilities this folder offers to the units above it: each is one service, named by what it
// does. A unit declares exactly the ones it uses and composes them with `&`; only the composition
// root (provider.ts) knows them all.
import type { AccessModelCache, AccessStores } from './access-model-cache.ts';
import type { AccessWriter } from './access-writer.ts';
import type { UserAccessStore } from './user-access-store.ts';

/** Each realm's cached authorization model (roles, groups, client scopes, mappers). */
export interface UsesAccessModel {
  readonly accessModel: AccessModelCache;
}

/** The tables of the authorization model, for realm import and the admin API. */
export interface UsesAccessStores {
  readonly accessStores: AccessStores;
}

/** Users' role mappings and group memberships, read per token. */
export interface UsesUserAccess {
  readonly userAccess: UserAccessStore;
}

/** Default roles, built-in scopes, a new client's scope links, service accounts. */
export interface UsesAccessWriter {
  readonly accessWriter: AccessWriter;
}
