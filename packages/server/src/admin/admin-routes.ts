// The admin REST API (Keycloak paths and representations) for sessions and logout, plus
// Sundown's delivery view. Every logout goes through the single sign-out service, so tokens go out.
import { Hono } from 'hono';
import type { ProviderContext } from '../context.ts';
import { Conflict, InvalidRequest, NotFound } from '../errors.ts';
import { jsonError, jsonResponse } from '../http/respond.ts';
import type { Realm } from '../realm/model.ts';
import { isSessionLive } from '../sessions/sso-session.ts';
import type { LogoutDeliveryTable } from '../store/schema.ts';
import { requireAdmin } from './admin-auth.ts';

type Env = { Variables: { realm: Realm } };

const STATUSES: ReadonlyArray<LogoutDeliveryTable['status']> = ['pending', 'retrying', 'delivered', 'rejected', 'failed'];

function paging(url: URL): { first: number; max: number } {
  const first = Number(url.searchParams.get('first') ?? '0');
  const max = Number(url.searchParams.get('max') ?? '100');
  return { first: Number.isInteger(first) && first >= 0 ? first : 0, max: Number.isInteger(max) && max > 0 ? Math.min(max, 1000) : 100 };
}

export function createAdminRoutes(ctx: ProviderContext): Hono<Env> {
  const admin = new Hono<Env>({ strict: false });
  admin.onError((err) => jsonError(ctx.log, err));

  admin.use('*', async (_c, next) => {
    await requireAdmin(ctx, _c.req.raw);
    await next();
  });

  admin.get('/', async () => {
    const rows = await ctx.db.selectFrom('realm').select(['id', 'name', 'display_name', 'enabled']).orderBy('name').execute();
    return jsonResponse(rows.map((r) => ({ id: r.id, realm: r.name, displayName: r.display_name ?? undefined, enabled: r.enabled === 1 })));
  });

  admin.use('/:realm/*', async (c, next) => {
    const realm = await ctx.realms.realmByName(c.req.param('realm'));
    if (!realm) throw new NotFound('Realm not found');
    c.set('realm', realm);
    await next();
  });

  // Keycloak: GET /admin/realms/{realm}/users/{id}/sessions → UserSessionRepresentation[]
  admin.get('/:realm/users/:id/sessions', async (c) => {
    const realm = c.get('realm');
    const user = await ctx.realms.userById(c.req.param('id'));
    if (!user || user.realmId !== realm.id) throw new NotFound('User not found');
    const now = Date.now();
    const sessions = (await ctx.sessions.sessionsOfUser(realm.id, user.id)).filter((s) => isSessionLive(s, realm, now));
    const out = [];
    for (const s of sessions) {
      const clients = await ctx.db
        .selectFrom('client_session')
        .innerJoin('client', 'client.id', 'client_session.client_id')
        .select(['client.id', 'client.client_id'])
        .where('client_session.sso_session_id', '=', s.id)
        .where('client_session.ended_at', 'is', null)
        .execute();
      out.push({ id: s.id, username: user.username, userId: user.id, ipAddress: s.ip_address ?? undefined, start: s.started_at, lastAccess: s.last_seen_at, clients: Object.fromEntries(clients.map((cl) => [cl.id, cl.client_id])) });
    }
    return jsonResponse(out);
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
  admin.delete('/:realm/sessions/:sid', async (c) => {
    const realm = c.get('realm');
    const session = await ctx.sessions.findLive(realm, c.req.param('sid'));
    if (!session) throw new NotFound('Session not found');
    await ctx.logout.endSessions(realm, [session.id], 'admin_session');
    return new Response(null, { status: 204 });
  });

  // Keycloak: POST /admin/realms/{realm}/logout-all → GlobalRequestResult
  admin.post('/:realm/logout-all', async (c) => {
    const result = await ctx.logout.logoutAll(c.get('realm'));
    return jsonResponse({ successRequests: [], failedRequests: [], sundown: { endedSessions: result.ended.length, deliveries: result.deliveryIds.length } });
  });

  // Sundown: GET /admin/realms/{realm}/sundown/deliveries?status=&clientId=&first=&max=
  admin.get('/:realm/sundown/deliveries', async (c) => {
    const realm = c.get('realm');
    const url = new URL(c.req.url);
    const status = url.searchParams.get('status');
    if (status !== null && !STATUSES.includes(status as LogoutDeliveryTable['status'])) throw new InvalidRequest(`Unknown status ${status}`);
    const clientId = url.searchParams.get('clientId');
    const { first, max } = paging(url);
    const rows = await ctx.db
      .selectFrom('logout_delivery')
      .innerJoin('client', 'client.id', 'logout_delivery.client_id')
      .selectAll('logout_delivery')
      .select('client.client_id as client_client_id')
      .where('logout_delivery.realm_id', '=', realm.id)
      .$if(status !== null, (q) => q.where('logout_delivery.status', '=', status as LogoutDeliveryTable['status']))
      .$if(clientId !== null, (q) => q.where('client.client_id', '=', clientId!))
      .orderBy('logout_delivery.created_at', 'desc')
      .offset(first)
      .limit(max)
      .execute();
    return jsonResponse(
      rows.map((d) => ({
        id: d.id,
        clientId: d.client_client_id,
        sessionId: d.sso_session_id,
        userId: d.user_id,
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

  // Sundown: POST /admin/realms/{realm}/sundown/deliveries/{id}/retry → 204
  admin.post('/:realm/sundown/deliveries/:id/retry', async (c) => {
    const realm = c.get('realm');
    const row = await ctx.db.selectFrom('logout_delivery').select(['id', 'status']).where('id', '=', c.req.param('id')).where('realm_id', '=', realm.id).executeTakeFirst();
    if (!row) throw new NotFound('Delivery not found');
    if (!(await ctx.deliveryStore.retryNow(row.id))) throw new Conflict(`Only failed or rejected deliveries can be retried (this one is ${row.status})`);
    ctx.deliveries.wake();
    return new Response(null, { status: 204 });
  });

  return admin;
}
