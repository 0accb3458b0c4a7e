// Keycloak's role endpoints (RoleContainerResource, RoleByIdResource): a realm's and a client's
// roles — list, create, read, update, delete — their composites, and the users a role is mapped
// to directly. Reads come from the realm's access model; writes go to the role store, and every
// process sees them at its next request (the configuration version moves).
import type { RealmAccess } from '../access/realm-access.ts';
import type { Role } from '../access/model.ts';
import type { UsesAccessStores, UsesUserAccess } from '../access/capabilities.ts';
import { newId } from '../crypto/random.ts';
import { Conflict, InvalidRequest, NotFound } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import type { UsesUrls } from '../provider-urls.ts';
import { userFromRow } from '../realm/model.ts';
import type { UsesTransact } from '../store/capabilities.ts';
import type { ClientInRealm } from './admin-scope.ts';
import type { RoleInRealm, WithAccess } from './access-scope.ts';
import { roleRepresentation } from './access-representations.ts';
import { jsonArrayBody, jsonBody, multiAttributes, nameField, textField } from './json-body.ts';
import { paging } from './paging.ts';
import { userRepresentation } from './representations.ts';

export type RoleWriteDeps = UsesAccessStores & UsesTransact & UsesUrls;

const created = (ctx: UsesUrls, realm: string, path: string) =>
  new Response(null, {
    status: 201,
    headers: {
      Location: `${ctx.urls.publicUrl}${ctx.urls.relativePath}/admin/realms/${encodeURIComponent(realm)}${path}`,
    },
  });

/** briefRepresentation defaults to true for lists, as in Keycloak. */
function listRoles(roles: Role[], url: URL): Response {
  const brief = url.searchParams.get('briefRepresentation') !== 'false';
  const search = url.searchParams.get('search')?.toLowerCase();
  const { first, max } = paging(url);
  const matching = roles
    .filter((r) => !search || r.name.toLowerCase().includes(search))
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(first, first + max);
  return jsonResponse(matching.map((r) => roleRepresentation(r, brief)));
}

/** GET …/roles and GET …/clients/{id}/roles */
export async function findRealmRoles(_ctx: unknown, { access }: WithAccess, req: Request): Promise<Response> {
  return listRoles(access.realmRoles(), new URL(req.url));
}
export async function findClientRoles(
  _ctx: unknown,
  { access, client }: ClientInRealm & WithAccess,
  req: Request,
): Promise<Response> {
  return listRoles(access.clientRoles(client.id), new URL(req.url));
}

/** POST …/roles and POST …/clients/{id}/roles → 201, Location …/roles/{name} */
export async function createRealmRole(ctx: RoleWriteDeps, { realm, access }: WithAccess, req: Request) {
  const values = roleValues(await jsonBody(req));
  if (access.realmRole(values.name)) throw new Conflict(`Role with name ${values.name} already exists`);
  await ctx.accessStores.roles.insert(newId(), realm.id, null, values);
  return created(ctx, realm.name, `/roles/${encodeURIComponent(values.name)}`);
}
export async function createClientRole(
  ctx: RoleWriteDeps,
  { realm, access, client }: ClientInRealm & WithAccess,
  req: Request,
) {
  const values = roleValues(await jsonBody(req));
  if (access.clientRole(client.id, values.name)) throw new Conflict(`Role with name ${values.name} already exists`);
  await ctx.accessStores.roles.insert(newId(), realm.id, client.id, values);
  return created(ctx, realm.name, `/clients/${client.id}/roles/${encodeURIComponent(values.name)}`);
}

/** GET …/roles/{name}, …/roles-by-id/{id}, …/clients/{id}/roles/{name} */
export async function findRole(_ctx: unknown, { role }: RoleInRealm): Promise<Response> {
  return jsonResponse(roleRepresentation(role));
}

/** PUT: name, description and attributes (Keycloak's RoleResource.updateRole). */
export async function updateRole(ctx: RoleWriteDeps, { access, role }: RoleInRealm, req: Request) {
  const body = await jsonBody(req);
  const values = roleValues({ name: role.name, ...body });
  const other = role.clientId === null ? access.realmRole(values.name) : access.clientRole(role.clientId, values.name);
  if (other && other.id !== role.id) throw new Conflict(`Role with name ${values.name} already exists`);
  await ctx.accessStores.roles.update(role.id, {
    name: values.name,
    ...(body.description !== undefined ? { description: values.description } : {}),
    ...(body.attributes !== undefined ? { attributes: values.attributes } : {}),
  });
  return new Response(null, { status: 204 });
}

export async function deleteRole(ctx: RoleWriteDeps, { access, role }: RoleInRealm) {
  if (role.id === access.defaultRoleId) throw new InvalidRequest("The realm's default role cannot be removed");
  await ctx.accessStores.roles.delete(role.id);
  return new Response(null, { status: 204 });
}

/** GET …/composites: the role's direct children. */
export async function findComposites(_ctx: unknown, { access, role }: RoleInRealm): Promise<Response> {
  return jsonResponse(children(access, role).map((r) => roleRepresentation(r, true)));
}
/** GET …/composites/realm */
export async function findRealmComposites(_ctx: unknown, { access, role }: RoleInRealm): Promise<Response> {
  return jsonResponse(
    children(access, role)
      .filter((r) => r.clientId === null)
      .map((r) => roleRepresentation(r, true)),
  );
}
/** GET …/composites/clients/{client} */
export async function findClientComposites(_ctx: unknown, target: RoleInRealm, req: Request): Promise<Response> {
  const client = new URL(req.url).pathname.split('/').pop() ?? '';
  return jsonResponse(
    children(target.access, target.role)
      .filter((r) => r.clientId === decodeURIComponent(client))
      .map((r) => roleRepresentation(r, true)),
  );
}

/** POST / DELETE …/composites with RoleRepresentation[]: by id, else by realm role name. */
export async function addComposites(ctx: RoleWriteDeps, { access, role }: RoleInRealm, req: Request) {
  const ids = resolveRoles(access, await jsonArrayBody(req), null);
  if (ids.includes(role.id)) throw new InvalidRequest('A role cannot contain itself');
  await ctx.accessStores.roles.addComposites(role.id, ids);
  return new Response(null, { status: 204 });
}
export async function removeComposites(ctx: RoleWriteDeps, { access, role }: RoleInRealm, req: Request) {
  await ctx.accessStores.roles.removeComposites(role.id, resolveRoles(access, await jsonArrayBody(req), null));
  return new Response(null, { status: 204 });
}

/** GET …/roles/{name}/users: users with the role mapped directly. */
export async function findRoleUsers(ctx: UsesUserAccess, { role }: RoleInRealm, req: Request): Promise<Response> {
  const rows = await ctx.userAccess.usersWithRole(role.id, paging(new URL(req.url)));
  return jsonResponse(rows.map((r) => userRepresentation(userFromRow(r))));
}

function children(access: RealmAccess, role: Role): Role[] {
  return role.composites.map((id) => access.role(id)).filter((r): r is Role => r !== undefined);
}

/**
 * Roles named in a RoleRepresentation[] body: by id, else by name among the client's roles
 * (clientId given) or the realm's. An unknown one is 404, as Keycloak answers.
 */
export function resolveRoles(
  access: RealmAccess,
  reps: ReadonlyArray<Record<string, unknown>>,
  clientId: string | null,
): string[] {
  return reps.map((rep) => {
    const byId = typeof rep.id === 'string' ? access.role(rep.id) : undefined;
    const name = typeof rep.name === 'string' ? rep.name : undefined;
    const role =
      byId ?? (name === undefined ? undefined : clientId ? access.clientRole(clientId, name) : access.realmRole(name));
    if (!role || (clientId !== null && role.clientId !== clientId)) throw new NotFound('Role not found');
    return role.id;
  });
}

function roleValues(body: Record<string, unknown>) {
  return {
    name: nameField(body),
    description: textField(body, 'description') ?? null,
    attributes: JSON.stringify(multiAttributes(body.attributes)),
  };
}
