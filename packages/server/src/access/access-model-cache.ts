// Each realm's authorization model (realm-access.ts), built once per realm configuration version
// and kept per process. The version is the one realm/repository.ts checks (one read per protocol
// request, migration 0013's counter); the access tables bump it too (migration 0015), so a role,
// group, scope or mapper changed by any process or tool is in the very next token, and a token
// costs no statement for the model. A model being built while the version moves is not kept.
import type { RealmRepository } from '../realm/repository.ts';
import type { ClientScopeStore } from './client-scope-store.ts';
import type { GroupStore } from './group-store.ts';
import { type ClientScope, type ProtocolMapper, parseMultiAttributes, type Role } from './model.ts';
import type { ProtocolMapperStore } from './protocol-mapper-store.ts';
import { RealmAccess } from './realm-access.ts';
import type { RoleStore } from './role-store.ts';
import type { ScopeMappingStore } from './scope-mapping-store.ts';

export interface AccessStores {
  roles: RoleStore;
  groups: GroupStore;
  clientScopes: ClientScopeStore;
  mappers: ProtocolMapperStore;
  scopeMappings: ScopeMappingStore;
}

/** Realms whose model is kept before the cache is emptied: a bound on memory. */
const MAX_REALMS = 1000;

export class AccessModelCache {
  readonly #realms: RealmRepository;
  readonly #stores: AccessStores;
  readonly #cache = new Map<string, { generation: number; model: Promise<RealmAccess> }>();

  constructor(realms: RealmRepository, stores: AccessStores) {
    this.#realms = realms;
    this.#stores = stores;
  }

  /** The realm's model as of the request's configuration check. */
  async of(realmId: string): Promise<RealmAccess> {
    const generation = await this.#realms.configGeneration();
    const cached = this.#cache.get(realmId);
    if (cached?.generation === generation) return cached.model;
    const model = this.#build(realmId);
    if (this.#cache.size >= MAX_REALMS) this.#cache.clear();
    this.#cache.set(realmId, { generation, model });
    // A failed build (store outage) is not kept.
    model.catch(() => {
      if (this.#cache.get(realmId)?.model === model) this.#cache.delete(realmId);
    });
    return model;
  }

  async #build(realmId: string): Promise<RealmAccess> {
    const s = this.#stores;
    const [roleRows, composites, defaultRoleId, groupRows, groupRoles, scopeRows, links, mapperRows, scopeMaps, defs] =
      await Promise.all([
        s.roles.rolesOf(realmId),
        s.roles.compositesOf(realmId),
        s.roles.defaultRoleOf(realmId),
        s.groups.groupsOf(realmId),
        s.groups.groupRolesOf(realmId),
        s.clientScopes.scopesOf(realmId),
        s.clientScopes.linksOf(realmId),
        s.mappers.mappersOf(realmId),
        s.scopeMappings.mappingsOf(realmId),
        s.clientScopes.realmDefaultsOf(realmId),
      ]);
    const clients = await this.#realms.clientsOf(realmId);

    const children = group(
      composites,
      (c) => c.role_id,
      (c) => c.child,
    );
    const roles: Role[] = roleRows.map((r) => ({
      id: r.id,
      realmId: r.realm_id,
      clientId: r.client_id,
      name: r.name,
      description: r.description,
      attributes: parseMultiAttributes(r.attributes),
      composites: children.get(r.id) ?? [],
    }));
    const rolesOfGroup = group(
      groupRoles,
      (g) => g.group_id,
      (g) => g.role_id,
    );
    const mapperOf = (m: (typeof mapperRows)[number]): ProtocolMapper => ({
      id: m.id,
      name: m.name,
      protocol: m.protocol,
      type: m.mapper_type,
      config: JSON.parse(m.config) as Record<string, string>,
    });
    const scopeMappers = group(
      mapperRows.filter((m) => m.client_scope_id !== null),
      (m) => m.client_scope_id!,
      mapperOf,
    );
    const scopeRoles = group(
      scopeMaps.filter((m) => m.client_scope_id !== null),
      (m) => m.client_scope_id!,
      (m) => m.role_id,
    );
    const scopes: ClientScope[] = scopeRows.map((s) => ({
      id: s.id,
      realmId: s.realm_id,
      name: s.name,
      description: s.description,
      protocol: s.protocol,
      attributes: JSON.parse(s.attributes) as Record<string, string>,
      mappers: scopeMappers.get(s.id) ?? [],
      scopeRoleIds: scopeRoles.get(s.id) ?? [],
    }));
    return new RealmAccess({
      realmId,
      roles,
      groups: groupRows.map((g) => ({
        id: g.id,
        realmId: g.realm_id,
        parentId: g.parent_id,
        name: g.name,
        attributes: parseMultiAttributes(g.attributes),
        roleIds: rolesOfGroup.get(g.id) ?? [],
      })),
      scopes,
      links: links.map((l) => ({ clientId: l.client_id, scopeId: l.scope_id, defaultScope: l.default_scope === 1 })),
      clientMappers: group(
        mapperRows.filter((m) => m.client_id !== null),
        (m) => m.client_id!,
        mapperOf,
      ),
      clientScopeRoles: group(
        scopeMaps.filter((m) => m.client_id !== null),
        (m) => m.client_id!,
        (m) => m.role_id,
      ),
      realmDefaults: defs.map((d) => ({ scopeId: d.scope_id, defaultScope: d.default_scope === 1 })),
      defaultRoleId: defaultRoleId ?? null,
      clientIds: new Map(clients.map((c) => [c.id, c.clientId])),
    });
  }
}

function group<T, V>(rows: readonly T[], key: (row: T) => string, value: (row: T) => V): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(value(row));
    else out.set(k, [value(row)]);
  }
  return out;
}
