// The client_session table: a client received tokens in an SSO session (BCL §2.3: whom a
// logout must tell). One row per (session, client, online/offline).
import type { ClientTable, ClientSessionTable } from '../store/schema.ts';
import { newId } from '../crypto/random.ts';
import type { Executor } from '../store/executor.ts';
import { prepareQuery } from '../store/prepared.ts';

export interface ClientSessionInput {
  ssoSessionId: string;
  realmId: string;
  clientId: string;
  userId: string;
  scope: string;
  offline: boolean;
}

/** A live online client session of an ended SSO session, with its client's row. */
export type ClientSessionWithClient = ClientTable & {
  cs_id: string;
  cs_sso_session_id: string;
  cs_user_id: string;
  /** Set for a SAML participant (recordSamlParticipant), null for OIDC client sessions. */
  cs_saml_name_id: string | null;
  cs_saml_name_id_format: string | null;
  cs_saml_session_index: string | null;
};

/**
 * A SAML SP's part in an SSO session (saml.md §3, §4): the NameID and Format its Response
 * carried and the AuthnStatement SessionIndex, which its LogoutRequest will name (Core §3.7.1).
 */
export interface SamlParticipantInput {
  ssoSessionId: string;
  realmId: string;
  clientId: string;
  userId: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
}

/** A client session found by its SessionIndex. */
export type SamlParticipant = Pick<ClientSessionTable, 'id' | 'sso_session_id' | 'user_id' | 'ended_at'> & {
  saml_name_id: string;
  saml_name_id_format: string;
  saml_session_index: string;
};

export class ClientSessionStore {
  readonly #db: Executor;
  // Compiled once: runs on every refresh grant (store/prepared.ts).
  readonly #touch = prepareQuery(
    (db, id: string, now: number) => db.updateTable('client_session').set({ last_token_at: now }).where('id', '=', id),
    2,
  );
  constructor(db: Executor) {
    this.#db = db;
  }

  /** Records (or refreshes) that a client received tokens in a session; returns the row's id. */
  async record(input: ClientSessionInput, now: number, db: Executor = this.#db): Promise<string> {
    const offline = input.offline ? 1 : 0;
    const existing = await db
      .selectFrom('client_session')
      .select(['id', 'scope'])
      .where('sso_session_id', '=', input.ssoSessionId)
      .where('client_id', '=', input.clientId)
      .where('offline', '=', offline)
      .executeTakeFirst();
    if (existing) {
      const scope = mergeScopes(existing.scope, input.scope);
      await db
        .updateTable('client_session')
        .set({ last_token_at: now, scope, ended_at: null })
        .where('id', '=', existing.id)
        .execute();
      return existing.id;
    }
    const inserted = await db
      .insertInto('client_session')
      .values({
        id: newId(),
        realm_id: input.realmId,
        sso_session_id: input.ssoSessionId,
        client_id: input.clientId,
        user_id: input.userId,
        scope: input.scope,
        offline,
        first_token_at: now,
        last_token_at: now,
        ended_at: null,
      })
      // A concurrent token request for the same client may have inserted the row first.
      .onConflict((oc) =>
        oc.columns(['sso_session_id', 'client_id', 'offline']).doUpdateSet({ last_token_at: now, ended_at: null }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    return inserted.id;
  }

  /**
   * Records a SAML login: the online client_session of (SSO session, SAML client), created or
   * updated with this Response's NameID, Format and SessionIndex (one row per session × client,
   * so a second login to the same SP in the same session replaces the values). Returns the id.
   */
  async recordSamlParticipant(input: SamlParticipantInput, now: number, db: Executor = this.#db): Promise<string> {
    const saml = {
      saml_name_id: input.nameId,
      saml_name_id_format: input.nameIdFormat,
      saml_session_index: input.sessionIndex,
    };
    const inserted = await db
      .insertInto('client_session')
      .values({
        id: newId(),
        realm_id: input.realmId,
        sso_session_id: input.ssoSessionId,
        client_id: input.clientId,
        user_id: input.userId,
        scope: '',
        offline: 0,
        first_token_at: now,
        last_token_at: now,
        ended_at: null,
        ...saml,
      })
      .onConflict((oc) =>
        oc
          .columns(['sso_session_id', 'client_id', 'offline'])
          .doUpdateSet({ last_token_at: now, ended_at: null, ...saml }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    return inserted.id;
  }

  /**
   * The client sessions of one SAML client (internal id) whose SessionIndex is among these,
   * live or ended; scoped to the client so an SP can only name its own sessions (saml.md §8.8).
   */
  async findBySamlSessionIndex(
    realmId: string,
    clientId: string,
    sessionIndexes: readonly string[],
    db: Executor = this.#db,
  ): Promise<SamlParticipant[]> {
    if (sessionIndexes.length === 0) return [];
    const rows = await db
      .selectFrom('client_session')
      .select([
        'id',
        'sso_session_id',
        'user_id',
        'ended_at',
        'saml_name_id',
        'saml_name_id_format',
        'saml_session_index',
      ])
      .where('realm_id', '=', realmId)
      .where('client_id', '=', clientId)
      .where('saml_session_index', 'in', sessionIndexes)
      .where('offline', '=', 0)
      .execute();
    return rows.filter(
      (r): r is SamlParticipant =>
        r.saml_name_id !== null && r.saml_name_id_format !== null && r.saml_session_index !== null,
    );
  }

  /** A refresh: the client received tokens again. */
  async touch(id: string, now: number, db: Executor = this.#db): Promise<void> {
    await this.#touch(db, id, now);
  }

  /** Ends one client session (an offline token revoked, RFC 7009). */
  async end(id: string, now: number): Promise<void> {
    await this.#db.updateTable('client_session').set({ ended_at: now }).where('id', '=', id).execute();
  }

  /** Whether a client session exists and has not ended (offline tokens: OIDC Core §11). */
  async isOpen(id: string): Promise<boolean> {
    const row = await this.#db.selectFrom('client_session').select('ended_at').where('id', '=', id).executeTakeFirst();
    return row !== undefined && row.ended_at === null;
  }

  /** Every live client session of an SSO session: whom a logout must notify. */
  async liveOf(ssoSessionId: string): Promise<ClientSessionTable[]> {
    return this.#db
      .selectFrom('client_session')
      .selectAll()
      .where('sso_session_id', '=', ssoSessionId)
      .where('ended_at', 'is', null)
      .execute();
  }

  /** Whether a client (by its clientId) holds a live offline session in this SSO session. */
  async hasLiveOffline(ssoSessionId: string, clientId: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('client_session')
      .innerJoin('client', 'client.id', 'client_session.client_id')
      .select('client_session.id')
      .where('client_session.sso_session_id', '=', ssoSessionId)
      .where('client.client_id', '=', clientId)
      .where('client_session.offline', '=', 1)
      .where('client_session.ended_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The live online client sessions of these SSO sessions, with their clients. */
  async liveOnlineWithClients(
    ssoSessionIds: readonly string[],
    db: Executor = this.#db,
  ): Promise<ClientSessionWithClient[]> {
    return db
      .selectFrom('client_session')
      .innerJoin('client', 'client.id', 'client_session.client_id')
      .selectAll('client')
      .select([
        'client_session.id as cs_id',
        'client_session.sso_session_id as cs_sso_session_id',
        'client_session.user_id as cs_user_id',
        'client_session.saml_name_id as cs_saml_name_id',
        'client_session.saml_name_id_format as cs_saml_name_id_format',
        'client_session.saml_session_index as cs_saml_session_index',
      ])
      .where('client_session.sso_session_id', 'in', ssoSessionIds)
      .where('client_session.offline', '=', 0)
      .where('client_session.ended_at', 'is', null)
      .execute();
  }

  /** Ends the online client sessions of ended SSO sessions. */
  async endOnlineOfSessions(ssoSessionIds: readonly string[], now: number, db: Executor = this.#db): Promise<void> {
    await db
      .updateTable('client_session')
      .set({ ended_at: now })
      .where('sso_session_id', 'in', ssoSessionIds)
      .where('offline', '=', 0)
      .where('ended_at', 'is', null)
      .execute();
  }

  /** Ends a client's offline sessions of these users (`backchannel.logout.revoke.offline.tokens`). */
  async endOfflineOf(
    clientId: string,
    userIds: readonly string[],
    now: number,
    db: Executor = this.#db,
  ): Promise<void> {
    await db
      .updateTable('client_session')
      .set({ ended_at: now })
      .where('client_id', '=', clientId)
      .where('user_id', 'in', userIds)
      .where('offline', '=', 1)
      .where('ended_at', 'is', null)
      .execute();
  }
}

function mergeScopes(a: string, b: string): string {
  return [...new Set([...a.split(' '), ...b.split(' ')].filter(Boolean))].join(' ');
}
