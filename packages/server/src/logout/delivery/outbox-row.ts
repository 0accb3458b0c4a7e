// A new outbox row (logout_delivery) of any kind, due now: the one place that lists the columns
// a fresh delivery starts with, so each kind's writer states only what is its own.
import { newId } from '../../crypto/random.ts';
import type { DeliveryKind, LogoutDeliveryTable } from '../../store/schema.ts';

export interface OutboxTarget {
  realmId: string;
  /** Internal client id. */
  clientId: string;
  ssoSessionId: string;
  userId: string;
  /** The logout this delivery tells of; null for actions no session end caused (push revocation). */
  logoutId: string | null;
  now: number;
}

/** A pending delivery of `kind`; `payload` is the kind's own inputs (JSON), null for none. */
export function outboxRow(
  t: OutboxTarget,
  kind: DeliveryKind,
  payload: object | null,
  revokeOffline = false,
): LogoutDeliveryTable {
  return {
    id: newId(),
    realm_id: t.realmId,
    client_id: t.clientId,
    sso_session_id: t.ssoSessionId,
    user_id: t.userId,
    revoke_offline: revokeOffline ? 1 : 0,
    kind,
    payload: payload === null ? null : JSON.stringify(payload),
    status: 'pending',
    attempts: 0,
    created_at: t.now,
    next_attempt_at: t.now,
    locked_until: 0,
    last_attempt_at: null,
    last_status: null,
    last_error: null,
    finished_at: null,
    logout_id: t.logoutId,
    receipt: null,
  };
}

/** A row recorded as skipped at once, with the reason the client could not be told. */
export function skippedRow(row: LogoutDeliveryTable, reason: string): LogoutDeliveryTable {
  return { ...row, status: 'skipped', last_error: reason, finished_at: row.created_at };
}
