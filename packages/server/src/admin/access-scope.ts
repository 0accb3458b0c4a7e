// Where the admin routes of roles, groups, client scopes and protocol mappers find their targets
// (admin-scope.ts's rule: in the realm of the path, else 404), read from the realm's access model,
// which is current for every admin call (the configuration version is read each time).
import type { ClientScope, Group, ProtocolMapper, Role } from '../access/model.ts';
import type { RealmAccess } from '../access/realm-access.ts';
import { NotFound } from '../errors.ts';
import type { Client } from '../realm/model.ts';
import {
  clientInRealm,
  type ClientInRealm,
  type InRealm,
  inRealm,
  type Scope,
  userInRealm,
  type UserInRealm,
} from './admin-scope.ts';

export interface WithAccess extends InRealm {
  access: RealmAccess;
}
export interface RoleInRealm extends WithAccess {
  role: Role;
  /** The role's client, for a client role. */
  client: Client | null;
}
export interface GroupInRealm extends WithAccess {
  group: Group;
}
export interface ScopeInRealm extends WithAccess {
  scope: ClientScope;
}
/** Whose protocol mappers: a client's or a client scope's. */
export interface MapperOwnerInRealm extends WithAccess {
  owner: { clientId: string } | { clientScopeId: string };
  protocol: Client['protocol'];
  mappers: readonly ProtocolMapper[];
}

export const realmAccess: Scope<WithAccess> = async (ctx, params) => {
  const { realm } = await inRealm(ctx, params);
  return { realm, access: await ctx.accessModel.of(realm.id) };
};

export const clientAccess: Scope<ClientInRealm & WithAccess> = async (ctx, params) => {
  const found = await clientInRealm(ctx, params);
  return { ...found, access: await ctx.accessModel.of(found.realm.id) };
};

export const userAccess: Scope<UserInRealm & WithAccess> = async (ctx, params) => {
  const found = await userInRealm(ctx, params);
  return { ...found, access: await ctx.accessModel.of(found.realm.id) };
};

/** /roles/{roleName}: a realm role by name. */
export const realmRoleByName: Scope<RoleInRealm> = async (ctx, params) => {
  const found = await realmAccess(ctx, params);
  const role = found.access.realmRole(params.roleName ?? '');
  if (!role) throw new NotFound('Could not find role');
  return { ...found, role, client: null };
};

/** /roles-by-id/{roleId}: any role of the realm. */
export const roleById: Scope<RoleInRealm> = async (ctx, params) => {
  const found = await realmAccess(ctx, params);
  const role = found.access.role(params.roleId ?? '');
  if (!role) throw new NotFound('Could not find role with id');
  const client = role.clientId === null ? null : ((await ctx.realms.clientById(role.clientId)) ?? null);
  return { ...found, role, client };
};

/** /clients/{id}/roles/{roleName}: a client role by name. */
export const clientRoleByName: Scope<RoleInRealm> = async (ctx, params) => {
  const found = await clientAccess(ctx, params);
  const role = found.access.clientRole(found.client.id, params.roleName ?? '');
  if (!role) throw new NotFound('Could not find role');
  return { ...found, role };
};

export const groupInRealm: Scope<GroupInRealm> = async (ctx, params) => {
  const found = await realmAccess(ctx, params);
  const group = found.access.group(params.id ?? '');
  if (!group) throw new NotFound('Could not find group by id');
  return { ...found, group };
};

export const scopeInRealm: Scope<ScopeInRealm> = async (ctx, params) => {
  const found = await realmAccess(ctx, params);
  const scope = found.access.scope(params.id ?? '');
  if (!scope) throw new NotFound('Could not find client scope');
  return { ...found, scope };
};

export const clientMappers: Scope<MapperOwnerInRealm> = async (ctx, params) => {
  const found = await clientAccess(ctx, params);
  return {
    ...found,
    owner: { clientId: found.client.id },
    protocol: found.client.protocol,
    mappers: found.access.clientMappers(found.client.id),
  };
};

export const scopeMappers: Scope<MapperOwnerInRealm> = async (ctx, params) => {
  const found = await scopeInRealm(ctx, params);
  return {
    ...found,
    owner: { clientScopeId: found.scope.id },
    protocol: found.scope.protocol,
    mappers: found.scope.mappers,
  };
};
