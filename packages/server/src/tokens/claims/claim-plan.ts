// A client's claim plan: what its tokens carry for one set of requested optional scopes, compiled
// once per realm configuration version (memoized on the realm's access model) instead of per
// token — the effective client scopes (its default scopes and the requested optional ones), the
// `scope` claim, the protocol mappers of those scopes and of the client in priority order with
// their include flags, and, for a client without fullScopeAllowed, the roles its tokens may carry
// (TokenManager.getAccess: the client's own roles, its scope mappings and its scopes', expanded).
import { type ClientScope, includeInTokenScope, type ProtocolMapper } from '../../access/model.ts';
import type { RealmAccess } from '../../access/realm-access.ts';
import type { Client } from '../../realm/model.ts';
import { OPENID, type ScopeRequest } from '../scopes.ts';
import type { MapperKind } from './mapper-kind.ts';
import { OIDC_MAPPER_KINDS } from './mappers/index.ts';

/** Keycloak's client attribute for lightweight access tokens (only `lightweight.claim` mappers). */
export const LIGHTWEIGHT_ACCESS_TOKEN = 'client.use.lightweight.access.token.enabled';

export interface CompiledMapper {
  kind: MapperKind;
  config: Readonly<Record<string, string>>;
  access: boolean;
  id: boolean;
  userinfo: boolean;
}

export interface ClaimPlan {
  scopes: readonly ClientScope[];
  /** The `scope` claim without and with `openid`. */
  scopeClaim: { plain: string; openid: string };
  mappers: readonly CompiledMapper[];
  /** Roles the client's tokens may carry; null: all of the user's (fullScopeAllowed). */
  allowedRoles: ReadonlySet<string> | null;
}

export function claimPlan(access: RealmAccess, client: Client, request: ScopeRequest): ClaimPlan {
  const key = `plan\u0000${client.id}\u0000${request.optional.map((s) => s.id).join(',')}`;
  return access.memo(key, () => compile(access, client, request.optional));
}

function compile(access: RealmAccess, client: Client, optional: readonly ClientScope[]): ClaimPlan {
  const { defaultScopes } = access.clientScopes(client.id, client.protocol);
  const scopes = [...defaultScopes, ...optional.filter((s) => !defaultScopes.includes(s))];
  const names = scopes.filter(includeInTokenScope).map((s) => s.name);
  const lightweight = client.attributes[LIGHTWEIGHT_ACCESS_TOKEN] === 'true';
  const mappers = [...scopes.flatMap((s) => s.mappers), ...access.clientMappers(client.id)]
    .filter((m) => m.protocol === client.protocol)
    .flatMap((m) => compileMapper(m, lightweight))
    .sort((a, b) => a.kind.priority - b.kind.priority);
  let allowedRoles: Set<string> | null = null;
  if (!client.fullScopeAllowed) {
    const mapped = [
      ...access.clientRoles(client.id).map((r) => r.id),
      ...access.clientScopeRoleIds(client.id),
      ...scopes.flatMap((s) => s.scopeRoleIds),
    ];
    allowedRoles = access.expand(mapped);
  }
  return {
    scopes,
    scopeClaim: { plain: names.join(' '), openid: [OPENID, ...names].join(' ') },
    mappers,
    allowedRoles,
  };
}

/** OIDCAttributeMapperHelper's include flags; an unsupported type compiles to nothing. */
function compileMapper(mapper: ProtocolMapper, lightweight: boolean): CompiledMapper[] {
  const kind = OIDC_MAPPER_KINDS.get(mapper.type);
  if (!kind) return [];
  const c = mapper.config;
  const flag = (key: string) => (c[key] === undefined && kind.includeByDefault === true) || c[key] === 'true';
  const id = kind.kinds.includes('id') && flag('id.token.claim');
  return [
    {
      kind,
      config: c,
      access: kind.kinds.includes('access') && flag(lightweight ? 'lightweight.claim' : 'access.token.claim'),
      id,
      // includeInUserInfo: absent means "as the ID token".
      userinfo:
        kind.kinds.includes('userinfo') &&
        (c['userinfo.token.claim'] === undefined ? id : c['userinfo.token.claim'] === 'true'),
    },
  ];
}
