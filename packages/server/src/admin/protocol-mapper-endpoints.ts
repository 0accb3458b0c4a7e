// Keycloak's protocol mapper endpoints of clients and client scopes
// (ProtocolMappersResource): …/protocol-mappers/models (list, create one), …/add-models (create
// several), …/models/{id} (read, update, delete). A mapper of a type Sundown does not evaluate is
// kept as sent, and the log says so (never silently dropped); docs/keycloak.md lists the types.
import { isSupportedMapper } from '../access/supported-mappers.ts';
import type { UsesAccessStores, UsesAccessWriter } from '../access/capabilities.ts';
import { Conflict, InvalidRequest, NotFound } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import type { UsesLog } from '../log.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesTransact } from '../store/capabilities.ts';
import type { ClientProtocol } from '../store/schema.ts';
import type { MapperOwnerInRealm } from './access-scope.ts';
import { mapperRepresentation } from './access-representations.ts';
import { jsonArrayBody, jsonBody, nameField, stringMap, textField } from './json-body.ts';

export type MapperDeps = UsesAccessStores & UsesAccessWriter & UsesTransact & UsesUrls & UsesLog;

export interface MapperValues {
  name: string;
  protocol: ClientProtocol;
  type: string;
  config: Record<string, string>;
}

/** A ProtocolMapperRepresentation, checked. */
export function mapperValues(value: unknown, fallbackProtocol: ClientProtocol): MapperValues {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidRequest('A protocol mapper must be a JSON object');
  const body = value as Record<string, unknown>;
  const protocol = textField(body, 'protocol') ?? fallbackProtocol;
  if (protocol !== 'openid-connect' && protocol !== 'saml')
    throw new InvalidRequest('protocol must be "openid-connect" or "saml"');
  const type = textField(body, 'protocolMapper');
  if (!type) throw new InvalidRequest('protocolMapper is required');
  return { name: nameField(body), protocol, type, config: stringMap(body.config, 'config') };
}

/** Logs the mappers of types Sundown keeps but does not evaluate. */
export function warnUnsupported(ctx: UsesLog, realm: string, owner: string, mappers: readonly MapperValues[]): void {
  const unsupported = mappers.filter((m) => !isSupportedMapper(m.type));
  if (unsupported.length > 0)
    ctx.log.warn(
      { realm, mappers: unsupported.map((m) => ({ name: m.name, type: m.type })) },
      `${owner}: protocol mappers of types Sundown does not evaluate (kept, but they add nothing to tokens; see docs/keycloak.md): ${unsupported.map((m) => `"${m.name}" (${m.type})`).join(', ')}`,
    );
}

function ownerName(t: MapperOwnerInRealm): string {
  return 'clientId' in t.owner ? `client ${t.access.clientIdOf(t.owner.clientId) ?? ''}` : 'client scope';
}

export async function findMappers(_ctx: unknown, t: MapperOwnerInRealm): Promise<Response> {
  return jsonResponse(t.mappers.map(mapperRepresentation));
}

/** POST …/models → 201 with Location …/models/{id}; a name already used is 409. */
export async function createMapper(ctx: MapperDeps, t: MapperOwnerInRealm, req: Request): Promise<Response> {
  const values = mapperValues(await jsonBody(req), t.protocol);
  if (t.mappers.some((m) => m.name === values.name))
    throw new Conflict(`Protocol mapper exists with same name: ${values.name}`);
  await ctx.transact((tx) =>
    ctx.accessWriter.replaceMappers(tx, t.realm.id, t.owner, [...t.mappers.map(keep), values]),
  );
  warnUnsupported(ctx, t.realm.name, ownerName(t), [values]);
  const id = (await ctx.accessStores.mappers.mappersOfOwner(t.owner)).find((m) => m.name === values.name)!.id;
  return new Response(null, {
    status: 201,
    headers: { Location: `${new URL(req.url).href.replace(/\/$/, '')}/${id}` },
  });
}

/** POST …/add-models with ProtocolMapperRepresentation[] → 204 */
export async function addMappers(ctx: MapperDeps, t: MapperOwnerInRealm, req: Request): Promise<Response> {
  const added = (await jsonArrayBody(req)).map((m) => mapperValues(m, t.protocol));
  const names = new Set(t.mappers.map((m) => m.name));
  for (const m of added) {
    if (names.has(m.name)) throw new Conflict(`Protocol mapper exists with same name: ${m.name}`);
    names.add(m.name);
  }
  await ctx.transact((tx) =>
    ctx.accessWriter.replaceMappers(tx, t.realm.id, t.owner, [...t.mappers.map(keep), ...added]),
  );
  warnUnsupported(ctx, t.realm.name, ownerName(t), added);
  return new Response(null, { status: 204 });
}

export async function findMapper(_ctx: unknown, t: MapperOwnerInRealm, req: Request): Promise<Response> {
  return jsonResponse(mapperRepresentation(mapperOf(t, req)));
}

/** PUT …/models/{id}: its name, protocol, type and config as sent. */
export async function updateMapper(ctx: MapperDeps, t: MapperOwnerInRealm, req: Request): Promise<Response> {
  const current = mapperOf(t, req);
  const body = await jsonBody(req);
  const values = mapperValues(
    { name: current.name, protocol: current.protocol, protocolMapper: current.type, ...body },
    t.protocol,
  );
  if (t.mappers.some((m) => m.name === values.name && m.id !== current.id))
    throw new Conflict(`Protocol mapper exists with same name: ${values.name}`);
  await ctx.accessStores.mappers.update(current.id, {
    name: values.name,
    protocol: values.protocol,
    mapper_type: values.type,
    config: JSON.stringify(values.config),
  });
  warnUnsupported(ctx, t.realm.name, ownerName(t), [values]);
  return new Response(null, { status: 204 });
}

export async function deleteMapper(ctx: MapperDeps, t: MapperOwnerInRealm, req: Request): Promise<Response> {
  await ctx.accessStores.mappers.delete(mapperOf(t, req).id);
  return new Response(null, { status: 204 });
}

function mapperOf(t: MapperOwnerInRealm, req: Request) {
  const id = decodeURIComponent(new URL(req.url).pathname.split('/').filter(Boolean).pop() ?? '');
  const mapper = t.mappers.find((m) => m.id === id);
  if (!mapper) throw new NotFound('Model not found');
  return mapper;
}

const keep = (m: MapperOwnerInRealm['mappers'][number]): MapperValues => ({
  name: m.name,
  protocol: m.protocol,
  type: m.type,
  config: { ...m.config },
});
