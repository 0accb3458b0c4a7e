// Keycloak's client scope endpoints (ClientScopesResource, ClientScopeResource): a realm's client
// scopes — list, create, read, update, delete — and which of them are the realm's default and
// optional scopes for new clients (RealmAdminResource's default-default-client-scopes and
// default-optional-client-scopes), and a client's own default and optional scopes
// (ClientResource's default-client-scopes, optional-client-scopes).
import type { ClientScope } from '../access/model.ts';
import type { UsesAccessStores, UsesAccessWriter } from '../access/capabilities.ts';
import { newId } from '../crypto/random.ts';
import { Conflict, InvalidRequest, NotFound } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import type { UsesLog } from '../log.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesTransact } from '../store/capabilities.ts';
import type { ClientInRealm } from './admin-scope.ts';
import type { ScopeInRealm, WithAccess } from './access-scope.ts';
import { clientScopeRepresentation, scopeLink } from './access-representations.ts';
import { jsonBody, nameField, stringMap, textField } from './json-body.ts';
import { mapperValues, warnUnsupported } from './protocol-mapper-endpoints.ts';

export type ClientScopeDeps = UsesAccessStores & UsesAccessWriter & UsesTransact & UsesUrls & UsesLog;

export async function findClientScopes(_ctx: unknown, { access }: WithAccess): Promise<Response> {
  return jsonResponse(
    access
      .scopes()
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(clientScopeRepresentation),
  );
}

export async function findClientScope(_ctx: unknown, { scope }: ScopeInRealm): Promise<Response> {
  return jsonResponse(clientScopeRepresentation(scope));
}

/** POST …/client-scopes → 201 with Location …/client-scopes/{id}; its protocolMappers are created with it. */
export async function createClientScope(ctx: ClientScopeDeps, { realm, access }: WithAccess, req: Request) {
  const body = await jsonBody(req);
  const values = scopeValues(body);
  if (access.scopeByName(values.name)) throw new Conflict(`Client Scope ${values.name} already exists`);
  const mappers = Array.isArray(body.protocolMappers)
    ? body.protocolMappers.map((m: unknown) => mapperValues(m, values.protocol))
    : [];
  const id = newId();
  await ctx.transact(async (tx) => {
    await ctx.accessStores.clientScopes.insert(id, realm.id, values, tx);
    await ctx.accessWriter.replaceMappers(tx, realm.id, { clientScopeId: id }, mappers);
  });
  warnUnsupported(ctx, realm.name, `client scope ${values.name}`, mappers);
  const base = `${ctx.urls.publicUrl}${ctx.urls.relativePath}/admin/realms/${encodeURIComponent(realm.name)}`;
  return new Response(null, { status: 201, headers: { Location: `${base}/client-scopes/${id}` } });
}

/** PUT: name, description, protocol, attributes (the mappers have their own endpoints). */
export async function updateClientScope(ctx: ClientScopeDeps, { access, scope }: ScopeInRealm, req: Request) {
  const body = await jsonBody(req);
  const values = scopeValues({
    name: scope.name,
    description: scope.description,
    protocol: scope.protocol,
    attributes: scope.attributes,
    ...body,
  });
  const other = access.scopeByName(values.name);
  if (other && other.id !== scope.id) throw new Conflict(`Client Scope ${values.name} already exists`);
  await ctx.accessStores.clientScopes.update(scope.id, values);
  return new Response(null, { status: 204 });
}

export async function deleteClientScope(ctx: ClientScopeDeps, { scope }: ScopeInRealm): Promise<Response> {
  await ctx.accessStores.clientScopes.delete(scope.id);
  return new Response(null, { status: 204 });
}

function scopeValues(body: Record<string, unknown>) {
  const name = nameField(body);
  // The name is what a `scope` parameter asks for: one word.
  if (/\s/.test(name)) throw new InvalidRequest('Unexpected name "' + name + '" for ClientScope');
  const protocol = textField(body, 'protocol') ?? 'openid-connect';
  if (protocol !== 'openid-connect' && protocol !== 'saml')
    throw new InvalidRequest('protocol must be "openid-connect" or "saml"');
  return {
    name,
    description: textField(body, 'description', 2000) ?? null,
    protocol: protocol as ClientScope['protocol'],
    attributes: JSON.stringify(stringMap(body.attributes, 'attributes')),
  };
}

// The realm's defaults for new clients.

/** GET …/default-default-client-scopes or …/default-optional-client-scopes → [{id, name}] */
export function findRealmDefaults(isDefault: boolean) {
  return async (_ctx: unknown, { access }: WithAccess): Promise<Response> => {
    const { defaultScopes, optionalScopes } = access.realmDefaultScopes();
    return jsonResponse((isDefault ? defaultScopes : optionalScopes).map(scopeLink));
  };
}

/** PUT / DELETE …/default-(default|optional)-client-scopes/{clientScopeId} → 204 */
export function setRealmDefault(isDefault: boolean, add: boolean) {
  return async (ctx: ClientScopeDeps, { realm, access }: WithAccess, req: Request): Promise<Response> => {
    const scope = scopeFromPath(access, req);
    if (add) await ctx.accessStores.clientScopes.setRealmDefault(realm.id, scope.id, isDefault);
    else {
      const current = access.realmDefaultScopes();
      if ((isDefault ? current.defaultScopes : current.optionalScopes).includes(scope))
        await ctx.accessStores.clientScopes.removeRealmDefault(realm.id, scope.id);
    }
    return new Response(null, { status: 204 });
  };
}

// A client's own scopes.

/** GET …/clients/{id}/default-client-scopes or …/optional-client-scopes → [{id, name}] */
export function findClientLinks(isDefault: boolean) {
  return async (_ctx: unknown, { access, client }: ClientInRealm & WithAccess): Promise<Response> => {
    const { defaultScopes, optionalScopes } = access.clientScopes(client.id, client.protocol);
    return jsonResponse((isDefault ? defaultScopes : optionalScopes).map(scopeLink));
  };
}

/** PUT / DELETE …/clients/{id}/(default|optional)-client-scopes/{clientScopeId} → 204 */
export function setClientLink(isDefault: boolean, add: boolean) {
  return async (ctx: ClientScopeDeps, { access, client }: ClientInRealm & WithAccess, req: Request) => {
    const scope = scopeFromPath(access, req);
    if (add) {
      if (scope.protocol !== client.protocol)
        throw new InvalidRequest(
          `Client scope ${scope.name} is for ${scope.protocol}, the client for ${client.protocol}`,
        );
      await ctx.accessStores.clientScopes.link(client.id, scope.id, isDefault);
    } else {
      const links = access.clientScopes(client.id, client.protocol);
      if ((isDefault ? links.defaultScopes : links.optionalScopes).includes(scope))
        await ctx.accessStores.clientScopes.unlink(client.id, scope.id);
    }
    return new Response(null, { status: 204 });
  };
}

function scopeFromPath(access: WithAccess['access'], req: Request): ClientScope {
  const id = decodeURIComponent(new URL(req.url).pathname.split('/').filter(Boolean).pop() ?? '');
  const scope = access.scope(id);
  if (!scope) throw new NotFound('Client scope not found');
  return scope;
}
