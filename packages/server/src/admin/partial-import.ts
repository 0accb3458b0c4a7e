// Keycloak's POST /admin/realms/{realm}/partialImport (PartialImportManager): users, clients,
// groups, realm roles and client roles from a PartialImportRepresentation into an existing realm,
// with `ifResourceExists` FAIL (any existing resource: 409, nothing imported), SKIP (existing
// ones are left as they are) or OVERWRITE (existing ones take the file's values; Sundown updates
// them in place, keeping their ids, where Keycloak deletes and recreates them). The answer is
// Keycloak's PartialImportResults: counts and one result per resource.
import { Conflict, InvalidRequest } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import type { UsesAccessModel } from '../access/capabilities.ts';
import type { UsesLog } from '../log.ts';
import type { UsesRealms } from '../realm/capabilities.ts';
import { clientFromRow } from '../realm/model.ts';
import { importNotes } from '../realm-import/import-realm.ts';
import type { UsesRealmImporter } from '../realm-import/capabilities.ts';
import { parseRealmJson, RealmImportError } from '../realm-import/realm-json.ts';
import type { UsesAdminStore } from './capabilities.ts';
import type { InRealm } from './admin-scope.ts';
import { clientRepresentation, realmRepresentation } from './representations.ts';
import { jsonBody } from './json-body.ts';

export type PartialImportDeps = UsesAccessModel & UsesAdminStore & UsesLog & UsesRealms & UsesRealmImporter;

type Policy = 'FAIL' | 'SKIP' | 'OVERWRITE';
type ResourceType = 'USER' | 'CLIENT' | 'GROUP' | 'REALM_ROLE' | 'CLIENT_ROLE';

interface Candidate {
  type: ResourceType;
  name: string;
  exists: boolean;
  keep: () => void;
}

type Json = Record<string, unknown>;
const objects = (v: unknown): Json[] =>
  Array.isArray(v) ? v.filter((x): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x)) : [];

export async function partialImport(ctx: PartialImportDeps, { realm }: InRealm, req: Request): Promise<Response> {
  const body = await jsonBody(req);
  const policy = (body.ifResourceExists ?? 'FAIL') as Policy;
  if (!['FAIL', 'SKIP', 'OVERWRITE'].includes(policy))
    throw new InvalidRequest('ifResourceExists must be FAIL, SKIP or OVERWRITE');
  const access = await ctx.accessModel.of(realm.id);
  const clients = new Map((await ctx.admin.clients(realm.id, null)).map((c) => [c.client_id, c]));
  const picked: {
    users: Json[];
    clients: Json[];
    groups: Json[];
    realmRoles: Json[];
    clientRoles: Record<string, Json[]>;
  } = { users: [], clients: [], groups: [], realmRoles: [], clientRoles: {} };

  const candidates: Candidate[] = [];
  for (const u of objects(body.users)) {
    const name = String(u.username ?? '').toLowerCase();
    candidates.push({
      type: 'USER',
      name,
      exists: (await ctx.realms.userByUsername(realm.id, name)) !== undefined,
      keep: () => picked.users.push(u),
    });
  }
  for (const c of objects(body.clients))
    candidates.push({
      type: 'CLIENT',
      name: String(c.clientId ?? ''),
      exists: clients.has(String(c.clientId ?? '')),
      keep: () => picked.clients.push(c),
    });
  for (const g of objects(body.groups))
    candidates.push({
      type: 'GROUP',
      name: String(g.name ?? ''),
      exists: access.children(null).some((top) => top.name === g.name),
      keep: () => picked.groups.push(g),
    });
  const roles = (typeof body.roles === 'object' && body.roles !== null ? body.roles : {}) as Json;
  for (const r of objects(roles.realm))
    candidates.push({
      type: 'REALM_ROLE',
      name: String(r.name ?? ''),
      exists: access.realmRole(String(r.name ?? '')) !== undefined,
      keep: () => picked.realmRoles.push(r),
    });
  const clientRoles = (typeof roles.client === 'object' && roles.client !== null ? roles.client : {}) as Json;
  for (const [clientId, list] of Object.entries(clientRoles)) {
    const client = clients.get(clientId);
    for (const r of objects(list))
      candidates.push({
        type: 'CLIENT_ROLE',
        name: `${clientId}/${String(r.name ?? '')}`,
        exists: client !== undefined && access.clientRole(client.id, String(r.name ?? '')) !== undefined,
        keep: () => (picked.clientRoles[clientId] ??= []).push(r),
      });
  }

  const existing = candidates.filter((c) => c.exists);
  if (policy === 'FAIL' && existing.length > 0) {
    const first = existing[0]!;
    throw new Conflict(`${first.type} '${first.name}' already exists`);
  }
  for (const c of candidates) if (!c.exists || policy === 'OVERWRITE') c.keep();

  // The realm as it is, with only the picked resources: the import updates nothing else.
  let parsed: ReturnType<typeof parseRealmJson>;
  try {
    parsed = parseRealmJson({
      ...realmRepresentation(realm),
      clients: picked.clients.map((c) => {
        const current = clients.get(String(c.clientId));
        return current ? { ...clientRepresentation(clientFromRow(current)), ...c } : c;
      }),
      users: picked.users,
      groups: picked.groups,
      roles: { realm: picked.realmRoles, client: picked.clientRoles },
    });
    const result = await ctx.realmImporter.import(parsed);
    for (const line of importNotes(result)) ctx.log.warn({ realm: realm.name }, line);
  } catch (err) {
    if (err instanceof RealmImportError) throw new InvalidRequest(err.message);
    throw err;
  }

  const after = await ctx.accessModel.of(realm.id);
  const afterClients = new Map((await ctx.admin.clients(realm.id, null)).map((c) => [c.client_id, c.id]));
  const idOf = async (c: Candidate): Promise<string | undefined> => {
    switch (c.type) {
      case 'USER':
        return (await ctx.realms.userByUsername(realm.id, c.name))?.id;
      case 'CLIENT':
        return afterClients.get(c.name);
      case 'GROUP':
        return after.children(null).find((g) => g.name === c.name)?.id;
      case 'REALM_ROLE':
        return after.realmRole(c.name)?.id;
      case 'CLIENT_ROLE': {
        const slash = c.name.indexOf('/');
        const clientId = afterClients.get(c.name.slice(0, slash));
        return clientId ? after.clientRole(clientId, c.name.slice(slash + 1))?.id : undefined;
      }
    }
  };
  const results: Array<{ action: string; resourceType: ResourceType; resourceName: string; id: string | undefined }> =
    [];
  for (const c of candidates) {
    const action = !c.exists ? 'ADDED' : policy === 'OVERWRITE' ? 'OVERWRITTEN' : 'SKIPPED';
    results.push({ action, resourceType: c.type, resourceName: c.name, id: await idOf(c) });
  }
  const count = (action: string) => results.filter((r) => r.action === action).length;
  return jsonResponse({
    overwritten: count('OVERWRITTEN'),
    added: count('ADDED'),
    skipped: count('SKIPPED'),
    results,
  });
}
