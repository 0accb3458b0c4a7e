// One call ends sessions and waits for first attempts: the logout service ends them and writes
// every channel's deliveries, then the caller waits, within the logout wait, until each delivery
// has had its first attempt (standards §4: every RP is told before the browser goes on, and a slow
// or dead one cannot hold it past the bound). Every browser logout ends its sessions this way.
import type { Realm } from '../realm/model.ts';
import type { EndReason } from '../sessions/session-ender.ts';
import type { EndSessionsResult, LogoutMeta } from './logout-service.ts';
import type { UsesDeliveryWorker, UsesLogout, UsesLogoutWait } from './capabilities.ts';

export type EndAndWaitDeps = UsesDeliveryWorker & UsesLogout & UsesLogoutWait;

export async function endSessionsAndWait(
  ctx: EndAndWaitDeps,
  realm: Realm,
  sessionIds: readonly string[],
  trigger: EndReason,
  meta: LogoutMeta = {},
  issuer?: string,
): Promise<EndSessionsResult> {
  const result = await ctx.logout.endSessions(realm, sessionIds, trigger, meta, issuer);
  await ctx.deliveries.waitForFirstAttempts(result.deliveryIds, ctx.logoutWaitMs);
  return result;
}
