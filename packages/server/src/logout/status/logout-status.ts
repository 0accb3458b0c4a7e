// Reads one logout's live status: its deliveries of every channel, its front-channel SAML
// LogoutRequests, and the display names of their clients, as per-app states (app-states.ts).
import type { Client } from '../../realm/model.ts';
import { appStates, type ClientName, type LogoutStatus } from './app-states.ts';
import type { UsesDeliveryStore, UsesSentLogoutRequests } from '../capabilities.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';

export type LogoutStatusDeps = UsesDeliveryStore & UsesRealms & UsesSentLogoutRequests;

/**
 * The status of logout `logoutId`; with `sessions`, only what concerns those sessions (a user's
 * own view of a logout that ended other users' sessions too).
 */
export async function readLogoutStatus(
  ctx: LogoutStatusDeps,
  logoutId: string,
  sessions?: ReadonlySet<string>,
  now = Date.now(),
): Promise<LogoutStatus> {
  const mine = <T extends { sso_session_id: string }>(rows: T[]) =>
    sessions ? rows.filter((r) => sessions.has(r.sso_session_id)) : rows;
  const [deliveries, saml] = await Promise.all([
    ctx.deliveryStore.ofLogout(logoutId).then(mine),
    ctx.samlLogoutRequests.ofLogout(logoutId).then(mine),
  ]);
  const ids = new Set([...deliveries.map((d) => d.client_id), ...saml.map((r) => r.client_id)]);
  const clients = new Map<string, ClientName>();
  for (const client of await Promise.all([...ids].map((id) => ctx.realms.clientById(id)))) {
    if (client) clients.set(client.id, displayName(client));
  }
  return appStates(logoutId, deliveries, saml, clients, now);
}

function displayName(client: Client): ClientName {
  return { id: client.id, clientId: client.clientId, name: client.name };
}
