// Keycloak's group endpoints (GroupsResource, GroupResource, UserResource's groups): the tree of
// groups — list (top level, with their subgroups), count, create, read, update, delete — a
// group's children and members, and a user's groups. A name is unique among its siblings (409).
import type { Group } from '../access/model.ts';
import type { RealmAccess } from '../access/realm-access.ts';
import type { UsesAccessStores, UsesUserAccess } from '../access/capabilities.ts';
import { newId } from '../crypto/random.ts';
import { Conflict, InvalidRequest, NotFound } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import type { UsesUrls } from '../provider-urls.ts';
import { userFromRow } from '../realm/model.ts';
import type { UserInRealm } from './admin-scope.ts';
import type { GroupInRealm, WithAccess } from './access-scope.ts';
import { groupRepresentation } from './access-representations.ts';
import { jsonBody, multiAttributes, nameField } from './json-body.ts';
import { paging } from './paging.ts';
import { userRepresentation } from './representations.ts';

export type GroupDeps = UsesAccessStores & UsesUserAccess & UsesUrls;

function location(ctx: UsesUrls, realm: string, id: string): Response {
  const base = `${ctx.urls.publicUrl}${ctx.urls.relativePath}/admin/realms/${encodeURIComponent(realm)}`;
  return new Response(null, { status: 201, headers: { Location: `${base}/groups/${id}` } });
}

/** A group and every group under it. */
function subtree(access: RealmAccess, group: Group): Group[] {
  return [group, ...access.children(group.id).flatMap((c) => subtree(access, c))];
}

/** GET …/groups?search=&first=&max=&briefRepresentation=: top-level groups (those with a match under them). */
export async function findGroups(_ctx: unknown, { access }: WithAccess, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const search = url.searchParams.get('search')?.toLowerCase();
  const full = url.searchParams.get('briefRepresentation') === 'false';
  const { first, max } = paging(url);
  const top = access
    .children(null)
    .filter((g) => !search || subtree(access, g).some((s) => s.name.toLowerCase().includes(search)))
    .slice(first, first + max);
  return jsonResponse(top.map((g) => groupRepresentation(access, g, full)));
}

/** GET …/groups/count?top=: all groups, or the top-level ones. */
export async function countGroups(_ctx: unknown, { access }: WithAccess, req: Request): Promise<Response> {
  const top = new URL(req.url).searchParams.get('top') === 'true';
  const count = top
    ? access.children(null).length
    : access.children(null).reduce((n, g) => n + subtree(access, g).length, 0);
  return jsonResponse({ count });
}

export async function createGroup(ctx: GroupDeps, { realm, access }: WithAccess, req: Request): Promise<Response> {
  const body = await jsonBody(req);
  const name = nameField(body);
  if (access.children(null).some((g) => g.name === name))
    throw new Conflict(`Top level group named '${name}' already exists.`);
  const id = newId();
  await ctx.accessStores.groups.insert(
    id,
    realm.id,
    null,
    checkName(name),
    JSON.stringify(multiAttributes(body.attributes)),
  );
  return location(ctx, realm.name, id);
}

export async function findGroup(_ctx: unknown, { access, group }: GroupInRealm): Promise<Response> {
  return jsonResponse(groupRepresentation(access, group, true));
}

/** PUT: a new name (unique among siblings) and the attributes, when sent. */
export async function updateGroup(ctx: GroupDeps, { access, group }: GroupInRealm, req: Request): Promise<Response> {
  const body = await jsonBody(req);
  const name = body.name === undefined ? group.name : checkName(nameField(body));
  if (access.children(group.parentId).some((g) => g.name === name && g.id !== group.id))
    throw new Conflict(`Sibling group named '${name}' already exists.`);
  await ctx.accessStores.groups.update(group.id, {
    name,
    ...(body.attributes !== undefined ? { attributes: JSON.stringify(multiAttributes(body.attributes)) } : {}),
  });
  return new Response(null, { status: 204 });
}

export async function deleteGroup(ctx: GroupDeps, { group }: GroupInRealm): Promise<Response> {
  await ctx.accessStores.groups.delete(group.id);
  return new Response(null, { status: 204 });
}

/** GET …/groups/{id}/children?first=&max= */
export async function findChildren(_ctx: unknown, { access, group }: GroupInRealm, req: Request): Promise<Response> {
  const { first, max } = paging(new URL(req.url));
  return jsonResponse(
    access
      .children(group.id)
      .slice(first, first + max)
      .map((g) => groupRepresentation(access, g, false)),
  );
}

/**
 * POST …/groups/{id}/children: a new subgroup (201), or, with the id of an existing group, moves
 * that group under this one (204), as GroupResource.addChild does.
 */
export async function addChild(ctx: GroupDeps, { realm, access, group }: GroupInRealm, req: Request) {
  const body = await jsonBody(req);
  const name = checkName(nameField(body));
  const existing = typeof body.id === 'string' ? access.group(body.id) : undefined;
  if (typeof body.id === 'string' && !existing) throw new NotFound('Could not find child by id');
  if (access.children(group.id).some((g) => g.name === name && g.id !== existing?.id))
    throw new Conflict(`Sibling group named '${name}' already exists.`);
  if (existing) {
    if (subtree(access, existing).some((g) => g.id === group.id))
      throw new InvalidRequest('A group cannot be moved under itself');
    await ctx.accessStores.groups.update(existing.id, { parent_id: group.id, name });
    return new Response(null, { status: 204 });
  }
  const id = newId();
  await ctx.accessStores.groups.insert(id, realm.id, group.id, name, JSON.stringify(multiAttributes(body.attributes)));
  return location(ctx, realm.name, id);
}

/** GET …/groups/{id}/members?first=&max= */
export async function findMembers(ctx: GroupDeps, { group }: GroupInRealm, req: Request): Promise<Response> {
  const rows = await ctx.userAccess.membersOf(group.id, paging(new URL(req.url)));
  return jsonResponse(rows.map((r) => userRepresentation(userFromRow(r))));
}

/** GET …/users/{id}/groups: the user's own groups, brief (id, name, path). */
export async function findUserGroups(ctx: GroupDeps, { user, access }: UserInRealm & WithAccess): Promise<Response> {
  const { groupIds } = await ctx.userAccess.grantsOf(user.id);
  const groups = groupIds.map((id) => access.group(id)).filter((g): g is Group => g !== undefined);
  return jsonResponse(
    groups
      .sort((a, b) => a.path.localeCompare(b.path))
      .map((g) => ({ id: g.id, name: g.name, path: g.path, ...(g.parentId ? { parentId: g.parentId } : {}) })),
  );
}

/** PUT / DELETE …/users/{id}/groups/{groupId} → 204 */
export function userGroupMembership(join: boolean) {
  return async (ctx: GroupDeps, { user, access }: UserInRealm & WithAccess, req: Request): Promise<Response> => {
    const groupId = decodeURIComponent(new URL(req.url).pathname.split('/').filter(Boolean).pop() ?? '');
    if (!access.group(groupId)) throw new NotFound('Group not found');
    if (join) await ctx.userAccess.joinGroups(user.id, [groupId]);
    else await ctx.userAccess.leaveGroup(user.id, groupId);
    return new Response(null, { status: 204 });
  };
}

function checkName(name: string): string {
  if (name.includes('/')) throw new InvalidRequest('A group name cannot contain "/"');
  return name;
}
