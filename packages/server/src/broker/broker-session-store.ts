// broker_session: the upstream session behind a local SSO session signed in through a broker —
// Keycloak's broker session id "<alias>.<sid>" and broker user id "<alias>.<sub>", kept as their
// parts, with the upstream's ID token for id_token_hint on logout (keycloak-brokering.md).
import type { Executor } from '../store/executor.ts';
import type { BrokerSessionTable } from '../store/schema.ts';

export interface BrokerSession {
  ssoSessionId: string;
  realmId: string;
  alias: string;
  upstreamSid: string | null;
  upstreamSub: string;
  idToken: string;
}

function fromRow(r: BrokerSessionTable): BrokerSession {
  return {
    ssoSessionId: r.sso_session_id,
    realmId: r.realm_id,
    alias: r.alias,
    upstreamSid: r.upstream_sid,
    upstreamSub: r.upstream_sub,
    idToken: r.id_token,
  };
}

export class BrokerSessionStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  /** Records (or replaces, at a new sign-in in the same session) the upstream session of a local one. */
  async record(s: BrokerSession, now = Date.now()): Promise<void> {
    await this.#db.deleteFrom('broker_session').where('sso_session_id', '=', s.ssoSessionId).execute();
    await this.#db
      .insertInto('broker_session')
      .values({
        sso_session_id: s.ssoSessionId,
        realm_id: s.realmId,
        alias: s.alias,
        upstream_sid: s.upstreamSid,
        upstream_sub: s.upstreamSub,
        id_token: s.idToken,
        created_at: now,
      })
      .execute();
  }

  async of(ssoSessionId: string): Promise<BrokerSession | undefined> {
    const row = await this.#db
      .selectFrom('broker_session')
      .selectAll()
      .where('sso_session_id', '=', ssoSessionId)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async ofSessions(ids: readonly string[], db: Executor = this.#db): Promise<BrokerSession[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom('broker_session')
      .selectAll()
      .where('sso_session_id', 'in', [...ids])
      .execute();
    return rows.map(fromRow);
  }

  /** The local sessions of an upstream session (by its sid) or of an upstream user (by sub). */
  async matching(realmId: string, alias: string, by: { sid: string } | { sub: string }): Promise<string[]> {
    let q = this.#db
      .selectFrom('broker_session')
      .select('sso_session_id')
      .where('realm_id', '=', realmId)
      .where('alias', '=', alias);
    q = 'sid' in by ? q.where('upstream_sid', '=', by.sid) : q.where('upstream_sub', '=', by.sub);
    return (await q.execute()).map((r) => r.sso_session_id);
  }
}
