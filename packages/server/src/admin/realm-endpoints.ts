// The admin API's realm reads (Keycloak paths and representations): the realm list, one realm
// and its events. The realm writes are in admin-writes.ts.
import { InvalidRequest } from '../errors.ts';
import { EVENT_TYPES, type EventType } from '../events/event-log.ts';
import { jsonResponse } from '../http/respond.ts';
import type { InRealm } from './admin-scope.ts';
import { paging } from './paging.ts';
import { realmRepresentation } from './representations.ts';
import type { UsesAdminStore } from './capabilities.ts';
import type { UsesEvents } from '../events/capabilities.ts';
import type { UsesNotBefore } from '../tokens/capabilities.ts';

/** Keycloak: GET /admin/realms → RealmRepresentation[] (the brief form). */
export async function findRealms(ctx: UsesAdminStore): Promise<Response> {
  const rows = await ctx.admin.realmList();
  return jsonResponse(
    rows.map((r) => ({ id: r.id, realm: r.name, displayName: r.display_name ?? undefined, enabled: r.enabled === 1 })),
  );
}

/** Keycloak: GET /admin/realms/{realm} → RealmRepresentation */
export async function findRealm(ctx: UsesNotBefore, { realm }: InRealm): Promise<Response> {
  return jsonResponse({ ...realmRepresentation(realm), notBefore: await ctx.notBefore.ofRealm(realm.id) });
}

/** Keycloak: GET /admin/realms/{realm}/events?type=&client=&user=&dateFrom=&dateTo=&first=&max= */
export async function findEvents(ctx: UsesEvents, { realm }: InRealm, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const types = url.searchParams.getAll('type') as EventType[];
  const unknown = types.find((ty) => !EVENT_TYPES.includes(ty));
  if (unknown !== undefined) throw new InvalidRequest(`Unknown event type ${unknown}`);
  const day = (name: string, end: boolean): number | undefined => {
    const v = url.searchParams.get(name);
    if (v === null) return undefined;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v)))
      throw new InvalidRequest(`${name} must be a date like 2026-01-31`);
    return Date.parse(v) + (end ? 86_400_000 - 1 : 0);
  };
  const { first, max } = paging(url);
  const from = day('dateFrom', false);
  const to = day('dateTo', true);
  const rows = await ctx.events.list(realm.id, {
    ...(types.length > 0 ? { types } : {}),
    ...(url.searchParams.get('client') ? { clientId: url.searchParams.get('client')! } : {}),
    ...(url.searchParams.get('user') ? { userId: url.searchParams.get('user')! } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    first,
    max,
  });
  return jsonResponse(
    rows.map((e) => ({
      time: e.time,
      type: e.type,
      realmId: e.realm_id,
      clientId: e.client_id ?? undefined,
      userId: e.user_id ?? undefined,
      sessionId: e.session_id ?? undefined,
      ipAddress: e.ip_address ?? undefined,
      error: e.error ?? undefined,
      details: e.details ? (JSON.parse(e.details) as Record<string, unknown>) : undefined,
    })),
  );
}
