// The admin API's queries, in one place: the lists and counts its pages show. Its writes of realms,
// clients and users go through realm/realm-writer.ts, their one writer; the protocol reads the
// same rows through realm/repository.ts.
import { type Selectable, sql } from 'kysely';
import { liveSessionSql } from '../sessions/session-liveness.ts';
import type { Realm } from '../realm/model.ts';
import type { Executor } from '../store/executor.ts';
import type { ClientTable, DeliveryStatus, LogoutDeliveryTable, LogoutTable, UserTable } from '../store/schema.ts';

export interface Paging {
  first: number;
  max: number;
}

/**
 * Where a logout stands, from its deliveries and front-channel SAML LogoutRequests: a message
 * still pending or retried (or a SAML answer still awaited) is in progress; else one failed,
 * rejected, skipped or refused (or a SAML answer that never came) is incomplete; else complete.
 */
export const LOGOUT_OUTCOMES = ['in_progress', 'incomplete', 'complete'] as const;
export type LogoutOutcome = (typeof LOGOUT_OUTCOMES)[number];

export interface LogoutFilter {
  userId: string | null;
  /** The client's client_id. */
  clientId: string | null;
  trigger: string | null;
  outcome: LogoutOutcome | null;
  /** Epoch ms, inclusive. */
  from: number | null;
  to: number | null;
}

export interface LogoutListRow extends LogoutTable {
  username: string | null;
}

export interface LiveSessionRow {
  id: string;
  user_id: string;
  username: string;
  ip_address: string | null;
  started_at: number;
  last_seen_at: number;
}

/** A case-insensitive substring match; an explicit ESCAPE (SQLite has no default, PostgreSQL's is backslash). */
const like = (column: 'username' | 'email', v: string) =>
  sql<boolean>`lower(${sql.ref(column)}) like ${`%${v.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`} escape '\\'`;

export class AdminStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  // Realms

  async realmList(): Promise<Array<{ id: string; name: string; display_name: string | null; enabled: 0 | 1 }>> {
    return this.#db.selectFrom('realm').select(['id', 'name', 'display_name', 'enabled']).orderBy('name').execute();
  }

  async realmIdByName(name: string): Promise<string | undefined> {
    return (await this.#db.selectFrom('realm').select('id').where('name', '=', name).executeTakeFirst())?.id;
  }

  // Clients

  async clients(realmId: string, clientId: string | null, page?: Paging): Promise<ClientTable[]> {
    return this.#db
      .selectFrom('client')
      .selectAll()
      .where('realm_id', '=', realmId)
      .$if(clientId !== null, (q) => q.where('client_id', '=', clientId!))
      .orderBy('client_id')
      .$if(page !== undefined, (q) => q.offset(page!.first).limit(page!.max))
      .execute();
  }

  async clientIdByClientId(realmId: string, clientId: string): Promise<string | undefined> {
    return (
      await this.#db
        .selectFrom('client')
        .select('id')
        .where('realm_id', '=', realmId)
        .where('client_id', '=', clientId)
        .executeTakeFirst()
    )?.id;
  }

  /** Keycloak's client-session-stats: live client sessions per client, online and offline. */
  async clientSessionCounts(
    realmId: string,
  ): Promise<Array<{ id: string; client_id: string; offline: 0 | 1; n: number }>> {
    return this.#db
      .selectFrom('client_session')
      .innerJoin('client', 'client.id', 'client_session.client_id')
      .select(['client.id', 'client.client_id', 'client_session.offline', (eb) => eb.fn.countAll<number>().as('n')])
      .where('client_session.realm_id', '=', realmId)
      .where('client_session.ended_at', 'is', null)
      .groupBy(['client.id', 'client.client_id', 'client_session.offline'])
      .execute();
  }

  // Users

  async hasUsers(realmId: string): Promise<boolean> {
    const users = await this.#db.selectFrom('app_user').select('id').where('realm_id', '=', realmId).limit(1).execute();
    return users.length > 0;
  }

  /** By exact username or a case-insensitive substring of username or email. */
  async users(
    realmId: string,
    username: string | undefined,
    search: string | undefined,
    page: Paging,
  ): Promise<Selectable<UserTable>[]> {
    return (
      this.#db
        .selectFrom('app_user')
        .selectAll()
        .where('realm_id', '=', realmId)
        // Keycloak's user search leaves service accounts out (UserModel.INCLUDE_SERVICE_ACCOUNT).
        .where('service_account_client_id', 'is', null)
        .$if(username !== undefined, (q) => q.where('username', '=', username!))
        .$if(search !== undefined, (q) => q.where((eb) => eb.or([like('username', search!), like('email', search!)])))
        .orderBy('username')
        .offset(page.first)
        .limit(page.max)
        .execute()
    );
  }

  /** Keycloak's GET …/users/count: the users the same search finds, service accounts left out. */
  async countUsers(
    realmId: string,
    f: { search: string | undefined; username: string | undefined; email: string | undefined },
  ): Promise<number> {
    const row = await this.#db
      .selectFrom('app_user')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('realm_id', '=', realmId)
      .where('service_account_client_id', 'is', null)
      .$if(f.username !== undefined, (q) => q.where('username', '=', f.username!))
      .$if(f.email !== undefined, (q) => q.where('email', '=', f.email!))
      .$if(f.search !== undefined, (q) =>
        q.where((eb) => eb.or([like('username', f.search!), like('email', f.search!)])),
      )
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  // Sessions

  /** Live SSO sessions, newest first; the liveness rule is isSessionLive's, as SQL. */
  async liveSessions(
    realm: Realm,
    q: { userId?: string; clientId?: string } & Paging,
    now: number,
  ): Promise<LiveSessionRow[]> {
    return this.#db
      .selectFrom('sso_session')
      .innerJoin('app_user', 'app_user.id', 'sso_session.user_id')
      .select([
        'sso_session.id',
        'sso_session.user_id',
        'app_user.username',
        'sso_session.ip_address',
        'sso_session.started_at',
        'sso_session.last_seen_at',
      ])
      .where('sso_session.realm_id', '=', realm.id)
      .$if(q.userId !== undefined, (b) => b.where('sso_session.user_id', '=', q.userId!))
      .$if(q.clientId !== undefined, (b) =>
        b.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('client_session as cs')
              .select('cs.id')
              .whereRef('cs.sso_session_id', '=', 'sso_session.id')
              .where('cs.client_id', '=', q.clientId!)
              .where('cs.offline', '=', 0)
              .where('cs.ended_at', 'is', null),
          ),
        ),
      )
      .where((eb) => liveSessionSql(eb, realm, now))
      .orderBy('sso_session.started_at', 'desc')
      .orderBy('sso_session.id')
      .offset(q.first)
      .limit(q.max)
      .execute();
  }

  /** The clients signed in to these SSO sessions (live online client sessions). */
  async clientsOfSessions(
    ssoSessionIds: readonly string[],
  ): Promise<Array<{ sso_session_id: string; id: string; client_id: string }>> {
    return this.#db
      .selectFrom('client_session')
      .innerJoin('client', 'client.id', 'client_session.client_id')
      .select(['client_session.sso_session_id', 'client.id', 'client.client_id'])
      .where('client_session.sso_session_id', 'in', ssoSessionIds)
      .where('client_session.offline', '=', 0)
      .where('client_session.ended_at', 'is', null)
      .orderBy('client.client_id')
      .execute();
  }

  // Logouts

  /**
   * A realm's logouts, newest first, filtered by user (one of its sessions), client (a delivery
   * to it), trigger, outcome and time. `browserAnswerWaitMs`: how long a SAML front-channel answer
   * is still awaited (logout/status/app-states.ts).
   */
  async logouts(
    realmId: string,
    f: LogoutFilter & Paging,
    now: number,
    browserAnswerWaitMs: number,
  ): Promise<LogoutListRow[]> {
    const awaited = now - browserAnswerWaitMs;
    return this.#db
      .selectFrom('logout')
      .leftJoin('app_user', 'app_user.id', 'logout.user_id')
      .selectAll('logout')
      .select('app_user.username')
      .where('logout.realm_id', '=', realmId)
      .$if(f.trigger !== null, (q) => q.where('logout.trigger', '=', f.trigger!))
      .$if(f.from !== null, (q) => q.where('logout.created_at', '>=', f.from!))
      .$if(f.to !== null, (q) => q.where('logout.created_at', '<=', f.to!))
      .$if(f.userId !== null, (q) =>
        q.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('logout_session as ls')
              .select('ls.logout_id')
              .whereRef('ls.logout_id', '=', 'logout.id')
              .where('ls.user_id', '=', f.userId!),
          ),
        ),
      )
      .$if(f.clientId !== null, (q) =>
        q.where(({ exists, or, selectFrom }) =>
          or([
            exists(
              selectFrom('logout_delivery as d')
                .innerJoin('client as c', 'c.id', 'd.client_id')
                .select('d.id')
                .whereRef('d.logout_id', '=', 'logout.id')
                .where('c.client_id', '=', f.clientId!),
            ),
            exists(
              selectFrom('saml_logout_request as r')
                .innerJoin('client as c', 'c.id', 'r.client_id')
                .select('r.id')
                .whereRef('r.logout_id', '=', 'logout.id')
                .where('c.client_id', '=', f.clientId!),
            ),
          ]),
        ),
      )
      .$if(f.outcome !== null, (q) =>
        q.where(({ exists, not, and, or, selectFrom }) => {
          const inProgress = or([
            exists(
              selectFrom('logout_delivery as d')
                .select('d.id')
                .whereRef('d.logout_id', '=', 'logout.id')
                .where('d.status', 'in', ['pending', 'retrying', 'held']),
            ),
            exists(
              selectFrom('saml_logout_request as r')
                .select('r.id')
                .whereRef('r.logout_id', '=', 'logout.id')
                .where('r.answered_at', 'is', null)
                .where('r.created_at', '>', awaited),
            ),
          ]);
          const failing = or([
            exists(
              selectFrom('logout_delivery as d')
                .select('d.id')
                .whereRef('d.logout_id', '=', 'logout.id')
                .where('d.status', 'in', ['failed', 'rejected', 'skipped']),
            ),
            exists(
              selectFrom('saml_logout_request as r')
                .select('r.id')
                .whereRef('r.logout_id', '=', 'logout.id')
                .where((eb) =>
                  eb.or([
                    eb.and([eb('r.answered_at', 'is', null), eb('r.created_at', '<=', awaited)]),
                    eb.and([
                      eb('r.answered_at', 'is not', null),
                      eb('r.status', '!=', 'urn:oasis:names:tc:SAML:2.0:status:Success'),
                    ]),
                  ]),
                ),
            ),
          ]);
          if (f.outcome === 'in_progress') return inProgress;
          if (f.outcome === 'incomplete') return and([not(inProgress), failing]);
          return and([not(inProgress), not(failing)]);
        }),
      )
      .orderBy('logout.created_at', 'desc')
      .orderBy('logout.id')
      .offset(f.first)
      .limit(f.max)
      .execute();
  }

  /** Deliveries of these logouts counted by status (the list's and the CSV's columns). */
  async logoutDeliveryCounts(
    logoutIds: readonly string[],
  ): Promise<Array<{ logout_id: string | null; status: DeliveryStatus; n: number | string }>> {
    if (logoutIds.length === 0) return [];
    return this.#db
      .selectFrom('logout_delivery')
      .select(['logout_id', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('logout_id', 'in', logoutIds)
      .groupBy(['logout_id', 'status'])
      .execute();
  }

  /** The front-channel SAML LogoutRequests of these logouts, for their outcome. */
  async logoutSamlRequests(
    logoutIds: readonly string[],
  ): Promise<
    Array<{ logout_id: string | null; created_at: number; answered_at: number | null; status: string | null }>
  > {
    if (logoutIds.length === 0) return [];
    return this.#db
      .selectFrom('saml_logout_request')
      .select(['logout_id', 'created_at', 'answered_at', 'status'])
      .where('logout_id', 'in', logoutIds)
      .execute();
  }

  /** One logout of the realm (the admin API's …/sundown/logouts/{id}). */
  async logout(realmId: string, id: string): Promise<LogoutTable | undefined> {
    return this.#db
      .selectFrom('logout')
      .selectAll()
      .where('id', '=', id)
      .where('realm_id', '=', realmId)
      .executeTakeFirst();
  }

  // Back-channel deliveries

  async deliveries(
    realmId: string,
    f: { status: DeliveryStatus | null; clientId: string | null; session: string | null } & Paging,
  ): Promise<Array<LogoutDeliveryTable & { client_client_id: string | null; username: string | null }>> {
    return this.#recipients()
      .leftJoin('app_user', 'app_user.id', 'logout_delivery.user_id')
      .selectAll('logout_delivery')
      .select([
        (eb) => eb.fn.coalesce('client.client_id', 'identity_provider.alias').as('client_client_id'),
        'app_user.username',
      ])
      .where('logout_delivery.realm_id', '=', realmId)
      .$if(f.status !== null, (q) => q.where('logout_delivery.status', '=', f.status!))
      .$if(f.clientId !== null, (q) =>
        q.where((eb) => eb.fn.coalesce('client.client_id', 'identity_provider.alias'), '=', f.clientId!),
      )
      .$if(f.session !== null, (q) => q.where('logout_delivery.sso_session_id', '=', f.session!))
      .orderBy('logout_delivery.created_at', 'desc')
      .orderBy('logout_delivery.id')
      .offset(f.first)
      .limit(f.max)
      .execute();
  }

  async deliveryCounts(
    realmId: string,
    clientId: string | null,
  ): Promise<Array<{ status: DeliveryStatus; n: number | string }>> {
    return this.#recipients()
      .select(['logout_delivery.status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('logout_delivery.realm_id', '=', realmId)
      .$if(clientId !== null, (q) =>
        q.where((eb) => eb.fn.coalesce('client.client_id', 'identity_provider.alias'), '=', clientId!),
      )
      .groupBy('logout_delivery.status')
      .execute();
  }

  /**
   * Deliveries with whom they tell: a client of the realm, or — for a brokered session's upstream
   * (kind `upstream_logout`, broker/) — the identity provider whose id the row holds in place of a
   * client's. An inner join with `client` hid the upstream's deliveries from the lists and counts.
   */
  #recipients() {
    return this.#db
      .selectFrom('logout_delivery')
      .leftJoin('client', 'client.id', 'logout_delivery.client_id')
      .leftJoin('identity_provider', 'identity_provider.id', 'logout_delivery.client_id');
  }

  async delivery(realmId: string, id: string): Promise<{ id: string; status: DeliveryStatus } | undefined> {
    return this.#db
      .selectFrom('logout_delivery')
      .select(['id', 'status'])
      .where('id', '=', id)
      .where('realm_id', '=', realmId)
      .executeTakeFirst();
  }
}
