// What the account page shows the signed-in user: their live sessions (browser, address, when it
// started and was last active, the applications in it) and their recent logouts, each with every
// application's outcome for their own sessions.
import type { Realm, User } from '../realm/model.ts';
import type { LogoutStatus } from '../logout/status/app-states.ts';
import { type LogoutStatusDeps, readLogoutStatus } from '../logout/status/logout-status.ts';
import { triggerWords } from '../logout/status/trigger-words.ts';
import { describeUserAgent } from './user-agent.ts';
import type { UsesLogoutStore } from '../logout/capabilities.ts';
import type { UsesClientSessions, UsesSsoSessions } from '../sessions/capabilities.ts';

export type AccountViewDeps = LogoutStatusDeps & UsesClientSessions & UsesLogoutStore & UsesSsoSessions;

export interface SessionView {
  id: string;
  current: boolean;
  browser: string;
  address: string | null;
  startedAt: number;
  lastSeenAt: number;
  /** Display names of the applications signed in through it. */
  apps: string[];
}

export interface LogoutView {
  id: string;
  at: number;
  /** What ended it, in the user's words. */
  why: string;
  status: LogoutStatus;
}

export interface AccountView {
  realm: Realm;
  user: User;
  sessions: SessionView[];
  logouts: LogoutView[];
}

/** How many recent logouts the page lists. */
const RECENT = 10;

export async function readAccount(
  ctx: AccountViewDeps,
  realm: Realm,
  user: User,
  currentSessionId: string,
  now = Date.now(),
): Promise<AccountView> {
  const rows = await ctx.sessions.liveOfUser(realm, user.id, now);
  const apps = rows.length > 0 ? await ctx.clientSessions.liveOnlineWithClients(rows.map((r) => r.id)) : [];
  const sessions = rows
    .map((r) => ({
      id: r.id,
      current: r.id === currentSessionId,
      browser: describeUserAgent(r.user_agent),
      address: r.ip_address,
      startedAt: r.started_at,
      lastSeenAt: r.last_seen_at,
      apps: [...new Set(apps.filter((a) => a.cs_sso_session_id === r.id).map((a) => a.name ?? a.client_id))].sort(),
    }))
    // This browser's session first.
    .sort((a, b) => Number(b.current) - Number(a.current));
  const logouts: LogoutView[] = [];
  for (const l of await ctx.logouts.ofUser(realm.id, user.id, RECENT)) {
    const mine = new Set(
      (await ctx.logouts.sessionsOf(l.id)).filter((s) => s.user_id === user.id).map((s) => s.sso_session_id),
    );
    logouts.push({ id: l.id, at: l.created_at, why: triggerWords(l), status: await readLogoutStatus(ctx, l.id, mine) });
  }
  return { realm, user, sessions, logouts };
}
