// The one place sessions end. In one transaction per batch it ends SSO sessions, records them on
// one *logout* (its trigger, who started it, the sessions: logout-store.ts) and writes one
// delivery per client session and channel, each naming that logout (standards §4: durable;
// nothing depends on the process). Every trigger — RP- and SP-initiated logout, the account page,
// a user switch, expiry, the session cap, administrators, a disabled, deleted or re-passworded
// user, `sundown logout` — goes through here, so each has a logout id and the same deliveries.
import { type Client, clientFromRow, type Realm } from '../realm/model.ts';
import { EventLog } from '../events/event-log.ts';
import { AdapterSessionStore } from '../sessions/adapter-sessions.ts';
import { ClientSessionStore } from '../sessions/client-session-store.ts';
import { SsoSessionStore } from '../sessions/sso-session-store.ts';
import { type Executor, type Transact, transactor } from '../store/executor.ts';
import type { LogoutDeliveryTable, LogoutTable } from '../store/schema.ts';
import { RefreshTokenStore } from '../tokens/refresh-token-store.ts';
import { usesAdminUrlLogout } from './channels/admin-url/admin-url.ts';
import { sessionLogoutDelivery } from './channels/admin-url/planner.ts';
import { insertDeliveries } from './delivery/delivery-store.ts';
import { defaultStarter, type EndedBy, type EndReason } from '../sessions/session-ender.ts';
import { newId, sha256 } from '../crypto/random.ts';
import { LogoutStore } from './logout-store.ts';
import { type FrontchannelTarget, frontchannelDelivery, frontchannelIframe } from './channels/frontchannel/planner.ts';
import { backchannelDelivery } from './channels/backchannel/planner.ts';
import type { DeliveryReservation } from './delivery/delivery-worker.ts';
import { logoutSettings } from './client-logout-settings.ts';
import { planSamlLogout, type SamlFrontchannelTarget } from './channels/saml-planner.ts';
import { planUpstreamLogouts, type UpstreamSessions } from './channels/upstream/planner.ts';

export type { EndReason, LogoutTrigger } from '../sessions/session-ender.ts';

export type { FrontchannelTarget } from './channels/frontchannel/planner.ts';

export interface EndSessionsResult {
  /** The logout these sessions ended in; null when nothing ended (and none was asked for). */
  logoutId: string | null;
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
  /**
   * The key the browser that will show the signed-out page keeps (a cookie): only its holder may
   * read this logout's live status. Stored as its hash.
   */
  browserKey?: string;
  /** Record the logout even when no session ends (logout-all still sends realm-wide actions). */
  alwaysRecord?: boolean;
  /** Where the browser's signed-out page continues (JSON), kept so a reload still offers it. */
  continueTo?: string | null;
  /**
   * The upstream identity provider (alias) that started this logout, proven by its signed logout
   * token (broker/): it is never told of the logout it started. Only set by authenticated callers.
   */
  initiatingIdp?: string | null;
  /** The browser is sent to the brokered sessions' upstream end-session endpoint: no server-to-server call. */
  upstreamByBrowser?: boolean;
}

/** The logout a call is writing, across its batches. */
interface OpenLogout {
  id: string | null;
  /** The one user of every session so far; null once there were several. */
  userId: string | null | undefined;
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
  logouts: LogoutStore;
  /** Brokered sessions' upstreams (broker/, plugged in by the root); absent: none are told. */
  upstream?: UpstreamSessions;
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
    logouts: new LogoutStore(db),
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

/**
 * Channels whose rows are not per client session but per subscriber of the realm (the Shared
 * Signals transmitter, channels/ssf/): the rows a batch of ended sessions adds, in its transaction.
 */
export interface SessionEndPlanner {
  sessionEndRows(
    tx: Executor,
    realm: Realm,
    ended: ReadonlyArray<{ id: string; user_id: string }>,
    reason: EndReason,
    startedBy: LogoutMeta['startedBy'],
    logoutId: string,
    now: number,
  ): Promise<LogoutDeliveryTable[]>;
}

export class LogoutService {
  readonly #stores: LogoutStores;
  #planners: SessionEndPlanner[] = [];
  readonly #onCommitted: (deliveryIds: string[]) => void;
  readonly #handoff: DeliveryHandoff | undefined;

  /** `onCommitted`: the ids of committed deliveries nobody has taken yet (wake the workers). */
  constructor(stores: LogoutStores, onCommitted: (deliveryIds: string[]) => void, handoff?: DeliveryHandoff) {
    this.#stores = stores;
    this.#onCommitted = onCommitted;
    this.#handoff = handoff;
  }

  /** Adds a channel that plans rows per realm subscriber at every session end (provider.ts). */
  addPlanner(planner: SessionEndPlanner): void {
    this.#planners.push(planner);
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
    const result: EndSessionsResult = {
      logoutId: null,
      ended: [],
      deliveryIds: [],
      frontchannel: [],
      samlFrontchannel: [],
    };
    const open: OpenLogout = { id: null, userId: undefined };
    for (let i = 0; i < sessionIds.length; i += BATCH) {
      const batch = sessionIds.slice(i, i + BATCH);
      const part = await this.#transact(
        (trx, taken) => this.#endBatch(trx, taken, realm, batch, reason, meta, open, issuer),
        (p) => p.deliveryIds,
      );
      result.ended.push(...part.ended);
      result.deliveryIds.push(...part.deliveryIds);
      result.frontchannel.push(...part.frontchannel);
      result.samlFrontchannel.push(...part.samlFrontchannel);
    }
    if (open.id === null && meta.alwaysRecord) {
      open.id = newId();
      await this.#stores.logouts.insert(logoutRow(open.id, realm, reason, meta, null, 0, Date.now()));
    }
    result.logoutId = open.id;
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

  /** Every live session of the realm (admin "log out all"), in batches: one logout, even of no session. */
  async logoutAll(realm: Realm, meta: LogoutMeta = {}): Promise<EndSessionsResult> {
    const ids = await this.#stores.sessions.openIdsOfRealm(realm.id);
    return this.endSessions(realm, ids, 'admin_all', { alwaysRecord: true, ...meta });
  }

  /**
   * Sessions past their idle or max lifetime that nobody ended yet (the expiry sweeper): one
   * logout for those past their max lifespan, one for those idle too long.
   */
  async endExpired(realm: Realm, now = Date.now()): Promise<EndSessionsResult[]> {
    const expired = await this.#stores.sessions.expired(realm, now);
    const results: EndSessionsResult[] = [];
    for (const trigger of ['expired_max', 'expired_idle'] as const) {
      const ids = expired.filter((s) => s.expiry === trigger).map((s) => s.id);
      if (ids.length > 0) results.push(await this.endSessions(realm, ids, trigger));
    }
    return results;
  }

  async #endBatch(
    trx: Executor,
    taken: DeliveryReservation[],
    realm: Realm,
    ids: string[],
    reason: EndReason,
    meta: LogoutMeta,
    open: OpenLogout,
    issuer?: string,
  ): Promise<Omit<EndSessionsResult, 'logoutId'>> {
    const now = Date.now();
    const stores = this.#stores;
    const ended = await stores.sessions.end(realm.id, ids, reason, now, trx);
    if (ended.length === 0) return { ended: [], deliveryIds: [], frontchannel: [], samlFrontchannel: [] };
    const endedIds = ended.map((s) => s.id);
    const logoutId = await this.#recordSessions(trx, realm, reason, meta, open, ended, now);

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
        const userInitiated = reason === 'rp_initiated' || reason === 'saml_sp_initiated' || reason === 'account';
        const plan = planSamlLogout(client, row, realm.id, logoutId, now, issuer !== undefined, !userInitiated);
        if (plan && 'frontchannel' in plan) samlFrontchannel.push(plan.frontchannel);
        else if (plan) deliveries.push(plan.delivery);
        continue;
      }
      if (settings.revokeOfflineTokens) {
        const users = revokeOffline.get(client.id) ?? new Set<string>();
        users.add(row.cs_user_id);
        revokeOffline.set(client.id, users);
      }
      const target = {
        realmId: realm.id,
        clientId: client.id,
        ssoSessionId: row.cs_sso_session_id,
        userId: row.cs_user_id,
        logoutId,
        now,
      };
      // Each channel plans its own rows (channels/); standards §5: a client with both URLs gets both.
      const back = backchannelDelivery(target, settings);
      if (back) deliveries.push(back);
      if (adminUrl) deliveries.push(sessionLogoutDelivery(target, adapterIds.get(row.cs_id) ?? []));
      const iframe = frontchannelIframe(client.clientId, settings, issuer, row.cs_sso_session_id);
      if (iframe) frontchannel.push(iframe);
      // The front-channel iframe is a delivery too (the logout's record shows it), answered by no one.
      if (settings.frontchannelUrl) {
        const fc = frontchannelDelivery(target, issuer !== undefined, !settings.backchannelUrl && !adminUrl);
        if (fc) deliveries.push(fc);
      }
    }

    // `backchannel.logout.revoke.offline.tokens`: the client's offline tokens of the user go too.
    for (const [clientId, users] of revokeOffline) {
      const userIds = [...users];
      await stores.refreshTokens.revokeOfflineOf(clientId, userIds, now, trx);
      await stores.clientSessions.endOfflineOf(clientId, userIds, now, trx);
    }

    // Subscribers of the realm (SSF: one session-revoked SET per ended session and stream).
    for (const planner of this.#planners)
      deliveries.push(...(await planner.sessionEndRows(trx, realm, ended, reason, meta.startedBy, logoutId, now)));

    // A brokered session's upstream, server to server where it offers that (channels/upstream/).
    deliveries.push(
      ...(await planUpstreamLogouts(
        stores.upstream,
        realm.id,
        ended,
        { logoutId, now, initiatingIdp: meta.initiatingIdp ?? null, byBrowser: meta.upstreamByBrowser === true },
        trx,
      )),
    );
    await this.#writeOutbox(deliveries, trx, taken);
    for (let i = 0; i < ended.length; i += INSERT_CHUNK) {
      const events = ended.slice(i, i + INSERT_CHUNK).map((s) => ({
        realmId: realm.id,
        type: 'LOGOUT' as const,
        clientId: meta.clientId ?? null,
        userId: s.user_id,
        sessionId: s.id,
        ipAddress: meta.ipAddress ?? null,
        details: { reason, logoutId },
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

  /** Writes this batch's sessions on the call's logout, which the first batch that ends any creates. */
  async #recordSessions(
    trx: Executor,
    realm: Realm,
    reason: EndReason,
    meta: LogoutMeta,
    open: OpenLogout,
    ended: ReadonlyArray<{ id: string; user_id: string }>,
    now: number,
  ): Promise<string> {
    const users = new Set(ended.map((s) => s.user_id));
    const user =
      users.size === 1 && (open.userId === undefined || users.has(open.userId ?? '')) ? ended[0]!.user_id : null;
    const sessions = ended.map((s) => ({ realm_id: realm.id, sso_session_id: s.id, user_id: s.user_id }));
    if (open.id === null) {
      open.id = newId();
      open.userId = user;
      await this.#stores.logouts.insert(logoutRow(open.id, realm, reason, meta, user, ended.length, now), trx);
      await this.#stores.logouts.insertSessions(
        sessions.map((s) => ({ ...s, logout_id: open.id! })),
        trx,
      );
      return open.id;
    }
    const id = open.id;
    if (user !== open.userId) open.userId = null;
    await this.#stores.logouts.addSessions(
      id,
      sessions.map((s) => ({ ...s, logout_id: id })),
      open.userId,
      trx,
    );
    return id;
  }
}

/** The logout record of a call. */
function logoutRow(
  id: string,
  realm: Realm,
  trigger: EndReason,
  meta: LogoutMeta,
  userId: string | null,
  sessionCount: number,
  now: number,
): LogoutTable {
  return {
    id,
    realm_id: realm.id,
    trigger,
    started_by: meta.startedBy ?? defaultStarter(trigger),
    actor: meta.actor ?? meta.clientId ?? null,
    ip_address: meta.ipAddress ?? null,
    user_id: userId,
    session_count: sessionCount,
    created_at: now,
    browser_key_hash: meta.browserKey ? sha256(meta.browserKey) : null,
    continue_to: meta.continueTo ?? null,
  };
}
