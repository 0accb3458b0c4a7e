// The outbox rows of Keycloak's admin-URL protocol (kinds `k_logout`, `k_push_not_before`).
// A session logout names the adapter's own session ids; without them (the adapter sent no
// `client_session_state`), Keycloak sends nothing for that session ("no logged adapter
// sessions"), and so does Sundown — but it records the row as `skipped` with the reason, so the
// admin API and console show why that client was not told.
import type { LogoutDeliveryTable } from '../../../store/schema.ts';
import { outboxRow, type OutboxTarget, skippedRow } from '../../delivery/outbox-row.ts';
import type { KLogoutPayload, KPushNotBeforePayload } from './senders.ts';

export const NO_ADAPTER_SESSIONS =
  'skipped: the client sent no client_session_state with its code-to-token request, so there is no adapter session to name (Keycloak sends nothing either)';

type RowTarget = OutboxTarget;

/** One ended session of a client with an admin URL: LOGOUT with its adapter sessions, or a skipped row. */
export function sessionLogoutDelivery(t: RowTarget, adapterSessionIds: readonly string[]): LogoutDeliveryTable {
  const payload: KLogoutPayload = {
    adapterSessionIds: [...adapterSessionIds],
    keycloakSessionIds: [t.ssoSessionId],
    notBefore: 0,
  };
  const d = outboxRow(t, 'k_logout', payload);
  return adapterSessionIds.length > 0 ? d : skippedRow(d, NO_ADAPTER_SESSIONS);
}

/** Logout-all: LOGOUT without session ids, carrying the realm's new not-before time (Keycloak's logoutAll). */
export function notBeforeLogoutDelivery(
  t: Omit<RowTarget, 'ssoSessionId' | 'userId'>,
  notBefore: number,
): LogoutDeliveryTable {
  const payload: KLogoutPayload = { adapterSessionIds: null, keycloakSessionIds: null, notBefore };
  return outboxRow({ ...t, ssoSessionId: '', userId: '' }, 'k_logout', payload);
}

/** Push revocation: PUSH_NOT_BEFORE with the current not-before time. */
export function pushNotBeforeDelivery(
  t: Omit<RowTarget, 'ssoSessionId' | 'userId'>,
  notBefore: number,
): LogoutDeliveryTable {
  const payload: KPushNotBeforePayload = { notBefore };
  return outboxRow({ ...t, ssoSessionId: '', userId: '' }, 'k_push_not_before', payload);
}
