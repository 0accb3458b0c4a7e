// The sso_session table. What a session is and when it ends is decided in sso-session.ts and
// logout/logout-service.ts; this file keeps the rows.
import { sha256 } from '../crypto/random.ts';
import type { Realm } from '../realm/model.ts';
import type { Executor } from '../store/executor.ts';
import { prepareQuery } from '../store/prepared.ts';
import type { SsoSessionTable } from '../store/schema.ts';
import { expiredSessionSql, expiryOf, liveSessionSql } from './session-liveness.ts';

/** The sweeper ends at most this many expired sessions of a realm per round. */
const EXPIRED_BATCH = 10_000;

export class SsoSessionStore {
  readonly #db: Executor;
  // Compiled once: both run on every refresh grant (store/prepared.ts).
  readonly #byIdAnyRealm = prepareQuery(
    (db, id: string) => db.selectFrom('sso_session').selectAll().where('id', '=', id).limit(1),
    1,
  );
  readonly #touch = prepareQuery(
    (db, id: string, now: number) => db.updateTable('sso_session').set({ last_seen_at: now }).where('id', '=', id),
    2,
  );
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(row: SsoSessionTable): Promise<void> {
    await this.#db.insertInto('sso_session').values(row).execute();
  }

  async byId(realmId: string, id: string): Promise<SsoSessionTable | undefined> {
    return this.#db
      .selectFrom('sso_session')
      .selectAll()
      .where('id', '=', id)
      .where('realm_id', '=', realmId)
      .executeTakeFirst();
  }

  /** By id whatever its realm: a refresh token names its session by id only. */
  async byIdAnyRealm(id: string): Promise<SsoSessionTable | undefined> {
    return (await this.#byIdAnyRealm(this.#db, id)).rows[0];
  }

  async byCookie(realmId: string, cookie: string): Promise<SsoSessionTable | undefined> {
    return this.#db
      .selectFrom('sso_session')
      .selectAll()
      .where('cookie_hash', '=', sha256(cookie))
      .where('realm_id', '=', realmId)
      .executeTakeFirst();
  }

  /** Marks activity, which pushes the idle timeout out. */
  async touch(id: string, now: number, db: Executor = this.#db): Promise<void> {
    await this.#touch(db, id, now);
  }

  async reauthenticated(id: string, now: number): Promise<void> {
    await this.#db.updateTable('sso_session').set({ auth_time: now, last_seen_at: now }).where('id', '=', id).execute();
  }

  /** Ids of a user's sessions not ended yet (live or expired). */
  async openIdsOfUser(realmId: string, userId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('sso_session')
      .select('id')
      .where('realm_id', '=', realmId)
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Ids of a realm's sessions not ended yet. */
  async openIdsOfRealm(realmId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('sso_session')
      .select('id')
      .where('realm_id', '=', realmId)
      .where('ended_at', 'is', null)
      .execute();
    return rows.map((r) => r.id);
  }

  /** A user's live sessions, most recently active first (at most 100: their account page). */
  async liveOfUser(realm: Realm, userId: string, now: number): Promise<SsoSessionTable[]> {
    return this.#db
      .selectFrom('sso_session')
      .selectAll()
      .where('realm_id', '=', realm.id)
      .where('user_id', '=', userId)
      .where((eb) => liveSessionSql(eb, realm, now))
      .orderBy('last_seen_at', 'desc')
      .orderBy('id')
      .limit(100)
      .execute();
  }

  /** Sessions past their idle or max lifetime that nobody ended yet, with which one they passed. */
  async expired(realm: Realm, now: number): Promise<Array<{ id: string; expiry: 'expired_idle' | 'expired_max' }>> {
    const rows = await this.#db
      .selectFrom('sso_session')
      .select(['id', 'started_at', 'last_seen_at'])
      .where('realm_id', '=', realm.id)
      .where((eb) => expiredSessionSql(eb, realm, now))
      .limit(EXPIRED_BATCH)
      .execute();
    return rows.map((r) => ({ id: r.id, expiry: expiryOf(r, realm, now) }));
  }

  /** A user's live sessions other than `exceptId`, newest first, from the `skip`-th on. */
  async liveIdsOfUserBeyond(
    realm: Realm,
    userId: string,
    exceptId: string,
    skip: number,
    limit: number,
    now: number,
  ): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('sso_session')
      .select('id')
      .where('realm_id', '=', realm.id)
      .where('user_id', '=', userId)
      .where('id', '!=', exceptId)
      .where((eb) => liveSessionSql(eb, realm, now))
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(skip)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Ends the sessions not ended yet; returns those this call ended (logout is idempotent). */
  async end(
    realmId: string,
    ids: readonly string[],
    reason: string,
    now: number,
    db: Executor = this.#db,
  ): Promise<Array<{ id: string; user_id: string }>> {
    return db
      .updateTable('sso_session')
      .set({ ended_at: now, end_reason: reason })
      .where('realm_id', '=', realmId)
      .where('id', 'in', ids)
      .where('ended_at', 'is', null)
      .returning(['id', 'user_id'])
      .execute();
  }
}
