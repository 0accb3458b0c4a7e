// The capabilities this folder offers to the units above it: each is one service, named by what it
// does. A unit declares exactly the ones it uses and composes them with `&`; only the composition
// root (provider.ts) knows them all.
import type { RealmSamlKeys } from './realm-saml-keys.ts';
import type { SeenAuthnRequests } from './login/seen-authn-requests.ts';

/** The RS256 keys with their certificates, for SAML signatures and metadata. */
export interface UsesSamlKeys {
  readonly samlKeys: RealmSamlKeys;
}

/** AuthnRequest IDs already accepted (replay refusal). */
export interface UsesSeenAuthnRequests {
  readonly samlAuthnRequests: SeenAuthnRequests;
}
