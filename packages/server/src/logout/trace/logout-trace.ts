// One logout's trace, for operators and auditors: what ended which sessions, who started it, and
// — across every channel — each message to each application: queued, every attempt with its
// answer or cause, the receipt, the browser's iframes and SAML answers; then each app's outcome.
// Read by the admin API (…/sundown/logouts/{id}), the console and `sundown trace`.
import type { Realm } from '../../realm/model.ts';
import type { LogoutDeliveryTable, LogoutTable, SamlLogoutRequestTable } from '../../store/schema.ts';
import { parseReceipt } from '../channels/backchannel/receipt.ts';
import type { LogoutStatus } from '../status/app-states.ts';
import { type LogoutStatusDeps, readLogoutStatus } from '../status/logout-status.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLogoutStore } from '../capabilities.ts';

export type LogoutTraceDeps = LogoutStatusDeps & UsesEvents & UsesLogoutStore;

/** The channel a delivery kind is, in words. */
export const CHANNEL_NAMES: Record<LogoutDeliveryTable['kind'] | 'saml_frontchannel', string> = {
  backchannel: 'back-channel',
  frontchannel: 'front-channel',
  k_logout: 'admin URL',
  k_push_not_before: 'admin URL',
  saml_soap: 'SAML SOAP',
  saml_frontchannel: 'SAML front-channel',
  ssf_push: 'Shared Signals push',
  ssf_poll: 'Shared Signals poll',
  upstream_logout: 'upstream identity provider',
};

export interface TraceStep {
  at: number;
  /** The client's client_id, or null for the logout itself. */
  clientId: string | null;
  channel: string | null;
  /** The delivery, or the SAML LogoutRequest's ID. */
  deliveryId: string | null;
  what: string;
}

export interface LogoutTrace {
  logout: {
    id: string;
    realm: string;
    trigger: string;
    startedBy: string;
    actor: string | null;
    ipAddress: string | null;
    userId: string | null;
    username: string | null;
    sessionCount: number;
    createdAt: number;
  };
  sessions: Array<{ id: string; userId: string; username: string | null }>;
  status: LogoutStatus;
  timeline: TraceStep[];
}

/** The most sessions listed in a trace (a logout-all ends many; the count is always exact). */
const MAX_SESSIONS = 1000;

export async function traceLogout(ctx: LogoutTraceDeps, realm: Realm, logout: LogoutTable): Promise<LogoutTrace> {
  const [sessions, deliveries, saml, events, status] = await Promise.all([
    ctx.logouts.sessionsOf(logout.id),
    ctx.deliveryStore.ofLogout(logout.id),
    ctx.samlLogoutRequests.ofLogout(logout.id),
    ctx.events.ofLogout(realm.id, logout.id, logout.created_at),
    readLogoutStatus(ctx, logout.id),
  ]);
  const clientIds = new Map(status.apps.map((a) => [a.id, a.clientId]));
  const clientOf = (id: string) => clientIds.get(id) ?? id;
  const usernames = new Map<string, string | null>();
  for (const id of new Set([...(logout.user_id ? [logout.user_id] : []), ...sessions.map((s) => s.user_id)])) {
    if (usernames.size >= MAX_SESSIONS) break;
    usernames.set(id, (await ctx.realms.userById(id))?.username ?? null);
  }
  const timeline: TraceStep[] = [
    {
      at: logout.created_at,
      clientId: null,
      channel: null,
      deliveryId: null,
      what: `logout started (${logout.trigger}): ${logout.session_count} session${logout.session_count === 1 ? '' : 's'} ended`,
    },
  ];
  const attempted = new Set<string>();
  for (const e of events) {
    const d = e.details ? (JSON.parse(e.details) as { deliveryId?: string; kind?: string; attempt?: number }) : {};
    if (d.deliveryId) attempted.add(d.deliveryId);
    const row = deliveries.find((x) => x.id === d.deliveryId);
    timeline.push({
      at: e.time,
      clientId: e.client_id ?? (row ? clientOf(row.client_id) : null),
      channel: CHANNEL_NAMES[(d.kind ?? row?.kind ?? 'backchannel') as LogoutDeliveryTable['kind']] ?? d.kind ?? null,
      deliveryId: d.deliveryId ?? null,
      what: eventWords(e.type, d.attempt ?? null, e.error, e.details),
    });
  }
  for (const d of deliveries) timeline.push(...deliverySteps(d, clientOf(d.client_id), attempted.has(d.id)));
  for (const r of saml) timeline.push(...samlSteps(r, clientOf(r.client_id)));
  timeline.sort((a, b) => a.at - b.at);
  return {
    logout: {
      id: logout.id,
      realm: realm.name,
      trigger: logout.trigger,
      startedBy: logout.started_by,
      actor: logout.actor,
      ipAddress: logout.ip_address,
      userId: logout.user_id,
      username: logout.user_id ? (usernames.get(logout.user_id) ?? null) : null,
      sessionCount: logout.session_count,
      createdAt: logout.created_at,
    },
    sessions: sessions
      .slice(0, MAX_SESSIONS)
      .map((s) => ({ id: s.sso_session_id, userId: s.user_id, username: usernames.get(s.user_id) ?? null })),
    status,
    timeline,
  };
}

function eventWords(type: string, attempt: number | null, error: string | null, details: string | null): string {
  const d = details
    ? (JSON.parse(details) as { httpStatus?: number | null; nextAttemptAt?: number; receipt?: unknown })
    : {};
  const n = attempt !== null ? `attempt ${attempt}: ` : '';
  const receipt = parseReceipt(d.receipt ? JSON.stringify(d.receipt) : null);
  switch (type) {
    case 'BACKCHANNEL_LOGOUT_DELIVERED':
      return `${n}delivered (HTTP ${d.httpStatus ?? '?'})${receipt ? `, receipt: ${receiptWords(receipt.sessionsEnded)}` : ''}`;
    case 'BACKCHANNEL_LOGOUT_RETRYING':
      return `${n}not delivered: ${error ?? 'unknown cause'}; next attempt ${d.nextAttemptAt ? new Date(d.nextAttemptAt).toISOString() : 'later'}`;
    case 'BACKCHANNEL_LOGOUT_REJECTED':
      return `${n}rejected by the receiver: ${error ?? ''}`.trim();
    default:
      return `${n}failed, gave up: ${error ?? 'unknown cause'}`;
  }
}

function receiptWords(n: number | null): string {
  return n === null ? 'logged out' : `${n} session${n === 1 ? '' : 's'} ended`;
}

/** A delivery's own record: queued (or skipped, or handed to the browser), and — when its events are gone — its last state. */
function deliverySteps(d: LogoutDeliveryTable, clientId: string, hasEvents: boolean): TraceStep[] {
  const step = (at: number, what: string): TraceStep => ({
    at,
    clientId,
    channel: CHANNEL_NAMES[d.kind],
    deliveryId: d.id,
    what,
  });
  if (d.status === 'skipped') return [step(d.created_at, `not sent: ${d.last_error ?? 'skipped'}`)];
  if (d.status === 'unconfirmed')
    return [step(d.created_at, 'iframe loaded by the user’s browser (no answer: FCL §3)')];
  const steps = [step(d.created_at, `queued${d.sso_session_id ? '' : ' (realm-wide)'}`)];
  if (!hasEvents && d.last_attempt_at !== null) {
    const receipt = parseReceipt(d.receipt);
    steps.push(
      step(
        d.finished_at ?? d.last_attempt_at,
        `${d.status} after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.last_status !== null ? ` (HTTP ${d.last_status})` : ''}${d.last_error ? `: ${d.last_error}` : ''}${receipt ? `, receipt: ${receiptWords(receipt.sessionsEnded)}` : ''}`,
      ),
    );
  }
  if (d.status === 'pending' || d.status === 'retrying')
    steps.push(step(d.next_attempt_at, d.attempts === 0 ? 'first attempt due' : 'next attempt due'));
  return steps;
}

function samlSteps(r: SamlLogoutRequestTable, clientId: string): TraceStep[] {
  const step = (at: number, what: string): TraceStep => ({
    at,
    clientId,
    channel: CHANNEL_NAMES.saml_frontchannel,
    deliveryId: r.id,
    what,
  });
  const steps = [step(r.created_at, 'LogoutRequest sent through the user’s browser')];
  if (r.answered_at !== null)
    steps.push(step(r.answered_at, `LogoutResponse: ${r.status?.split(':').at(-1) ?? 'no status'}`));
  return steps;
}
