// The outbox rows of Keycloak's admin-URL protocol (kinds `k_logout`, `k_push_not_before`).
// A session logout names the adapter's own session ids; without them (the adapter sent no
// `client_session_state`), Keycloak sends nothing for that session ("no logged adapter
// sessions"), and so does Sundown — but it records the row as `skipped` with the reason, so the
// admin API and console show why that client was not told.
import { newId } from '../../crypto/random.ts';
import type { DeliveryKind, LogoutDeliveryTable } from '../../store/schema.ts';
import type { KLogoutPayload, KPushNotBeforePayload } from './senders/keycloak-admin-senders.ts';

export const NO_ADAPTER_SESSIONS =
  'skipped: the client sent no client_session_state with its code-to-token request, so there is no adapter session to name (Keycloak sends nothing either)';

interface RowTarget {
  realmId: string;
  /** Internal client id. */
  clientId: string;
  ssoSessionId: string;
  userId: string;
  now: number;
}

function row(t: RowTarget, kind: DeliveryKind, payload: object): LogoutDeliveryTable {
  return {
    id: newId(),
    realm_id: t.realmId,
    client_id: t.clientId,
    sso_session_id: t.ssoSessionId,
    user_id: t.userId,
    revoke_offline: 0,
    kind,
    payload: JSON.stringify(payload),
    status: 'pending',
    attempts: 0,
    created_at: t.now,
    next_attempt_at: t.now,
    locked_until: 0,
    last_attempt_at: null,
    last_status: null,
    last_error: null,
    finished_at: null,
  };
}

/** One ended session of a client with an admin URL: LOGOUT with its adapter sessions, or a skipped row. */
export function sessionLogoutDelivery(t: RowTarget, adapterSessionIds: readonly string[]): LogoutDeliveryTable {
  const payload: KLogoutPayload = { adapterSessionIds: [...adapterSessionIds], keycloakSessionIds: [t.ssoSessionId], notBefore: 0 };
  const d = row(t, 'k_logout', payload);
  if (adapterSessionIds.length > 0) return d;
  return { ...d, status: 'skipped', last_error: NO_ADAPTER_SESSIONS, finished_at: t.now };
}

/** Logout-all: LOGOUT without session ids, carrying the realm's new not-before time (Keycloak's logoutAll). */
export function notBeforeLogoutDelivery(t: Omit<RowTarget, 'ssoSessionId' | 'userId'>, notBefore: number): LogoutDeliveryTable {
  const payload: KLogoutPayload = { adapterSessionIds: null, keycloakSessionIds: null, notBefore };
  return row({ ...t, ssoSessionId: '', userId: '' }, 'k_logout', payload);
}

/** Push revocation: PUSH_NOT_BEFORE with the current not-before time. */
export function pushNotBeforeDelivery(t: Omit<RowTarget, 'ssoSessionId' | 'userId'>, notBefore: number): LogoutDeliveryTable {
  const payload: KPushNotBeforePayload = { notBefore };
  return row({ ...t, ssoSessionId: '', userId: '' }, 'k_push_not_before', payload);
}
