// "Is this SSO session live": not ended, within the realm's idle timeout and max lifespan. The
// same rule in its two forms, side by side, so they cannot drift apart: in JS for a row already
// read, and as SQL for queries that select live (or expired) sessions.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Realm } from '../realm/model.ts';
import type { Database, SsoSessionTable } from '../store/schema.ts';

/** Whether a session row is within the realm's idle and max lifetimes and not ended. */
export function isSessionLive(
  row: Pick<SsoSessionTable, 'ended_at' | 'started_at' | 'last_seen_at'>,
  realm: Realm,
  now: number,
): boolean {
  return (
    row.ended_at === null &&
    now - row.last_seen_at < realm.ssoSessionIdleTimeout * 1000 &&
    now - row.started_at < realm.ssoSessionMaxLifespan * 1000
  );
}

/** isSessionLive as a WHERE condition on `sso_session`. */
export function liveSessionSql(
  eb: ExpressionBuilder<Database, 'sso_session'>,
  realm: Realm,
  now: number,
): Expression<SqlBool> {
  return eb.and([
    eb('sso_session.ended_at', 'is', null),
    eb('sso_session.last_seen_at', '>', now - realm.ssoSessionIdleTimeout * 1000),
    eb('sso_session.started_at', '>', now - realm.ssoSessionMaxLifespan * 1000),
  ]);
}

/** Not ended yet, but past its idle timeout or max lifespan: what the sweeper ends. */
export function expiredSessionSql(
  eb: ExpressionBuilder<Database, 'sso_session'>,
  realm: Realm,
  now: number,
): Expression<SqlBool> {
  return eb.and([
    eb('sso_session.ended_at', 'is', null),
    eb.or([
      eb('sso_session.last_seen_at', '<=', now - realm.ssoSessionIdleTimeout * 1000),
      eb('sso_session.started_at', '<=', now - realm.ssoSessionMaxLifespan * 1000),
    ]),
  ]);
}

/** Which lifetime an expired session passed: the max lifespan wins when it passed both. */
export function expiryOf(
  row: Pick<SsoSessionTable, 'started_at' | 'last_seen_at'>,
  realm: Realm,
  now: number,
): 'expired_max' | 'expired_idle' {
  return now - row.started_at >= realm.ssoSessionMaxLifespan * 1000 ? 'expired_max' : 'expired_idle';
}
