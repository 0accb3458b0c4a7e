// Ends SSO sessions and, in the same transaction, writes one back-channel delivery per
// client session with a logout URL (standards §4: durable; nothing depends on the process).
// Every logout trigger — RP-initiated, user switch, expiry, admin — goes through here.
import type { Kysely, Transaction } from 'kysely';
import { newId } from '../crypto/random.ts';
import { clientFromRow, type Realm } from '../realm/model.ts';
import type { Database, LogoutDeliveryTable } from '../store/schema.ts';
import { adapterSessionsOf } from '../sessions/adapter-sessions.ts';
import { usesAdminUrlLogout } from './admin-url.ts';
import { sessionLogoutDelivery } from './admin-url-deliveries.ts';
import { logoutSettings } from './client-logout-settings.ts';

export type EndReason =
  | 'logout'
  | 'user_switch'
  | 'expired'
  | 'admin_user'
  | 'admin_session'
  | 'admin_all'
  /** The user was disabled (admin API or realm import). */
  | 'user_disabled'
  /** The user's password was reset or changed by an import. */
  | 'password_reset'
  /** The user signed in once more than the realm's sessions-per-user cap allows: the oldest went. */
  | 'session_limit';

export interface FrontchannelTarget {
  clientId: string;
  url: string;
}

export interface EndSessionsResult {
  /** Sessions this call ended (already-ended ones are skipped: logout is idempotent). */
  ended: string[];
  deliveryIds: string[];
  frontchannel: FrontchannelTarget[];
}

export interface LogoutMeta {
  ipAddress?: string | null;
  clientId?: string | null;
}

/** Sessions per transaction; keeps parameter counts well inside SQLite's and PostgreSQL's limits. */
const BATCH = 400;
const INSERT_CHUNK = 1000;

export class LogoutService {
  readonly #db: Kysely<Database>;
  readonly #onCommitted: (deliveryIds: string[]) => void;

  constructor(db: Kysely<Database>, onCommitted: (deliveryIds: string[]) => void) {
    this.#db = db;
    this.#onCommitted = onCommitted;
  }

  async endSessions(realm: Realm, sessionIds: readonly string[], reason: EndReason, meta: LogoutMeta = {}, issuer?: string): Promise<EndSessionsResult> {
    const result: EndSessionsResult = { ended: [], deliveryIds: [], frontchannel: [] };
    for (let i = 0; i < sessionIds.length; i += BATCH) {
      const batch = sessionIds.slice(i, i + BATCH);
      const part = await this.#db.transaction().execute((trx) => this.#endBatch(trx, realm, batch, reason, meta, issuer));
      result.ended.push(...part.ended);
      result.deliveryIds.push(...part.deliveryIds);
      result.frontchannel.push(...part.frontchannel);
      if (part.deliveryIds.length > 0) this.#onCommitted(part.deliveryIds);
    }
    return result;
  }

  /**
   * Writes deliveries that no session end produces (realm-wide admin-URL actions: logout-all's
   * not-before, push revocation) and wakes the workers; returns their ids.
   */
  async enqueue(rows: readonly LogoutDeliveryTable[]): Promise<string[]> {
    if (rows.length === 0) return [];
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await this.#db.insertInto('logout_delivery').values(rows.slice(i, i + INSERT_CHUNK)).execute();
    const ids = rows.map((r) => r.id);
    this.#onCommitted(ids);
    return ids;
  }

  /** Every live session of a user (admin "log out user", a disabled user, a password reset). */
  async logoutUser(realm: Realm, userId: string, meta: LogoutMeta = {}, reason: EndReason = 'admin_user'): Promise<EndSessionsResult> {
    const rows = await this.#db
      .selectFrom('sso_session')
      .select('id')
      .where('realm_id', '=', realm.id)
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .execute();
    return this.endSessions(realm, rows.map((r) => r.id), reason, meta);
  }

  /** Every live session of the realm (admin "log out all"), in batches. */
  async logoutAll(realm: Realm, meta: LogoutMeta = {}): Promise<EndSessionsResult> {
    const rows = await this.#db.selectFrom('sso_session').select('id').where('realm_id', '=', realm.id).where('ended_at', 'is', null).execute();
    return this.endSessions(realm, rows.map((r) => r.id), 'admin_all', meta);
  }

  /** Sessions past their idle or max lifetime that nobody ended yet (the expiry sweeper). */
  async endExpired(realm: Realm, now = Date.now()): Promise<EndSessionsResult> {
    const rows = await this.#db
      .selectFrom('sso_session')
      .select('id')
      .where('realm_id', '=', realm.id)
      .where('ended_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('last_seen_at', '<=', now - realm.ssoSessionIdleTimeout * 1000),
          eb('started_at', '<=', now - realm.ssoSessionMaxLifespan * 1000),
        ]),
      )
      .limit(10_000)
      .execute();
    return this.endSessions(realm, rows.map((r) => r.id), 'expired');
  }

  async #endBatch(trx: Transaction<Database>, realm: Realm, ids: string[], reason: EndReason, meta: LogoutMeta, issuer?: string): Promise<EndSessionsResult> {
    const now = Date.now();
    const ended = await trx
      .updateTable('sso_session')
      .set({ ended_at: now, end_reason: reason })
      .where('realm_id', '=', realm.id)
      .where('id', 'in', ids)
      .where('ended_at', 'is', null)
      .returning(['id', 'user_id'])
      .execute();
    if (ended.length === 0) return { ended: [], deliveryIds: [], frontchannel: [] };
    const endedIds = ended.map((s) => s.id);

    // BCL §2.3 / standards §1: every client that received tokens in the session is told.
    const clientSessions = await trx
      .selectFrom('client_session')
      .innerJoin('client', 'client.id', 'client_session.client_id')
      .selectAll('client')
      .select(['client_session.id as cs_id', 'client_session.sso_session_id as cs_sso_session_id', 'client_session.user_id as cs_user_id'])
      .where('client_session.sso_session_id', 'in', endedIds)
      .where('client_session.offline', '=', 0)
      .where('client_session.ended_at', 'is', null)
      .execute();

    await trx.updateTable('client_session').set({ ended_at: now }).where('sso_session_id', 'in', endedIds).where('offline', '=', 0).where('ended_at', 'is', null).execute();
    await trx.updateTable('refresh_token').set({ revoked_at: now }).where('sso_session_id', 'in', endedIds).where('offline', '=', 0).where('revoked_at', 'is', null).execute();

    const deliveries: LogoutDeliveryTable[] = [];
    // Keycloak's admin-URL logout (k_logout) for clients with an admin URL and no back-channel URL.
    const adapterIds = await adapterSessionsOf(trx, clientSessions.filter((r) => usesAdminUrlLogout(clientFromRow(r))).map((r) => r.cs_id));
    const frontchannel: FrontchannelTarget[] = [];
    const revokeOffline = new Map<string, Set<string>>();
    for (const row of clientSessions) {
      const client = clientFromRow(row);
      const settings = logoutSettings(client);
      if (settings.revokeOfflineTokens) {
        const users = revokeOffline.get(client.id) ?? new Set<string>();
        users.add(row.cs_user_id);
        revokeOffline.set(client.id, users);
      }
      if (settings.backchannelUrl) {
        deliveries.push({
          id: newId(),
          realm_id: realm.id,
          client_id: client.id,
          sso_session_id: row.cs_sso_session_id,
          user_id: row.cs_user_id,
          revoke_offline: settings.revokeOfflineTokens ? 1 : 0,
          kind: 'backchannel',
          payload: null,
          status: 'pending',
          attempts: 0,
          created_at: now,
          next_attempt_at: now,
          locked_until: 0,
          last_attempt_at: null,
          last_status: null,
          last_error: null,
          finished_at: null,
        });
      }
      if (usesAdminUrlLogout(client)) {
        deliveries.push(sessionLogoutDelivery({ realmId: realm.id, clientId: client.id, ssoSessionId: row.cs_sso_session_id, userId: row.cs_user_id, now }, adapterIds.get(row.cs_id) ?? []));
      }
      // Standards §5: a client with both URLs gets both channels.
      if (settings.frontchannelUrl && issuer) {
        const url = new URL(settings.frontchannelUrl);
        if (settings.frontchannelSessionRequired) {
          // FCL §2: iss and sid together, or neither.
          url.searchParams.set('iss', issuer);
          url.searchParams.set('sid', row.cs_sso_session_id);
        }
        frontchannel.push({ clientId: client.clientId, url: url.toString() });
      }
    }

    // `backchannel.logout.revoke.offline.tokens`: the client's offline tokens of the user go too.
    for (const [clientId, users] of revokeOffline) {
      const userIds = [...users];
      await trx.updateTable('refresh_token').set({ revoked_at: now }).where('client_id', '=', clientId).where('user_id', 'in', userIds).where('offline', '=', 1).where('revoked_at', 'is', null).execute();
      await trx.updateTable('client_session').set({ ended_at: now }).where('client_id', '=', clientId).where('user_id', 'in', userIds).where('offline', '=', 1).where('ended_at', 'is', null).execute();
    }

    for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
      await trx.insertInto('logout_delivery').values(deliveries.slice(i, i + INSERT_CHUNK)).execute();
    }
    for (let i = 0; i < ended.length; i += INSERT_CHUNK) {
      await trx
        .insertInto('event')
        .values(
          ended.slice(i, i + INSERT_CHUNK).map((s) => ({
            realm_id: realm.id,
            type: 'LOGOUT',
            time: now,
            client_id: meta.clientId ?? null,
            user_id: s.user_id,
            session_id: s.id,
            ip_address: meta.ipAddress ?? null,
            error: null,
            details: JSON.stringify({ reason }),
          })),
        )
        .execute();
    }
    // Skipped rows are records only: nobody waits for them and no worker claims them.
    return { ended: endedIds, deliveryIds: deliveries.filter((d) => d.status === 'pending').map((d) => d.id), frontchannel };
  }
}
