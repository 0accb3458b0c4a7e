// What became of each application of one logout, in plain words: the live state the signed-out
// page, the account page and the trace show. Built from the logout's deliveries (every channel,
// each naming the logout) and its front-channel SAML LogoutRequests. Only what an application
// confirmed counts as "signed out": a delivered message (with its receipt's count, when the app
// gave one) or a SAML LogoutResponse with status Success. An OIDC front-channel iframe has no
// answer (FCL §3), so it is shown as told through the browser, never as a guessed success.
import type { LogoutDeliveryTable, SamlLogoutRequestTable } from '../../store/schema.ts';
import { parseReceipt } from '../channels/backchannel/receipt.ts';
import { plainCause } from './plain-cause.ts';

export const APP_STATES = ['signed_out', 'pending', 'retrying', 'told_by_browser', 'failed', 'not_told'] as const;
export type AppState = (typeof APP_STATES)[number];

export interface AppStatus {
  /** Internal client id. */
  id: string;
  clientId: string;
  /** The client's display name (its `name`, else its client_id). */
  name: string;
  state: AppState;
  /** The state in plain words, e.g. "Signed out (2 sessions ended)". */
  label: string;
  /** Why it is not (yet) signed out, in plain words; null when it is. */
  why: string | null;
  /** How many of the app's sessions ended, when its receipt said. */
  sessionsEnded: number | null;
}

export interface LogoutStatus {
  logoutId: string;
  apps: AppStatus[];
  /** Every first attempt is made and every browser answer is in (or overdue): the outcome can be stated. */
  settled: boolean;
  /** Nothing is pending or being retried any more. */
  done: boolean;
  /** E.g. "Signed out of 3 of 4 applications; 1 is still being retried." */
  outcome: string;
}

export interface ClientName {
  id: string;
  clientId: string;
  name: string | null;
}

/** How long the signed-out page waits for a SAML SP's LogoutResponse before calling it unanswered. */
export const BROWSER_ANSWER_WAIT_MS = 10_000;

/** One channel's word on one (client, session): its state, why, and the receipt's count. */
interface Word {
  clientId: string;
  session: string;
  state: AppState;
  why: string | null;
  sessionsEnded: number | null;
}

function deliveryWord(d: LogoutDeliveryTable): Word {
  const base = { clientId: d.client_id, session: d.sso_session_id, why: null, sessionsEnded: null };
  switch (d.status) {
    case 'delivered':
      return { ...base, state: 'signed_out', sessionsEnded: parseReceipt(d.receipt)?.sessionsEnded ?? null };
    case 'pending':
      return d.attempts === 0 || d.last_error === null
        ? { ...base, state: 'pending' }
        : { ...base, state: 'retrying', why: plainCause(d.last_error, d.last_status) };
    case 'retrying':
      return { ...base, state: 'retrying', why: plainCause(d.last_error, d.last_status) };
    case 'rejected':
      return { ...base, state: 'failed', why: plainCause(d.last_error, d.last_status) };
    case 'failed':
      return {
        ...base,
        state: 'failed',
        why: `gave up after ${d.attempts} attempts: ${plainCause(d.last_error, d.last_status)}`,
      };
    case 'unconfirmed':
      return { ...base, state: 'told_by_browser', why: 'this application does not confirm a sign-out' };
    case 'skipped':
      return { ...base, state: 'not_told', why: plainCause(d.last_error, d.last_status) };
    case 'held':
      return { ...base, state: 'pending', why: 'held for the receiver: it polls, or its stream is paused' };
  }
}

const SAML_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

function samlWord(r: SamlLogoutRequestTable, now: number): Word {
  const base = { clientId: r.client_id, session: r.sso_session_id, sessionsEnded: null };
  if (r.answered_at !== null) {
    return r.status === SAML_SUCCESS
      ? { ...base, state: 'signed_out', why: null }
      : {
          ...base,
          state: 'failed',
          why: `the application answered that it did not sign you out (${r.status?.split(':').at(-1) ?? 'no status'})`,
        };
  }
  if (now - r.created_at < BROWSER_ANSWER_WAIT_MS) return { ...base, state: 'pending', why: null };
  return { ...base, state: 'failed', why: 'the application did not answer through your browser' };
}

/** Of several channels to one session of an app, the one that says most: a confirmation first. */
const BEST: readonly AppState[] = ['signed_out', 'pending', 'retrying', 'told_by_browser', 'failed', 'not_told'];
/** Of an app's sessions, the one still furthest from signed out. */
const WORST: readonly AppState[] = ['not_told', 'failed', 'retrying', 'pending', 'told_by_browser', 'signed_out'];

function pick(words: Word[], order: readonly AppState[]): Word {
  return words.reduce((a, b) => (order.indexOf(b.state) < order.indexOf(a.state) ? b : a));
}

function label(state: AppState, sessionsEnded: number | null): string {
  switch (state) {
    case 'signed_out':
      return sessionsEnded === null
        ? 'Signed out'
        : `Signed out (${sessionsEnded} session${sessionsEnded === 1 ? '' : 's'} ended)`;
    case 'pending':
      return 'Signing out…';
    case 'retrying':
      return 'Not reached yet, trying again';
    case 'told_by_browser':
      return 'Told through your browser';
    case 'failed':
      return 'Failed';
    case 'not_told':
      return 'Could not be told';
  }
}

// Deliveries that are not an application the user was signed into, so not a line of the
// per-app status (the admin API's deliveries and the logout trace still show them):
// realm-wide admin-URL actions (logout-all's not-before name no session), Shared Signals
// receivers (services subscribed to the realm's events), and the brokered session's upstream.
const NOT_AN_APP: ReadonlySet<string> = new Set(['k_push_not_before', 'ssf_push', 'ssf_poll', 'upstream_logout']);

/** The per-app states of one logout, and its outcome in one sentence. */
export function appStates(
  logoutId: string,
  deliveries: readonly LogoutDeliveryTable[],
  samlRequests: readonly SamlLogoutRequestTable[],
  clients: ReadonlyMap<string, ClientName>,
  now = Date.now(),
): LogoutStatus {
  const words = [
    ...deliveries.filter((d) => !NOT_AN_APP.has(d.kind)).map(deliveryWord),
    ...samlRequests.map((r) => samlWord(r, now)),
  ];
  const byClient = new Map<string, Map<string, Word[]>>();
  for (const w of words) {
    const sessions = byClient.get(w.clientId) ?? new Map<string, Word[]>();
    sessions.set(w.session, [...(sessions.get(w.session) ?? []), w]);
    byClient.set(w.clientId, sessions);
  }
  const apps: AppStatus[] = [];
  for (const [id, sessions] of byClient) {
    const perSession = [...sessions.values()].map((ws) => pick(ws, BEST));
    const worst = pick(perSession, WORST);
    const counts = perSession.map((w) => w.sessionsEnded);
    const sessionsEnded =
      worst.state === 'signed_out' && counts.every((n) => n !== null)
        ? counts.reduce<number>((a, n) => a + (n ?? 0), 0)
        : null;
    const client = clients.get(id);
    const clientId = client?.clientId ?? id;
    apps.push({
      id,
      clientId,
      name: client?.name ?? clientId,
      state: worst.state,
      label: label(worst.state, sessionsEnded),
      why: worst.state === 'signed_out' ? null : worst.why,
      sessionsEnded,
    });
  }
  apps.sort((a, b) => a.name.localeCompare(b.name) || a.clientId.localeCompare(b.clientId));
  const count = (s: AppState) => apps.filter((a) => a.state === s).length;
  const settled = count('pending') === 0;
  return { logoutId, apps, settled, done: settled && count('retrying') === 0, outcome: outcome(apps, settled, count) };
}

function outcome(apps: AppStatus[], settled: boolean, count: (s: AppState) => number): string {
  if (apps.length === 0) return 'No application had to be told.';
  const n = apps.length;
  const plural = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  if (!settled)
    return `Signing you out of ${plural(n, 'application', 'applications')}: ${count('signed_out')} done so far.`;
  const parts = [`Signed out of ${count('signed_out')} of ${plural(n, 'application', 'applications')}`];
  if (count('retrying') > 0) parts.push(`${plural(count('retrying'), 'is', 'are')} still being retried`);
  if (count('told_by_browser') > 0)
    parts.push(`${plural(count('told_by_browser'), 'was', 'were')} told through your browser, without confirming`);
  if (count('failed') > 0) parts.push(`${plural(count('failed'), 'failed', 'failed')}`);
  if (count('not_told') > 0) parts.push(`${plural(count('not_told'), 'could', 'could')} not be told`);
  return `${parts.join('; ')}.`;
}
