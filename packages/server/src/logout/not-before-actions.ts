// Realm-wide revocation, as Keycloak's ResourceAdminManager does it:
// - logout-all: the realm's not-before time becomes now, every session ends (each client is told
//   as usual), and every client with an admin URL gets a LogoutAction without session ids
//   carrying that time, so an adapter refuses every older token (keycloak-connect:
//   `grantManager.notBefore`);
// - push revocation: every client with an admin URL gets PUSH_NOT_BEFORE with the realm's current
//   not-before time.
// Both go through the outbox (retried, visible per delivery). The answer is Keycloak's
// GlobalRequestResult after the bounded wait for first attempts: the admin URLs that accepted
// it, and those that have not (yet: they stay in the outbox and are retried).
import type { Client, Realm } from '../realm/model.ts';
import type { LogoutDeliveryTable } from '../store/schema.ts';
import { notBeforeLogoutDelivery, pushNotBeforeDelivery } from './channels/admin-url/planner.ts';
import { kLogoutSender, kPushNotBeforeSender } from './channels/admin-url/senders.ts';
import type { DeliverySender } from './channels/channel.ts';
import type { LogoutMeta } from './logout-service.ts';
import type { UsesSigningKeys } from '../crypto/capabilities.ts';
import type { UsesDeliveryStore, UsesDeliveryWorker, UsesLogout, UsesLogoutWait } from './capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesRealms } from '../realm/capabilities.ts';
import type { UsesNotBefore } from '../tokens/capabilities.ts';

export type NotBeforeActionDeps = UsesRealms &
  UsesSigningKeys &
  UsesUrls &
  UsesLogout &
  UsesDeliveryWorker &
  UsesDeliveryStore &
  UsesLogoutWait &
  UsesNotBefore;

export interface GlobalRequestResult {
  successRequests: string[];
  failedRequests: string[];
}

async function clientsWithAdminUrl(ctx: NotBeforeActionDeps, realm: Realm): Promise<Client[]> {
  // Keycloak sends admin actions to every enabled client with a management URL.
  return (await ctx.realms.clientsOf(realm.id)).filter(
    (c) => c.enabled && c.protocol === 'openid-connect' && Boolean(c.adminUrl),
  );
}

async function sendToAdminUrls(
  ctx: NotBeforeActionDeps,
  realm: Realm,
  sender: DeliverySender,
  row: (client: Client) => LogoutDeliveryTable,
): Promise<GlobalRequestResult & { deliveries: number }> {
  const targets = new Map<string, string>();
  const rows: LogoutDeliveryTable[] = [];
  for (const client of await clientsWithAdminUrl(ctx, realm)) {
    const url = sender.target({ keys: ctx.keys, urls: ctx.urls, realm, client });
    if (!url) continue;
    const d = row(client);
    rows.push(d);
    targets.set(d.id, url);
  }
  const ids = await ctx.logout.enqueue(rows);
  await ctx.deliveries.waitForFirstAttempts(ids, ctx.logoutWaitMs);
  const statuses = await ctx.deliveryStore.statuses(ids);
  const result: GlobalRequestResult & { deliveries: number } = {
    successRequests: [],
    failedRequests: [],
    deliveries: ids.length,
  };
  for (const id of ids)
    (statuses.get(id) === 'delivered' ? result.successRequests : result.failedRequests).push(targets.get(id)!);
  return result;
}

export async function logoutAllWithNotBefore(
  ctx: NotBeforeActionDeps,
  realm: Realm,
  by: LogoutMeta = {},
  now = Date.now(),
) {
  const notBefore = Math.floor(now / 1000);
  await ctx.notBefore.setRealm(realm.id, notBefore);
  const ended = await ctx.logout.logoutAll(realm, by);
  // The realm-wide LOGOUT actions belong to the same logout as the sessions' own deliveries.
  const pushed = await sendToAdminUrls(ctx, realm, kLogoutSender, (client) =>
    notBeforeLogoutDelivery({ realmId: realm.id, clientId: client.id, logoutId: ended.logoutId, now }, notBefore),
  );
  return {
    successRequests: pushed.successRequests,
    failedRequests: pushed.failedRequests,
    sundown: {
      logoutId: ended.logoutId,
      endedSessions: ended.ended.length,
      deliveries: ended.deliveryIds.length + pushed.deliveries,
      notBefore,
    },
  };
}

export async function pushRevocation(
  ctx: NotBeforeActionDeps,
  realm: Realm,
  now = Date.now(),
): Promise<GlobalRequestResult> {
  const notBefore = await ctx.notBefore.ofRealm(realm.id);
  const pushed = await sendToAdminUrls(ctx, realm, kPushNotBeforeSender, (client) =>
    pushNotBeforeDelivery({ realmId: realm.id, clientId: client.id, logoutId: null, now }, notBefore),
  );
  return { successRequests: pushed.successRequests, failedRequests: pushed.failedRequests };
}
