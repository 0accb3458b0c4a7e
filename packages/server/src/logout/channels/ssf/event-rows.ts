// The outbox rows of Shared Signals events: one SET per stream and event, its claims fixed here
// (security-event-token.ts) so that every attempt sends the same SET. A push stream's row is
// `pending` (the worker sends it like any delivery, retries included) unless the stream is
// paused, when it is `held` until the stream is enabled again (SSF §8.1.2: held, not dropped);
// a poll stream's row is `held` until the receiver polls and acknowledges it (RFC 8936).
import { newId } from '../../../crypto/random.ts';
import type { LogoutDeliveryTable } from '../../../store/schema.ts';
import { outboxRow } from '../../delivery/outbox-row.ts';
import type { SetClaims } from './security-event-token.ts';
import { DELIVERY_METHOD } from './ssf-names.ts';
import type { StoredConfig } from './stream-config.ts';
import type { StreamRow } from './stream-store.ts';
import type { SubjectId } from './subject-ids.ts';

/** What an `ssf_push` / `ssf_poll` row's payload holds. */
export interface SetPayload {
  claims: SetClaims;
  /** Push only: the endpoint and the receiver's Authorization header (RFC 8935 §2), as configured then. */
  url?: string;
  authorization?: string;
}

export interface EventTarget {
  realmId: string;
  issuer: string;
  /** The stream's `aud`. */
  aud: string;
  userId: string;
  ssoSessionId: string;
  logoutId: string | null;
  now: number;
}

export function storedConfig(stream: StreamRow): StoredConfig {
  return JSON.parse(stream.config) as StoredConfig;
}

/** One event for one stream, as an outbox row. */
export function eventRow(
  stream: StreamRow,
  t: EventTarget,
  subject: SubjectId,
  type: string,
  event: Record<string, unknown>,
): LogoutDeliveryTable {
  const config = storedConfig(stream);
  const push = config.delivery.method === DELIVERY_METHOD.push;
  const id = newId();
  const claims: SetClaims = {
    iss: t.issuer,
    aud: t.aud,
    iat: Math.floor(t.now / 1000),
    jti: id,
    ...(t.logoutId ? { txn: t.logoutId } : {}),
    sub_id: subject,
    events: { [type]: event },
  };
  const payload: SetPayload = push
    ? {
        claims,
        url: config.delivery.endpoint_url!,
        ...(config.delivery.authorization_header ? { authorization: config.delivery.authorization_header } : {}),
      }
    : { claims };
  const row = outboxRow(
    {
      realmId: t.realmId,
      clientId: stream.client_id,
      ssoSessionId: t.ssoSessionId,
      userId: t.userId,
      logoutId: t.logoutId,
      now: t.now,
    },
    push ? 'ssf_push' : 'ssf_poll',
    payload,
  );
  const held = !push || stream.status === 'paused';
  return { ...row, id, status: held ? 'held' : 'pending' };
}
