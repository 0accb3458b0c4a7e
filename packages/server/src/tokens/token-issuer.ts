// Mints the token response of every grant: a JWT access token, an ID token when `openid` was
// granted, and a refresh token — a JWT as Keycloak's (keycloak-js reads its `exp`,
// keycloak-connect its `typ`) that is stored only as its hash and valid only through that row.
// Minting signs but writes nothing: the grant stores the refresh token's row in its own
// transaction, so the signatures (the slow part) never hold SQLite's writer. (The realm's
// refresh-token secret is read, or created on a realm's first refresh token, here, before
// that transaction.)

import { SignJWT } from 'jose';
import { newId, randomToken, sha256 } from '../crypto/random.ts';
import type { SigningKeys } from '../crypto/signing-keys.ts';
import { accessTokenAlg, idTokenAlg } from '../realm/attributes.ts';
import type { Client, Realm, User } from '../realm/model.ts';
import type { RefreshTokenTable } from '../store/schema.ts';
import type { IssuedClaims } from './claims/token-claims.ts';
import type { TokenDraft } from './claims/mapper-kind.ts';
import { REFRESH_TOKEN_ALG, type RefreshTokenKeys } from './refresh-token-key.ts';
import type { ScopeRequest } from './scopes.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  id_token?: string;
  refresh_token?: string;
  refresh_expires_in?: number;
  session_state?: string;
}

export interface IssueInput {
  realm: Realm;
  issuer: string;
  client: Client;
  /** The subject: a user, for client credentials the client's service-account user. */
  user: User | null;
  subject: string;
  session: { id: string; authTime: number; startedAt: number } | null;
  /** The validated scope request, stored with a refresh token. */
  scopes: ScopeRequest;
  /** What the client's protocol mappers put in the tokens (tokens/claims/token-claims.ts). */
  claims: IssuedClaims;
  nonce?: string | null;
  /** Continue this refresh-token family (rotation) instead of starting one. */
  familyId?: string;
  /** The authorization code that started the grant, so a replay can revoke its tokens. */
  codeHash?: string | null;
  /** Issue a refresh token at all (not for client credentials). */
  withRefreshToken: boolean;
}

/** The ID token's own claims (OIDC Core §2; BCL §2.1 `sid`), besides what its client's mappers add. */
export const ID_TOKEN_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'azp'] as const;

/** A new refresh token's row, without the client session the grant records it under. */
export type RefreshTokenRow = Omit<RefreshTokenTable, 'client_session_id'>;

export interface MintedTokens {
  response: TokenResponse;
  /** To be stored (with its client session) before the response is sent; null without one. */
  refresh: RefreshTokenRow | null;
}

export class TokenIssuer {
  readonly #keys: SigningKeys;
  readonly #refreshKeys: RefreshTokenKeys;
  constructor(keys: SigningKeys, refreshKeys: RefreshTokenKeys) {
    this.#keys = keys;
    this.#refreshKeys = refreshKeys;
  }

  async mint(input: IssueInput, now = Date.now()): Promise<MintedTokens> {
    const { realm, client, issuer, scopes, claims } = input;
    const iat = Math.floor(now / 1000);
    const exp = iat + realm.accessTokenLifespan;
    const scope = claims.scope;
    const sid = input.session?.id;

    // The refresh-token family is the grant: access tokens name it so that revoking the grant
    // (code replay, RFC 7009 revocation, refresh reuse) stops them too.
    const grantId = input.withRefreshToken && input.session && input.user ? (input.familyId ?? newId()) : null;

    const accessKey = await this.#keys.activeKey(realm.id, accessTokenAlg(client));
    // The mappers' claims first: the server's own claims below cannot be overwritten by them.
    const access_token = await new SignJWT({
      ...input.claims.access.claims,
      ...mappedProperties(claims.access),
      typ: 'Bearer',
      azp: client.clientId,
      client_id: client.clientId,
      scope,
      ...(sid ? { sid } : {}),
      ...(grantId ? { grant_id: grantId } : {}),
    })
      .setProtectedHeader({ alg: accessKey.alg, kid: accessKey.kid, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setSubject(input.subject)
      .setAudience(audience(client.clientId, claims.access))
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(newId())
      .sign(accessKey.key);

    const response: TokenResponse = {
      access_token,
      token_type: 'Bearer',
      expires_in: realm.accessTokenLifespan,
      scope,
    };

    if (claims.id && input.user && input.session) {
      const idKey = await this.#keys.activeKey(realm.id, idTokenAlg(client));
      // OIDC Core §2: iss sub aud exp iat auth_time nonce azp; BCL §2.1: sid; Keycloak's typ.
      response.id_token = await new SignJWT({
        ...claims.id.claims,
        ...mappedProperties(claims.id),
        // Keycloak's token type claim: keycloak-connect refuses an ID token without typ "ID".
        typ: 'ID',
        auth_time: Math.floor(input.session.authTime / 1000),
        ...(input.nonce ? { nonce: input.nonce } : {}),
        sid: input.session.id,
        azp: client.clientId,
      })
        .setProtectedHeader({ alg: idKey.alg, kid: idKey.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(input.subject)
        .setAudience(audience(client.clientId, claims.id))
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(newId())
        .sign(idKey.key);
      response.session_state = input.session.id;
    }

    let refreshRow: RefreshTokenRow | null = null;
    if (grantId && input.session && input.user) {
      const offline = scopes.offline;
      const stored = scopes.names.join(' ');
      const expiresAt = offline
        ? now + realm.offlineSessionIdleTimeout * 1000
        : Math.min(
            now + realm.ssoSessionIdleTimeout * 1000,
            input.session.startedAt + realm.ssoSessionMaxLifespan * 1000,
          );
      const refresh = await this.#refreshToken(
        {
          issuer,
          subject: input.subject,
          clientId: client.clientId,
          sid: input.session.id,
          scope,
          offline,
          iat,
          exp: Math.floor(expiresAt / 1000),
        },
        realm.id,
      );
      refreshRow = {
        token_hash: sha256(refresh),
        family_id: grantId,
        realm_id: realm.id,
        client_id: client.id,
        user_id: input.user.id,
        sso_session_id: input.session.id,
        scope: stored,
        offline: offline ? 1 : 0,
        code_hash: input.codeHash ?? null,
        created_at: now,
        expires_at: expiresAt,
        used_at: null,
        revoked_at: null,
      };
      response.refresh_token = refresh;
      response.refresh_expires_in = offline ? 0 : Math.max(0, Math.floor((expiresAt - now) / 1000));
    }
    return { response, refresh: refreshRow };
  }

  /**
   * Keycloak's refresh token shape: `typ` "Refresh" or "Offline", `aud` the issuer itself (only
   * it accepts the token), `sid`, `azp`, `scope`, and a fresh `jti` — which with the HMAC makes
   * every token unique and unguessable (the row is found by the token's hash).
   */
  async #refreshToken(
    c: {
      issuer: string;
      subject: string;
      clientId: string;
      sid: string;
      scope: string;
      offline: boolean;
      iat: number;
      exp: number;
    },
    realmId: string,
  ): Promise<string> {
    const key = await this.#refreshKeys.key(realmId);
    return new SignJWT({ typ: c.offline ? 'Offline' : 'Refresh', azp: c.clientId, sid: c.sid, scope: c.scope })
      .setProtectedHeader({ alg: REFRESH_TOKEN_ALG, kid: key.kid, typ: 'JWT' })
      .setIssuer(c.issuer)
      .setAudience(c.issuer)
      .setSubject(c.subject)
      .setIssuedAt(c.iat)
      .setExpirationTime(c.exp)
      .setJti(randomToken(16))
      .sign(key.key);
  }
}

/**
 * `acr` and `auth_time` as mappers set them (the acr and basic scopes). `sub` and `azp` stay the
 * server's: every check of Sundown's own tokens finds the user and the client by them.
 */
function mappedProperties(draft: TokenDraft): Record<string, unknown> {
  return {
    ...(draft.acr !== undefined ? { acr: draft.acr } : {}),
    ...(draft.authTime !== undefined ? { auth_time: draft.authTime } : {}),
  };
}

/** The client itself (RFC 9068 §2.2: an access token names its audience) and the audiences mappers add. */
function audience(clientId: string, draft: TokenDraft): string | string[] {
  const all = [...new Set([clientId, ...draft.audience])];
  return all.length === 1 ? all[0]! : all;
}
