// What a protocol mapper type is to the claims engine: its priority (ProtocolMapperUtils: sub
// first, then most mappers, role names, hardcoded roles, audience resolve, role mappers last),
// the tokens Keycloak's class writes (OIDCAccessTokenMapper, OIDCIDTokenMapper,
// UserInfoTokenMapper) and how it writes a token draft. Mappers run per token, in priority order,
// on what the request resolved once: the user's roles in the client's scope, groups, session facts.
import type { RealmAccess } from '../../access/realm-access.ts';
import type { Group } from '../../access/model.ts';
import type { Client, User } from '../../realm/model.ts';
import type { Claims } from './claim-path.ts';

export type TokenKind = 'access' | 'id' | 'userinfo';

/** The user's roles a token may carry, by name: realm roles, and client roles by clientId. */
export interface ResolvedRoles {
  realm: Set<string>;
  clients: Map<string, Set<string>>;
}

/** What the session and request tell mappers (Keycloak's user-session notes and client-session LoA). */
export interface SessionFacts {
  /** Seconds; null without a user session (client credentials). */
  authTime: number | null;
  /** Keycloak's LoA as acr: "1" after a sign-in, "0" for one from an SSO cookie. */
  acr: string;
  /** Service-account tokens: the client and the caller's address (ServiceAccountConstants). */
  serviceAccount: { clientId: string; clientAddress: string | null } | null;
}

export interface MapperContext {
  access: RealmAccess;
  client: Client;
  user: User;
  /** The user's own groups (not their parents). */
  groups: readonly Group[];
  /** Shared by the tokens of one claim plan and set of grants (resolve-roles.ts): read only. */
  roles: { readonly realm: ReadonlySet<string>; readonly clients: ReadonlyMap<string, ReadonlySet<string>> };
  session: SessionFacts;
  /** The client's web origins with `+` resolved (WebOriginsUtils.resolveValidWebOrigins). */
  webOrigins: readonly string[];
}

/** A token being written: its other claims, and the values Keycloak keeps in token properties. */
export interface TokenDraft {
  claims: Claims;
  /** Audiences mappers add (`aud`). */
  audience: string[];
  sub?: string;
  azp?: string;
  acr?: string;
  authTime?: number;
}

export interface MapperKind {
  type: string;
  priority: number;
  /** The tokens Keycloak's mapper class writes. */
  kinds: readonly TokenKind[];
  /** Keycloak's "backwards compatibility" default when the include flag is absent (else false). */
  includeByDefault?: boolean;
  /**
   * Changes the resolved roles before any token is written (hardcoded role), from its config
   * alone: the outcome is cached with the roles per claim plan and grants (resolve-roles.ts).
   */
  resolve?: (roles: ResolvedRoles, config: Readonly<Record<string, string>>) => void;
  apply?: (ctx: MapperContext, draft: TokenDraft, config: Readonly<Record<string, string>>) => void;
}

export const PRIORITY = { sub: -10, default: 0, roleNames: 10, hardcodedRole: 20, audienceResolve: 30, roles: 40 };
