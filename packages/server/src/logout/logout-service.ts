// Ends SSO sessions and, in the same transaction, writes one back-channel delivery per
// client session with a logout URL (standards §4: durable; nothing depends on the process).
// Every logout trigger — RP-initiated, user switch, expiry, admin — goes through here.
import { type Client, clientFromRow, type Realm } from '../realm/model.ts';
import { EventLog } from '../events/event-log.ts';
import { AdapterSessionStore } from '../sessions/adapter-sessions.ts';
import { ClientSessionStore } from '../sessions/client-session-store.ts';
import { SsoSessionStore } from '../sessions/sso-session-store.ts';
import { type Executor, type Transact, transactor } from '../store/executor.ts';
import type { LogoutDeliveryTable } from '../store/schema.ts';
import { RefreshTokenStore } from '../tokens/refresh-token-store.ts';
import { usesAdminUrlLogout } from './admin-url.ts';
import { sessionLogoutDelivery } from './delivery/admin-url-deliveries.ts';
import { insertDeliveries } from './delivery/delivery-store.ts';
import type { EndedBy, EndReason } from '../sessions/session-ender.ts';
import { outboxRow } from './delivery/outbox-row.ts';
import type { DeliveryReservation } from './delivery/delivery-worker.ts';
import { logoutSettings } from './client-logout-settings.ts';
import { planSamlLogout, type SamlFrontchannelTarget } from './saml-participants.ts';

export type { EndReason } from '../sessions/session-ender.ts';

export interface FrontchannelTarget {
  clientId: string;
  url: string;
}

export interface EndSessionsResult {
  /** Sessions this call ended (already-ended ones are skipped: logout is idempotent). */
  ended: string[];
  deliveryIds: string[];
  frontchannel: FrontchannelTarget[];
  /** Front-channel SAML participants the browser's signed-out page sends a LogoutRequest to. */
  samlFrontchannel: SamlFrontchannelTarget[];
}

export interface LogoutMeta extends EndedBy {
  /**
   * The SAML client (internal id) whose LogoutRequest ends the session: it gets the LogoutResponse,
   * not a LogoutRequest of its own (Keycloak marks it LOGGED_OUT, saml.md §4).
   */
  samlRequester?: string | null;
}

/** Sessions per transaction; keeps parameter counts well inside SQLite's and PostgreSQL's limits. */
const BATCH = 400;
const INSERT_CHUNK = 1000;

/** The tables a logout writes, in one transaction per batch. */
export interface LogoutStores {
  transact: Transact;
  sessions: SsoSessionStore;
  clientSessions: ClientSessionStore;
  adapterSessions: AdapterSessionStore;
  refreshTokens: RefreshTokenStore;
  events: EventLog;
}

/** The stores of a logout over one database (a realm import outside the server). */
export function logoutStoresOver(db: Executor): LogoutStores {
  return {
    transact: transactor(db),
    sessions: new SsoSessionStore(db),
    clientSessions: new ClientSessionStore(db),
    adapterSessions: new AdapterSessionStore(db),
    refreshTokens: new RefreshTokenStore(db),
    events: new EventLog(db),
  };
}

/**
 * This process's delivery worker, which takes new deliveries out of the writing transaction
 * (DeliveryWorker.reserve): they are inserted already claimed and sent right after the
 * commit, with no claim query on a logout's latency path.
 */
export interface DeliveryHandoff {
  reserve(rows: LogoutDeliveryTable[]): DeliveryReservation;
}

export class LogoutService {
  readonly #stores: LogoutStores;
  readonly #onCommitted: (deliveryIds: string[]) => void;
  readonly #handoff: DeliveryHandoff | undefined;

  /** `onCommitted`: the ids of committed deliveries nobody has taken yet (wake the workers). */
  constructor(stores: LogoutStores, onCommitted: (deliveryIds: string[]) => void, handoff?: DeliveryHandoff) {
    this.#stores = stores;
    this.#onCommitted = onCommitted;
    this.#handoff = handoff;
  }

  /** Inserts deliveries in `tx`, letting the worker take what it can send at once. */
  async #writeOutbox(rows: LogoutDeliveryTable[], tx: Executor, taken: DeliveryReservation[]): Promise<void> {
    if (rows.length === 0) return;
    const reservation = this.#handoff?.reserve(rows);
    if (reservation) taken.push(reservation);
    await insertDeliveries(rows, tx);
  }

  /** Runs one outbox-writing transaction; afterwards hands the taken rows over and wakes for the rest. */
  async #transact<T>(
    work: (tx: Executor, taken: DeliveryReservation[]) => Promise<T>,
    ids: (result: T) => string[],
  ): Promise<T> {
    const taken: DeliveryReservation[] = [];
    let result: T;
    try {
      result = await this.#stores.transact((tx) => work(tx, taken));
    } catch (err) {
      for (const r of taken) r.rolledBack();
      throw err;
    }
    for (const r of taken) r.committed();
    const waiting = new Set(taken.flatMap((r) => r.rest.map((d) => d.id)));
    const rest = ids(result).filter((id) => !taken.length || waiting.has(id));
    if (rest.length > 0) this.#onCommitted(rest);
    return result;
  }

  async endSessions(
    realm: Realm,
    sessionIds: readonly string[],
    reason: EndReason,
    meta: LogoutMeta = {},
    issuer?: string,
  ): Promise<EndSessionsResult> {
    const result: EndSessionsResult = { ended: [], deliveryIds: [], frontchannel: [], samlFrontchannel: [] };
    for (let i = 0; i < sessionIds.length; i += BATCH) {
      const batch = sessionIds.slice(i, i + BATCH);
      const part = await this.#transact(
        (trx, taken) => this.#endBatch(trx, taken, realm, batch, reason, meta, issuer),
        (p) => p.deliveryIds,
      );
      result.ended.push(...part.ended);
      result.deliveryIds.push(...part.deliveryIds);
      result.frontchannel.push(...part.frontchannel);
      result.samlFrontchannel.push(...part.samlFrontchannel);
    }
    return result;
  }

  /**
   * Writes deliveries that no session end produces (realm-wide admin-URL actions: logout-all's
   * not-before, push revocation) and wakes the workers; returns their ids.
   */
  async enqueue(rows: readonly LogoutDeliveryTable[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const copies = rows.map((r) => ({ ...r }));
    await this.#transact(
      (tx, taken) => this.#writeOutbox(copies, tx, taken),
      () => copies.filter((d) => d.status === 'pending').map((d) => d.id),
    );
    return ids;
  }

  /** Every live session of a user (admin "log out user", a disabled user, a password reset). */
  async logoutUser(
    realm: Realm,
    userId: string,
    meta: LogoutMeta = {},
    reason: EndReason = 'admin_user',
  ): Promise<EndSessionsResult> {
    const ids = await this.#stores.sessions.openIdsOfUser(realm.id, userId);
    return this.endSessions(realm, ids, reason, meta);
  }

  /** Every live session of the realm (admin "log out all"), in batches. */
  async logoutAll(realm: Realm, meta: LogoutMeta = {}): Promise<EndSessionsResult> {
    const ids = await this.#stores.sessions.openIdsOfRealm(realm.id);
    return this.endSessions(realm, ids, 'admin_all', meta);
  }

  /** Sessions past their idle or max lifetime that nobody ended yet (the expiry sweeper). */
  async endExpired(realm: Realm, now = Date.now()): Promise<EndSessionsResult> {
    const ids = await this.#stores.sessions.expiredIds(realm, now);
    return this.endSessions(realm, ids, 'expired');
  }

  async #endBatch(
    trx: Executor,
    taken: DeliveryReservation[],
    realm: Realm,
    ids: string[],
    reason: EndReason,
    meta: LogoutMeta,
    issuer?: string,
  ): Promise<EndSessionsResult> {
    const now = Date.now();
    const stores = this.#stores;
    const ended = await stores.sessions.end(realm.id, ids, reason, now, trx);
    if (ended.length === 0) return { ended: [], deliveryIds: [], frontchannel: [], samlFrontchannel: [] };
    const endedIds = ended.map((s) => s.id);

    // BCL §2.3 / standards §1: every client that received tokens in the session is told.
    const clientSessions = await stores.clientSessions.liveOnlineWithClients(endedIds, trx);

    await stores.clientSessions.endOnlineOfSessions(endedIds, now, trx);
    await stores.refreshTokens.revokeOnlineOfSessions(endedIds, now, trx);

    const deliveries: LogoutDeliveryTable[] = [];
    // A mass logout has thousands of rows for the same few clients: read each client's row once.
    const clients = new Map<
      string,
      { client: Client; settings: ReturnType<typeof logoutSettings>; adminUrl: boolean }
    >();
    const clientOf = (row: (typeof clientSessions)[number]) => {
      let c = clients.get(row.id);
      if (!c) {
        const client = clientFromRow(row);
        c = { client, settings: logoutSettings(client), adminUrl: usesAdminUrlLogout(client) };
        clients.set(row.id, c);
      }
      return c;
    };
    // Keycloak's admin-URL logout (k_logout) for clients with an admin URL and no back-channel URL.
    const adapterIds = await stores.adapterSessions.of(
      clientSessions.filter((r) => r.protocol !== 'saml' && clientOf(r).adminUrl).map((r) => r.cs_id),
      trx,
    );
    const frontchannel: FrontchannelTarget[] = [];
    const revokeOffline = new Map<string, Set<string>>();
    const samlFrontchannel: SamlFrontchannelTarget[] = [];
    for (const row of clientSessions) {
      const { client, settings, adminUrl } = clientOf(row);
      if (client.protocol === 'saml') {
        // saml.md §4: SOAP through the outbox, the browser's page, or a visible "could not be told".
        if (client.id === meta.samlRequester) continue;
        const plan = planSamlLogout(client, row, realm.id, now, issuer !== undefined, reason !== 'logout');
        if (plan && 'frontchannel' in plan) samlFrontchannel.push(plan.frontchannel);
        else if (plan) deliveries.push(plan.delivery);
        continue;
      }
      if (settings.revokeOfflineTokens) {
        const users = revokeOffline.get(client.id) ?? new Set<string>();
        users.add(row.cs_user_id);
        revokeOffline.set(client.id, users);
      }
      if (settings.backchannelUrl) {
        const target = {
          realmId: realm.id,
          clientId: client.id,
          ssoSessionId: row.cs_sso_session_id,
          userId: row.cs_user_id,
          now,
        };
        deliveries.push(outboxRow(target, 'backchannel', null, settings.revokeOfflineTokens));
      }
      if (adminUrl) {
        deliveries.push(
          sessionLogoutDelivery(
            {
              realmId: realm.id,
              clientId: client.id,
              ssoSessionId: row.cs_sso_session_id,
              userId: row.cs_user_id,
              now,
            },
            adapterIds.get(row.cs_id) ?? [],
          ),
        );
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
      await stores.refreshTokens.revokeOfflineOf(clientId, userIds, now, trx);
      await stores.clientSessions.endOfflineOf(clientId, userIds, now, trx);
    }

    await this.#writeOutbox(deliveries, trx, taken);
    for (let i = 0; i < ended.length; i += INSERT_CHUNK) {
      const events = ended.slice(i, i + INSERT_CHUNK).map((s) => ({
        realmId: realm.id,
        type: 'LOGOUT' as const,
        clientId: meta.clientId ?? null,
        userId: s.user_id,
        sessionId: s.id,
        ipAddress: meta.ipAddress ?? null,
        details: { reason },
      }));
      await stores.events.recordMany(events, now, trx);
    }
    // Skipped rows are records only: nobody waits for them and no worker claims them.
    return {
      ended: endedIds,
      deliveryIds: deliveries.filter((d) => d.status === 'pending').map((d) => d.id),
      frontchannel,
      samlFrontchannel,
    };
  }
}
