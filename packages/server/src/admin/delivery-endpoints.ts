// Sundown's admin view of logout deliveries: the outbox rows of a realm, a count per status, and
// a retry of one that failed or was rejected.
import { Conflict, InvalidRequest } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../store/schema.ts';
import type { DeliveryInRealm, InRealm } from './admin-scope.ts';
import { parseReceipt } from '../logout/channels/backchannel/receipt.ts';
import { paging } from './paging.ts';
import type { UsesAdminStore } from './capabilities.ts';
import type { UsesDeliveryStore, UsesDeliveryWorker } from '../logout/capabilities.ts';

/** Sundown: GET /admin/realms/{realm}/sundown/deliveries?status=&clientId=&session=&first=&max= */
export async function findDeliveries(ctx: UsesAdminStore, { realm }: InRealm, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const status = url.searchParams.get('status');
  if (status !== null && !DELIVERY_STATUSES.includes(status as DeliveryStatus))
    throw new InvalidRequest(`Unknown status ${status}`);
  const clientId = url.searchParams.get('clientId');
  const session = url.searchParams.get('session');
  const { first, max } = paging(url);
  const rows = await ctx.admin.deliveries(realm.id, {
    status: status as DeliveryStatus | null,
    clientId,
    session,
    first,
    max,
  });
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
      logoutId: d.logout_id,
      // What the receiver said it did (an @sundown/rp receipt); null when it said nothing.
      receipt: parseReceipt(d.receipt),
    })),
  );
}

/** Sundown: GET /admin/realms/{realm}/sundown/delivery-stats?clientId= → a count per status */
export async function deliveryStats(ctx: UsesAdminStore, { realm }: InRealm, req: Request): Promise<Response> {
  const clientId = new URL(req.url).searchParams.get('clientId');
  const rows = await ctx.admin.deliveryCounts(realm.id, clientId);
  const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
  // PostgreSQL returns count(*) as a string (bigint).
  for (const r of rows) counts[r.status] = Number(r.n);
  return jsonResponse(counts);
}

/** Sundown: POST /admin/realms/{realm}/sundown/deliveries/{id}/retry → 204 */
export async function retryDelivery(
  ctx: UsesDeliveryStore & UsesDeliveryWorker,
  { delivery }: DeliveryInRealm,
): Promise<Response> {
  if (!(await ctx.deliveryStore.retryNow(delivery.id)))
    throw new Conflict(`Only failed or rejected deliveries can be retried (this one is ${delivery.status})`);
  ctx.deliveries.wake();
  return new Response(null, { status: 204 });
}
