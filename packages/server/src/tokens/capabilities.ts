// The capabilities this folder offers to the units above it: each is one service, named by what it
// does. A unit declares exactly the ones it uses and composes them with `&`; only the composition
// root (provider.ts) knows them all.
import type { AuthorizationCodeStore } from './authorization-code-store.ts';
import type { NotBeforeStore } from './not-before.ts';
import type { RefreshTokenStore } from './refresh-token-store.ts';
import type { RevokedAccessTokens } from './revoked-access-tokens.ts';
import type { TokenIssuer } from './token-issuer.ts';

export interface UsesRefreshTokens {
  readonly refreshTokens: RefreshTokenStore;
}

export interface UsesAuthorizationCodes {
  readonly codes: AuthorizationCodeStore;
}

export interface UsesRevokedAccessTokens {
  readonly revokedAccessTokens: RevokedAccessTokens;
}

/** Keycloak's not-before times of realms and clients. */
export interface UsesNotBefore {
  readonly notBefore: NotBeforeStore;
}

export interface UsesTokenIssuer {
  readonly tokens: TokenIssuer;
}
