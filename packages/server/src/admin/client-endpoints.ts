// The admin API's client reads and the client secret (Keycloak paths and representations), and
// Sundown's doctor check of one client. The client writes are in admin-writes.ts.
import { randomToken } from '../crypto/random.ts';
import { jsonResponse } from '../http/respond.ts';
import { checkClientBackchannel } from '../logout/diagnostics/doctor.ts';
import { NotFound } from '../errors.ts';
import { clientFromRow } from '../realm/model.ts';
import type { ClientInRealm, InRealm } from './admin-scope.ts';
import { liveSessions } from './live-sessions.ts';
import { paging } from './paging.ts';
import { clientRepresentation } from './representations.ts';
import { mapperRepresentation } from './access-representations.ts';
import type { UsesAccessModel } from '../access/capabilities.ts';
import type { UsesAdminStore } from './capabilities.ts';
import type { UsesSigningKeys } from '../crypto/capabilities.ts';
import type { UsesBackchannelHttp } from '../logout/capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesRealmWriter } from '../realm/capabilities.ts';
import type { UsesNotBefore } from '../tokens/capabilities.ts';

/** Keycloak: GET /admin/realms/{realm}/clients?clientId=&first=&max= */
export async function findClients(
  ctx: UsesAdminStore & UsesNotBefore & UsesAccessModel,
  { realm }: InRealm,
  req: Request,
): Promise<Response> {
  const url = new URL(req.url);
  const rows = await ctx.admin.clients(realm.id, url.searchParams.get('clientId'), paging(url));
  const notBefore = await ctx.notBefore.ofClients(realm.id);
  const access = await ctx.accessModel.of(realm.id);
  return jsonResponse(
    rows.map((r) => ({
      ...clientRepresentation(clientFromRow(r)),
      notBefore: notBefore.get(r.id) ?? 0,
      protocolMappers: access.clientMappers(r.id).map(mapperRepresentation),
    })),
  );
}

/** Keycloak: GET /admin/realms/{realm}/clients/{id} → ClientRepresentation, with its protocol mappers */
export async function findClient(ctx: UsesNotBefore & UsesAccessModel, { client }: ClientInRealm): Promise<Response> {
  const access = await ctx.accessModel.of(client.realmId);
  return jsonResponse({
    ...clientRepresentation(client),
    notBefore: await ctx.notBefore.ofClient(client.realmId, client.id),
    protocolMappers: access.clientMappers(client.id).map(mapperRepresentation),
  });
}

/** Keycloak: GET /admin/realms/{realm}/clients/{id}/client-secret → CredentialRepresentation */
export async function clientSecret(_ctx: unknown, { client }: ClientInRealm): Promise<Response> {
  return jsonResponse({ type: 'secret', value: client.secret });
}

/** Keycloak: POST /admin/realms/{realm}/clients/{id}/client-secret → a new CredentialRepresentation */
export async function newClientSecret(ctx: UsesRealmWriter, { client }: ClientInRealm): Promise<Response> {
  const secret = randomToken(24);
  await ctx.realmWriter.updateClient(client.id, { secret });
  return jsonResponse({ type: 'secret', value: secret });
}

/** Keycloak: GET /admin/realms/{realm}/client-session-stats → [{ id, clientId, active, offline }] */
export async function clientSessionStats(ctx: UsesAdminStore, { realm }: InRealm): Promise<Response> {
  const rows = await ctx.admin.clientSessionCounts(realm.id);
  const stats = new Map<string, { id: string; clientId: string; active: string; offline: string }>();
  for (const r of rows) {
    const s = stats.get(r.id) ?? { id: r.id, clientId: r.client_id, active: '0', offline: '0' };
    // Keycloak sends the counts as strings.
    if (r.offline === 1) s.offline = String(r.n);
    else s.active = String(r.n);
    stats.set(r.id, s);
  }
  return jsonResponse([...stats.values()]);
}

/** Keycloak: GET /admin/realms/{realm}/clients/{id}/user-sessions → UserSessionRepresentation[] */
export async function clientSessions(
  ctx: UsesAdminStore,
  { realm, client }: ClientInRealm,
  req: Request,
): Promise<Response> {
  // As in Keycloak, each session lists every client in it, not only this one.
  return jsonResponse(await liveSessions(ctx, realm, { clientId: client.id, ...paging(new URL(req.url)) }));
}

/** Sundown: GET /admin/realms/{realm}/sundown/clients/{id}/doctor → the doctor check of one client */
export async function clientDoctor(
  ctx: UsesSigningKeys & UsesUrls & UsesBackchannelHttp,
  { realm, client }: ClientInRealm,
): Promise<Response> {
  const result = await checkClientBackchannel(ctx, ctx.backchannelHttp, realm, client);
  if (!result) throw new NotFound('This client has no back-channel logout URL or admin URL');
  return jsonResponse(result);
}
