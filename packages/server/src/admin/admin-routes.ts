// The admin REST API (Keycloak paths and representations) for sessions and logout, plus
// Sundown's delivery view. Every logout goes through the single sign-out service, so tokens go out.
import { Hono } from 'hono';
import { Conflict, InvalidRequest, NotFound } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import { EVENT_TYPES, type EventType } from '../events/event-log.ts';
import { clientFromRow, type Realm, userFromRow } from '../realm/model.ts';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../store/schema.ts';
import { randomToken } from '../crypto/random.ts';
import { checkClientBackchannel } from '../logout/diagnostics/doctor.ts';
import { logoutAllWithNotBefore, pushRevocation } from '../logout/not-before-actions.ts';
import { adminJsonError } from './admin-error.ts';
import { requireAdmin } from './admin-auth.ts';
import { addAdminWrites } from './admin-writes.ts';
import { liveSessions } from './live-sessions.ts';
import { clientRepresentation, realmRepresentation, userRepresentation } from './representations.ts';
import type { UsesAdminStore } from './capabilities.ts';
import type { UsesSigningKeys } from '../crypto/capabilities.ts';
import type { UsesEvents } from '../events/capabilities.ts';
import type { UsesLog } from '../log.ts';
import type { UsesBackchannelHttp, UsesDeliveryStore, UsesDeliveryWorker, UsesLogout, UsesLogoutWait } from '../logout/capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesRealms, UsesRealmWriter } from '../realm/capabilities.ts';
import type { UsesRealmImporter } from '../realm-import/capabilities.ts';
import type { UsesClientSessions, UsesSsoSessionStore, UsesSsoSessions } from '../sessions/capabilities.ts';
import type { UsesNotBefore, UsesRefreshTokens, UsesRevokedAccessTokens } from '../tokens/capabilities.ts';

/** What the admin API's routes use. */
export type AdminRoutesDeps = UsesAdminStore &
  UsesBackchannelHttp &
  UsesClientSessions &
  UsesDeliveryWorker &
  UsesDeliveryStore &
  UsesEvents &
  UsesSigningKeys &
  UsesLog &
  UsesLogout &
  UsesLogoutWait &
  UsesNotBefore &
  UsesRealms &
  UsesRealmWriter &
  UsesRealmImporter &
  UsesRefreshTokens &
  UsesRevokedAccessTokens &
  UsesSsoSessionStore &
  UsesSsoSessions &
  UsesUrls;

type Env = { Variables: { realm: Realm } };

function paging(url: URL): { first: number; max: number } {
  const first = Number(url.searchParams.get('first') ?? '0');
  const max = Number(url.searchParams.get('max') ?? '100');
  return { first: Number.isInteger(first) && first >= 0 ? first : 0, max: Number.isInteger(max) && max > 0 ? Math.min(max, 1000) : 100 };
}

export function createAdminRoutes(ctx: AdminRoutesDeps): Hono<Env> {
  const admin = new Hono<Env>({ strict: false });
  admin.onError((err) => adminJsonError(ctx.log, err));

  admin.use('*', async (_c, next) => {
    await requireAdmin(ctx, _c.req.raw);
    await next();
  });

  admin.get('/', async () => {
    const rows = await ctx.admin.realmList();
    return jsonResponse(rows.map((r) => ({ id: r.id, realm: r.name, displayName: r.display_name ?? undefined, enabled: r.enabled === 1 })));
  });

  admin.use('/:realm/*', async (c, next) => {
    const realm = await ctx.realms.realmByName(c.req.param('realm'));
    if (!realm) throw new NotFound('Realm not found');
    c.set('realm', realm);
    await next();
  });

  admin.get('/:realm', async (c) => jsonResponse({ ...realmRepresentation(c.get('realm')), notBefore: await ctx.notBefore.ofRealm(c.get('realm').id) }));
  addAdminWrites(admin, ctx);

  // Keycloak: GET /admin/realms/{realm}/clients?clientId=&first=&max=
  admin.get('/:realm/clients', async (c) => {
    const url = new URL(c.req.url);
    const clientId = url.searchParams.get('clientId');
    const { first, max } = paging(url);
    const rows = await ctx.admin.clients(c.get('realm').id, clientId, { first, max });
    const notBefore = await ctx.notBefore.ofClients(c.get('realm').id);
    return jsonResponse(rows.map((r) => ({ ...clientRepresentation(clientFromRow(r)), notBefore: notBefore.get(r.id) ?? 0 })));
  });

  admin.get('/:realm/clients/:id', async (c) => {
    const client = await ctx.realms.clientById(c.req.param('id'));
    if (!client || client.realmId !== c.get('realm').id) throw new NotFound('Client not found');
    return jsonResponse({ ...clientRepresentation(client), notBefore: await ctx.notBefore.ofClient(client.realmId, client.id) });
  });

  // Keycloak: GET/POST /admin/realms/{realm}/clients/{id}/client-secret → CredentialRepresentation
  const confidential = async (realm: Realm, id: string) => {
    const client = await ctx.realms.clientById(id);
    if (!client || client.realmId !== realm.id) throw new NotFound('Client not found');
    if (client.publicClient) throw new InvalidRequest('Public clients have no secret');
    return client;
  };
  admin.get('/:realm/clients/:id/client-secret', async (c) => {
    const client = await confidential(c.get('realm'), c.req.param('id'));
    return jsonResponse({ type: 'secret', value: client.secret });
  });
  admin.post('/:realm/clients/:id/client-secret', async (c) => {
    const client = await confidential(c.get('realm'), c.req.param('id'));
    const secret = randomToken(24);
    await ctx.realmWriter.updateClient(client.id, { secret });
    return jsonResponse({ type: 'secret', value: secret });
  });

  // Keycloak: GET /admin/realms/{realm}/client-session-stats → [{ id, clientId, active, offline }]
  admin.get('/:realm/client-session-stats', async (c) => {
    const rows = await ctx.admin.clientSessionCounts(c.get('realm').id);
    const stats = new Map<string, { id: string; clientId: string; active: string; offline: string }>();
    for (const r of rows) {
      const s = stats.get(r.id) ?? { id: r.id, clientId: r.client_id, active: '0', offline: '0' };
      // Keycloak sends the counts as strings.
      if (r.offline === 1) s.offline = String(r.n);
      else s.active = String(r.n);
      stats.set(r.id, s);
    }
    return jsonResponse([...stats.values()]);
  });

  // Keycloak: GET /admin/realms/{realm}/clients/{id}/user-sessions
  admin.get('/:realm/clients/:id/user-sessions', async (c) => {
    const realm = c.get('realm');
    const client = await ctx.realms.clientById(c.req.param('id'));
    if (!client || client.realmId !== realm.id) throw new NotFound('Client not found');
    // As in Keycloak, each session lists every client in it, not only this one.
    return jsonResponse(await liveSessions(ctx, realm, { clientId: client.id, ...paging(new URL(c.req.url)) }));
  });

  // Sundown: GET /admin/realms/{realm}/sundown/clients/{id}/doctor → the doctor check of one client
  admin.get('/:realm/sundown/clients/:id/doctor', async (c) => {
    const realm = c.get('realm');
    const client = await ctx.realms.clientById(c.req.param('id'));
    if (!client || client.realmId !== realm.id) throw new NotFound('Client not found');
    const result = await checkClientBackchannel(ctx, ctx.backchannelHttp, realm, client);
    if (!result) throw new NotFound('This client has no back-channel logout URL or admin URL');
    return jsonResponse(result);
  });

  // Keycloak: GET /admin/realms/{realm}/users?search=&username=&first=&max=
  admin.get('/:realm/users', async (c) => {
    const url = new URL(c.req.url);
    const search = url.searchParams.get('search')?.toLowerCase();
    const username = url.searchParams.get('username')?.toLowerCase();
    const { first, max } = paging(url);
    const rows = await ctx.admin.users(c.get('realm').id, username, search, { first, max });
    return jsonResponse(rows.map((r) => userRepresentation(userFromRow(r))));
  });

  admin.get('/:realm/users/:id', async (c) => {
    const user = await ctx.realms.userById(c.req.param('id'));
    if (!user || user.realmId !== c.get('realm').id) throw new NotFound('User not found');
    return jsonResponse(userRepresentation(user));
  });

  // Keycloak: GET /admin/realms/{realm}/events?type=&client=&user=&dateFrom=&dateTo=&first=&max=
  admin.get('/:realm/events', async (c) => {
    const url = new URL(c.req.url);
    const types = url.searchParams.getAll('type') as EventType[];
    const unknown = types.find((ty) => !EVENT_TYPES.includes(ty));
    if (unknown !== undefined) throw new InvalidRequest(`Unknown event type ${unknown}`);
    const day = (name: string, end: boolean): number | undefined => {
      const v = url.searchParams.get(name);
      if (v === null) return undefined;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw new InvalidRequest(`${name} must be a date like 2026-01-31`);
      return Date.parse(v) + (end ? 86_400_000 - 1 : 0);
    };
    const { first, max } = paging(url);
    const from = day('dateFrom', false);
    const to = day('dateTo', true);
    const rows = await ctx.events.list(c.get('realm').id, {
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
  });

  // Keycloak: GET /admin/realms/{realm}/users/{id}/sessions → UserSessionRepresentation[]
  admin.get('/:realm/users/:id/sessions', async (c) => {
    const realm = c.get('realm');
    const user = await ctx.realms.userById(c.req.param('id'));
    if (!user || user.realmId !== realm.id) throw new NotFound('User not found');
    return jsonResponse(await liveSessions(ctx, realm, { userId: user.id, ...paging(new URL(c.req.url)) }));
  });

  // Sundown: GET /admin/realms/{realm}/sundown/sessions?user=&first=&max= → every live SSO
  // session of the realm with its RPs (Keycloak lists sessions only per user or per client).
  admin.get('/:realm/sundown/sessions', async (c) => {
    const url = new URL(c.req.url);
    const user = url.searchParams.get('user');
    return jsonResponse(await liveSessions(ctx, c.get('realm'), { ...(user ? { userId: user } : {}), ...paging(url) }));
  });

  // Keycloak: POST /admin/realms/{realm}/users/{id}/logout → 204
  admin.post('/:realm/users/:id/logout', async (c) => {
    const realm = c.get('realm');
    const user = await ctx.realms.userById(c.req.param('id'));
    if (!user || user.realmId !== realm.id) throw new NotFound('User not found');
    await ctx.logout.logoutUser(realm, user.id);
    return new Response(null, { status: 204 });
  });

  // Keycloak: DELETE /admin/realms/{realm}/sessions/{session} → 204
  admin.delete('/:realm/sessions/:session', async (c) => {
    const realm = c.get('realm');
    const session = await ctx.sessions.findLive(realm, c.req.param('session'));
    if (!session) throw new NotFound('Session not found');
    await ctx.logout.endSessions(realm, [session.id], 'admin_session');
    return new Response(null, { status: 204 });
  });

  // Keycloak: POST /admin/realms/{realm}/logout-all → GlobalRequestResult (the admin URLs told);
  // the realm's not-before time becomes now (logout/not-before-actions.ts).
  admin.post('/:realm/logout-all', async (c) => jsonResponse(await logoutAllWithNotBefore(ctx, c.get('realm'))));

  // Keycloak: POST /admin/realms/{realm}/push-revocation → GlobalRequestResult (PUSH_NOT_BEFORE).
  admin.post('/:realm/push-revocation', async (c) => jsonResponse(await pushRevocation(ctx, c.get('realm'))));

  // Sundown: GET /admin/realms/{realm}/sundown/deliveries?status=&clientId=&session=&first=&max=
  admin.get('/:realm/sundown/deliveries', async (c) => {
    const realm = c.get('realm');
    const url = new URL(c.req.url);
    const status = url.searchParams.get('status');
    if (status !== null && !DELIVERY_STATUSES.includes(status as DeliveryStatus)) throw new InvalidRequest(`Unknown status ${status}`);
    const clientId = url.searchParams.get('clientId');
    const session = url.searchParams.get('session');
    const { first, max } = paging(url);
    const rows = await ctx.admin.deliveries(realm.id, { status: status as DeliveryStatus | null, clientId, session, first, max });
    return jsonResponse(
      rows.map((d) => ({
        id: d.id,
        kind: d.kind,
        clientId: d.client_client_id,
        // Realm-wide admin-URL actions belong to no session or user.
        sessionId: d.sso_session_id || null,
        userId: d.user_id || null,
        username: d.username,
        status: d.status,
        attempts: d.attempts,
        createdAt: d.created_at,
        lastAttemptAt: d.last_attempt_at,
        nextAttemptAt: d.status === 'pending' || d.status === 'retrying' ? d.next_attempt_at : null,
        lastStatus: d.last_status,
        lastError: d.last_error,
        finishedAt: d.finished_at,
      })),
    );
  });

  // Sundown: GET /admin/realms/{realm}/sundown/delivery-stats?clientId= → a count per status
  admin.get('/:realm/sundown/delivery-stats', async (c) => {
    const clientId = new URL(c.req.url).searchParams.get('clientId');
    const rows = await ctx.admin.deliveryCounts(c.get('realm').id, clientId);
    const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
    // PostgreSQL returns count(*) as a string (bigint).
    for (const r of rows) counts[r.status] = Number(r.n);
    return jsonResponse(counts);
  });

  // Sundown: POST /admin/realms/{realm}/sundown/deliveries/{id}/retry → 204
  admin.post('/:realm/sundown/deliveries/:id/retry', async (c) => {
    const realm = c.get('realm');
    const row = await ctx.admin.delivery(realm.id, c.req.param('id'));
    if (!row) throw new NotFound('Delivery not found');
    if (!(await ctx.deliveryStore.retryNow(row.id))) throw new Conflict(`Only failed or rejected deliveries can be retried (this one is ${row.status})`);
    ctx.deliveries.wake();
    return new Response(null, { status: 204 });
  });

  // Unknown admin paths answer in the admin error shape too (with errorMessage).
  admin.all('*', () => {
    throw new NotFound('Not found');
  });

  return admin;
}
