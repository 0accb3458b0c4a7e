// Sundown's logouts for operators and auditors: every end of sessions with its trigger, who
// started it and where its messages stand (a list, filtered and paged, as JSON or CSV), and one
// logout's trace — its timeline across channels and each application's outcome.
//   GET /admin/realms/{realm}/sundown/logouts?user=&client=&trigger=&outcome=&from=&to=&first=&max=[&format=csv]
//   GET /admin/realms/{realm}/sundown/logouts/{id}
import { InvalidRequest } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import { BROWSER_ANSWER_WAIT_MS } from '../logout/status/app-states.ts';
import { traceLogout, type LogoutTraceDeps } from '../logout/trace/logout-trace.ts';
import { LOGOUT_TRIGGERS } from '../sessions/session-ender.ts';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../store/schema.ts';
import { LOGOUT_OUTCOMES, type LogoutListRow, type LogoutOutcome } from './admin-store.ts';
import type { InRealm, LogoutInRealm } from './admin-scope.ts';
import { logoutsCsv } from './logouts-csv.ts';
import { paging } from './paging.ts';
import type { UsesAdminStore } from './capabilities.ts';

/** One logout in the list. */
export interface LogoutSummary {
  id: string;
  trigger: string;
  startedBy: string;
  actor: string | null;
  ipAddress: string | null;
  userId: string | null;
  username: string | null;
  sessions: number;
  createdAt: number;
  /** Its deliveries (every channel) by status. */
  deliveries: Record<DeliveryStatus, number>;
  outcome: LogoutOutcome;
}

/** A time filter: an ISO date (the whole day), an ISO date-time, or epoch milliseconds. */
function time(url: URL, name: string, end: boolean): number | null {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return null;
  if (/^\d{1,15}$/.test(v)) return Number(v);
  const day = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw new InvalidRequest(`${name} must be a date (2026-01-31), a date-time or epoch milliseconds`);
  return day && end ? t + 86_400_000 - 1 : t;
}

export async function findLogouts(ctx: UsesAdminStore, { realm }: InRealm, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const trigger = url.searchParams.get('trigger');
  if (trigger !== null && !(LOGOUT_TRIGGERS as readonly string[]).includes(trigger))
    throw new InvalidRequest(`Unknown trigger ${trigger}`);
  const outcome = url.searchParams.get('outcome');
  if (outcome !== null && !(LOGOUT_OUTCOMES as readonly string[]).includes(outcome))
    throw new InvalidRequest(`Unknown outcome ${outcome}`);
  const csv = url.searchParams.get('format') === 'csv' || (req.headers.get('accept') ?? '').startsWith('text/csv');
  const now = Date.now();
  const rows = await ctx.admin.logouts(
    realm.id,
    {
      userId: url.searchParams.get('user') || null,
      clientId: url.searchParams.get('client') || null,
      trigger,
      outcome: outcome as LogoutOutcome | null,
      from: time(url, 'from', false),
      to: time(url, 'to', true),
      ...paging(url),
    },
    now,
    BROWSER_ANSWER_WAIT_MS,
  );
  const summaries = await summarize(ctx, rows, now);
  if (csv)
    return new Response(logoutsCsv(summaries), {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="logouts-${realm.name}.csv"`,
        'Cache-Control': 'no-store',
      },
    });
  return jsonResponse(summaries);
}

async function summarize(ctx: UsesAdminStore, rows: LogoutListRow[], now: number): Promise<LogoutSummary[]> {
  const ids = rows.map((r) => r.id);
  const [counts, saml] = await Promise.all([ctx.admin.logoutDeliveryCounts(ids), ctx.admin.logoutSamlRequests(ids)]);
  return rows.map((r) => {
    const deliveries = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
    for (const c of counts) if (c.logout_id === r.id) deliveries[c.status] = Number(c.n);
    const mine = saml.filter((s) => s.logout_id === r.id);
    const awaiting = mine.some((s) => s.answered_at === null && now - s.created_at < BROWSER_ANSWER_WAIT_MS);
    const refused = mine.some(
      (s) =>
        (s.answered_at === null && now - s.created_at >= BROWSER_ANSWER_WAIT_MS) ||
        (s.answered_at !== null && s.status !== 'urn:oasis:names:tc:SAML:2.0:status:Success'),
    );
    const outcome: LogoutOutcome =
      deliveries.pending + deliveries.retrying + deliveries.held > 0 || awaiting
        ? 'in_progress'
        : deliveries.failed + deliveries.rejected + deliveries.skipped > 0 || refused
          ? 'incomplete'
          : 'complete';
    return {
      id: r.id,
      trigger: r.trigger,
      startedBy: r.started_by,
      actor: r.actor,
      ipAddress: r.ip_address,
      userId: r.user_id,
      username: r.username,
      sessions: r.session_count,
      createdAt: r.created_at,
      deliveries,
      outcome,
    };
  });
}

/** One logout's trace: the logout, its sessions, each app's outcome, and its timeline across channels. */
export async function findLogout(ctx: LogoutTraceDeps, { realm, logout }: LogoutInRealm): Promise<Response> {
  return jsonResponse(await traceLogout(ctx, realm, logout));
}
