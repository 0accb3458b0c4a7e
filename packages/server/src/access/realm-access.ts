// One realm's authorization model in memory, built from its rows at one configuration version
// and then only read: roles with their composites expanded transitively (RoleUtils.expandComposite
// Roles), groups with their paths and inherited roles (a member has the roles of its group and
// of every parent, TokenManager.addGroupRoles), client scopes with their mappers and scope
// mappings, each client's scope links, own mappers and scope mappings. Whatever is derived from
// it (a client's claim plan) is memoized here, so it lives exactly as long as this version.
import type { ClientProtocol } from '../store/schema.ts';
import type { ClientScope, ClientScopeLinks, Group, ProtocolMapper, Role } from './model.ts';

export interface RealmAccessParts {
  realmId: string;
  roles: Role[];
  groups: Array<Omit<Group, 'path'>>;
  scopes: ClientScope[];
  /** Per client (internal id): its scope links, default or optional, in scope-name order. */
  links: Array<{ clientId: string; scopeId: string; defaultScope: boolean }>;
  /** Per client (internal id): its own protocol mappers. */
  clientMappers: Map<string, ProtocolMapper[]>;
  /** Per client (internal id): the roles of its own scope mappings. */
  clientScopeRoles: Map<string, string[]>;
  realmDefaults: Array<{ scopeId: string; defaultScope: boolean }>;
  defaultRoleId: string | null;
  /** Internal client id → clientId, for every client of the realm. */
  clientIds: Map<string, string>;
}

const EMPTY: readonly string[] = Object.freeze([]);

export class RealmAccess {
  readonly realmId: string;
  readonly defaultRoleId: string | null;
  readonly #roles = new Map<string, Role>();
  readonly #realmRoles = new Map<string, Role>();
  readonly #clientRoles = new Map<string, Map<string, Role>>();
  readonly #groups = new Map<string, Group>();
  readonly #children = new Map<string | null, Group[]>();
  readonly #scopes = new Map<string, ClientScope>();
  readonly #scopesByName = new Map<string, ClientScope>();
  readonly #links = new Map<string, { defaultScopes: ClientScope[]; optionalScopes: ClientScope[] }>();
  readonly #clientMappers: Map<string, ProtocolMapper[]>;
  readonly #clientScopeRoles: Map<string, string[]>;
  readonly #realmDefaults: Array<{ scope: ClientScope; defaultScope: boolean }> = [];
  readonly #clientIds: Map<string, string>;
  readonly #expanded = new Map<string, ReadonlySet<string>>();
  readonly #groupRoles = new Map<string, readonly string[]>();
  readonly #memo = new Map<string, unknown>();

  constructor(parts: RealmAccessParts) {
    this.realmId = parts.realmId;
    this.defaultRoleId = parts.defaultRoleId;
    for (const role of parts.roles) {
      this.#roles.set(role.id, role);
      if (role.clientId === null) this.#realmRoles.set(role.name, role);
      else {
        let byName = this.#clientRoles.get(role.clientId);
        if (!byName) this.#clientRoles.set(role.clientId, (byName = new Map()));
        byName.set(role.name, role);
      }
    }
    const byId = new Map(parts.groups.map((g) => [g.id, g]));
    const pathOf = (g: Omit<Group, 'path'>, seen = new Set<string>()): string => {
      const parent = g.parentId === null ? undefined : byId.get(g.parentId);
      if (!parent || seen.has(g.id)) return `/${g.name}`;
      seen.add(g.id);
      return `${pathOf(parent, seen)}/${g.name}`;
    };
    for (const g of parts.groups) {
      const group: Group = { ...g, path: pathOf(g) };
      this.#groups.set(g.id, group);
      const siblings = this.#children.get(g.parentId) ?? [];
      siblings.push(group);
      this.#children.set(g.parentId, siblings);
    }
    for (const scope of parts.scopes) {
      this.#scopes.set(scope.id, scope);
      this.#scopesByName.set(scope.name, scope);
    }
    for (const link of parts.links) {
      const scope = this.#scopes.get(link.scopeId);
      if (!scope) continue;
      let links = this.#links.get(link.clientId);
      if (!links) this.#links.set(link.clientId, (links = { defaultScopes: [], optionalScopes: [] }));
      (link.defaultScope ? links.defaultScopes : links.optionalScopes).push(scope);
    }
    for (const d of parts.realmDefaults) {
      const scope = this.#scopes.get(d.scopeId);
      if (scope) this.#realmDefaults.push({ scope, defaultScope: d.defaultScope });
    }
    this.#clientMappers = parts.clientMappers;
    this.#clientScopeRoles = parts.clientScopeRoles;
    this.#clientIds = parts.clientIds;
  }

  // Roles

  role(id: string): Role | undefined {
    return this.#roles.get(id);
  }

  realmRole(name: string): Role | undefined {
    return this.#realmRoles.get(name);
  }

  clientRole(clientId: string, name: string): Role | undefined {
    return this.#clientRoles.get(clientId)?.get(name);
  }

  realmRoles(): Role[] {
    return [...this.#realmRoles.values()];
  }

  clientRoles(clientId: string): Role[] {
    return [...(this.#clientRoles.get(clientId)?.values() ?? [])];
  }

  allRoles(): Role[] {
    return [...this.#roles.values()];
  }

  /** The clientId of a client (internal id), for resource_access and audiences. */
  clientIdOf(internalId: string): string | undefined {
    return this.#clientIds.get(internalId);
  }

  /** A role and every role it contains, transitively; composite cycles are harmless. */
  expandRole(id: string): ReadonlySet<string> {
    const cached = this.#expanded.get(id);
    if (cached) return cached;
    const out = new Set<string>();
    const stack = [id];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (out.has(next)) continue;
      const role = this.#roles.get(next);
      if (!role) continue;
      out.add(next);
      stack.push(...role.composites);
    }
    this.#expanded.set(id, out);
    return out;
  }

  /** The roles and every role they contain (RoleUtils.expandCompositeRoles). */
  expand(ids: Iterable<string>): Set<string> {
    const out = new Set<string>();
    for (const id of ids) for (const r of this.expandRole(id)) out.add(r);
    return out;
  }

  // Groups

  group(id: string): Group | undefined {
    return this.#groups.get(id);
  }

  /** Subgroups of a group (null: the top-level groups), by name. */
  children(parentId: string | null): readonly Group[] {
    return this.#children.get(parentId) ?? [];
  }

  groupByPath(path: string): Group | undefined {
    for (const group of this.#groups.values()) if (group.path === path) return group;
    return undefined;
  }

  /** The roles mapped to a group and to each of its parents (TokenManager.addGroupRoles). */
  groupRoleIds(groupId: string): readonly string[] {
    const cached = this.#groupRoles.get(groupId);
    if (cached) return cached;
    const out: string[] = [];
    const seen = new Set<string>();
    for (let g = this.#groups.get(groupId); g && !seen.has(g.id); g = this.group(g.parentId ?? '')) {
      seen.add(g.id);
      out.push(...g.roleIds);
    }
    this.#groupRoles.set(groupId, out);
    return out;
  }

  // Client scopes and clients

  scope(id: string): ClientScope | undefined {
    return this.#scopes.get(id);
  }

  scopeByName(name: string): ClientScope | undefined {
    return this.#scopesByName.get(name);
  }

  scopes(): ClientScope[] {
    return [...this.#scopes.values()];
  }

  /** A client's scopes whose protocol is the client's (ClientAdapter.getClientScopes). */
  clientScopes(clientId: string, protocol: ClientProtocol): ClientScopeLinks {
    const links = this.#links.get(clientId);
    if (!links) return { defaultScopes: [], optionalScopes: [] };
    return {
      defaultScopes: links.defaultScopes.filter((s) => s.protocol === protocol),
      optionalScopes: links.optionalScopes.filter((s) => s.protocol === protocol),
    };
  }

  /** The realm's defaultDefaultClientScopes / defaultOptionalClientScopes. */
  realmDefaultScopes(): ClientScopeLinks {
    return {
      defaultScopes: this.#realmDefaults.filter((d) => d.defaultScope).map((d) => d.scope),
      optionalScopes: this.#realmDefaults.filter((d) => !d.defaultScope).map((d) => d.scope),
    };
  }

  clientMappers(clientId: string): readonly ProtocolMapper[] {
    return this.#clientMappers.get(clientId) ?? [];
  }

  /** The roles of a client's own scope mappings ("Dedicated scope"). */
  clientScopeRoleIds(clientId: string): readonly string[] {
    return this.#clientScopeRoles.get(clientId) ?? EMPTY;
  }

  /** Something derived from this version of the model, computed once (e.g. a client's claim plan). */
  memo<T>(key: string, build: () => T): T {
    if (this.#memo.has(key)) return this.#memo.get(key) as T;
    const value = build();
    if (this.#memo.size >= 10_000) this.#memo.clear();
    this.#memo.set(key, value);
    return value;
  }
}
